// Report shapes of the PDF/A validator (docs/CONTRACTS.md, "PDF/A validation").
export type PdfaEngine = 'builtin' | 'verapdf' | 'both';

export interface PdfaFailure {
  clause: string;
  rule: string;
  message: string;
  location?: string;
}

export interface PdfaReport {
  file: string;
  compliant: boolean;
  profile: 'PDF/A-1b';
  unreadable?: boolean;
  failures: PdfaFailure[];
  engine: PdfaEngine;
  disagreements?: string[];
}

export interface ValidateOptions {
  engine?: PdfaEngine;
  timeoutMs?: number;
  file?: string;
}
