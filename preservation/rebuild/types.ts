// Shapes of the catalog rebuild (docs/rebuild.md): options, progress, problems and the report.
import type { Kysely } from 'kysely';
import type { Database } from '../../database/database';
import type { Storage } from '../../storage';
import type { Actor } from '../../audit/audit.service';

export type RebuildPhase = 'scan' | 'read' | 'write';

export interface RebuildProgress {
  phase: RebuildPhase;
  done: number;
  total: number;
  /** The object (digest) or dossier (aip id) being worked on. */
  item: string;
}

/**
 * A problem found in storage. `code` is a message key of the `rebuild` area, `params` its
 * values (`dossier` names the AIP: transfer/index/volume); `message` the English text.
 * Errors stop the rebuild (nothing written) unless losses are accepted; warnings never do.
 */
export interface RebuildProblem {
  severity: 'error' | 'warning';
  code: string;
  params: Record<string, string | number>;
  message: string;
  /** The AIP concerned (transfer/index/volume), when known. */
  aipId?: string;
  /** Its current manifest's digest, when known. */
  manifest?: string;
}

export interface RebuiltDossier {
  aipId: string;
  index: string;
  volume: number;
  title: string;
  transferId: string;
  manifest: string;
  status: 'stored' | 'awaiting-signature';
  documents: number;
  sealed: boolean;
  /** The new catalog id (dossier ids are not in the AIP: they are made anew). */
  id?: string;
  /** Rebuilt although objects or its key are missing everywhere (accepted loss). */
  withLosses?: boolean;
}

export interface LeftOutDossier {
  aipId: string;
  index: string;
  manifest: string;
  /** Destroyed by an act (the key's tombstone or a location's destruction register). */
  destroyedBy?: { actId: string; actNumber?: string; destroyedAt: string };
  /** Why else it was left out (unreadable descriptions). */
  reason?: string;
}

export interface RebuildReport {
  ok: boolean;
  /** True when the catalog was written (one transaction); false for a refusal or a dry run. */
  written: boolean;
  dryRun: boolean;
  locations: string[];
  objectsScanned: number;
  manifestsFound: number;
  dossiers: RebuiltDossier[];
  leftOut: LeftOutDossier[];
  transfers: number;
  documents: number;
  organisation: boolean;
  departments: number;
  problems: RebuildProblem[];
}

export interface RebuildDeps {
  db: Kysely<Database>;
  storage: Storage;
  /** Checks a dossier signature the AIP's dossier.json does not describe (older AIPs). */
  verifySignature?: (input: { signature: Uint8Array; content: Uint8Array; trustDir: string }) => Promise<{ verdict: string; signers: { signer: { subject: string; serialNumber?: string; issuer?: string } }[] }>;
  trustDir?: string;
}

export interface RebuildOptions {
  actor: Actor;
  /** Rebuild into a catalog that already holds dossiers (AIPs it already has are skipped). */
  intoNonEmpty?: boolean;
  /** Rebuild dossiers whose objects or key are missing in every location (verify then names the loss). */
  acceptLosses?: boolean;
  /** Read and check everything, write nothing. */
  dryRun?: boolean;
  onProgress?: (progress: RebuildProgress) => void;
}
