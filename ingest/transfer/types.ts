// Shapes shared by packing, unpacking and checking transfer packages (docs/CONTRACTS.md).
export type { TransferManifest, TransferDossier, TransferDocument, TransferFile } from '../../validators/schemas';

export interface TransferProblem {
  /** Tar entry, manifest pointer (`manifest.json#/dossiers/0/…`) or file path. */
  where: string;
  /** Stable code; also the message catalog key (`transfer.*`). */
  code: string;
  /** Message in the requested language (Kazakh by default). */
  message: string;
  /** Clause of the rules the check comes from, e.g. `p.147`. */
  clause?: string;
  /** Message parameters, so another edge can translate the problem again. */
  params?: Record<string, string | number>;
}

export interface UnpackLimits {
  maxEntries: number;
  maxTotalBytes: number;
  /** Uncompressed bytes per compressed byte; checked once more than 1 MiB has been inflated. */
  maxRatio: number;
  maxEntryBytes: number;
}

export interface UnpackedEntry {
  path: string;
  size: number;
  sha256: string;
}

export const DEFAULT_UNPACK_LIMITS: UnpackLimits = {
  maxEntries: 100_000,
  maxTotalBytes: 50 * 1024 ** 3,
  maxRatio: 200,
  // A document file may be at most 95 MB (p.147); entries are refused well above that so the
  // manifest check can still name the oversized document instead of a bare unpack failure.
  maxEntryBytes: 2 * 1024 ** 3,
};

/** p.147: delivery limit for one document of a state body. */
/** p.147: one e-document, all of its files together, is at most 95 MB and 80 files. */
export const DOCUMENT_LIMITS = { maxFileBytes: 95 * 1024 * 1024, maxFilesPerDocument: 80 } as const;

export const SIGNATURE_EXTENSIONS = ['.p7s', '.sig', '.cms'] as const;
export const MANIFEST_NAME = 'manifest.json';
