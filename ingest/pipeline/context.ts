// What every pipeline step receives: the transfer being processed, the tools, where its files
// lie, and what earlier steps produced (each step's output is also durable, see state.ts).
import path from 'node:path';
import { t } from '../../common/i18n';
import type { Actor } from '../../audit/audit.service';
import type { Problem } from '../tables';
import type { StepName } from './state';
import type { IngestDeps, IngestTools, TransferManifest } from './tools';
import type { StoredDossier } from './store';

/** Limits of one e-document (p.147): all of its files together (original, attachments, signatures). */
export const DOCUMENT_MAX_BYTES = 95 * 1024 * 1024;
export const DOCUMENT_MAX_FILES = 80;

export interface IngestOptions {
  /** source path → the archivist's reason for accepting a document whose signature is invalid. */
  acceptInvalidSignature?: Record<string, string>;
  /** The archivist's decision to add dossiers whose case index the archive already holds
   * (same department and year) as new volumes: true for all, or the indexes named. */
  newVolumes?: true | string[];
  /** Signing credentials of the person running the CLI; never stored. */
  signer?: { pkcs12: Uint8Array; password: string };
}

export interface IngestProgress {
  step: StepName | 'receive';
  done: number;
  total: number;
  item?: string;
}

export interface UnpackedEntry {
  path: string;
  size: number;
  sha256: string;
}

export interface Ctx {
  deps: IngestDeps;
  tools: IngestTools;
  transferId: string;
  work: string;
  actor: Actor;
  options: IngestOptions;
  progress: (p: IngestProgress) => void;
  afterStep?: (step: StepName) => void;
  /** Aborted on shutdown, a lost lease or cancellation; long steps may stop early on it. */
  signal?: AbortSignal;
  /** Filled by the unpack step. */
  entries?: UnpackedEntry[];
  /** Filled by the manifest step (with what the archive knows merged in). */
  manifest?: TransferManifest;
  /** Filled by the case index check: the archive's volume of each "<index>#<volume in the transfer>" added as a new volume. */
  volumes?: Map<string, number>;
  /** Filled by the store step. */
  dossiers?: StoredDossier[];
}

export function problem(code: string, params: Record<string, unknown> = {}, where?: string, clause?: string): Problem {
  return { code, message: t('en', code, params), ...(where ? { where } : {}), ...(clause ? { clause } : {}), details: params };
}

export function quarantineDir(deps: Pick<IngestDeps, 'config'>, transferId: string): string {
  return path.join(deps.config.dataDir, 'quarantine', transferId);
}

/** What an earlier step must have left in the context; a missing one is a defect of the flow. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`pipeline: ${what} is not available at this step`);
  return value;
}
