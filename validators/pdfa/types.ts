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
  /** With engine 'both': where the built-in checker and veraPDF differ. */
  disagreements?: PdfaDisagreement[];
}

/**
 * One difference between the engines: the verdict (values say whether each engine found the file
 * compliant), or a clause (values say whether each engine reported a failure of it).
 */
export interface PdfaDisagreement {
  kind: 'verdict' | 'clause';
  clause?: string;
  builtin: boolean;
  verapdf: boolean;
}

export interface ValidateOptions {
  /** Default: the configuration's MURAGAT_PDFA_ENGINE (builtin unless set). */
  engine?: PdfaEngine;
  timeoutMs?: number;
  file?: string;
}
