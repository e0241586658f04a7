// Preservation runs in two modes, one lifecycle: `verify` (deep verification of dossiers —
// objects, chains, catalog, inventories, signatures, renditions; runs.service.ts) and `fixity`
// (every object re-hashed in every location, repaired, losses named; fixity.service.ts). Both
// are rows of preservation_runs with the same statuses, progress (phase, done, total, item),
// history and one-active-run-per-mode rule; this module is the one entry for starting, listing,
// reading and resuming either, used by the HTTP API and the CLI. Knows nothing of HTTP.
import type { Kysely } from 'kysely';
import type { Actor } from '../audit/audit.service';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors';
import type { Database } from '../database/database';
import { getFixityRun, recoverFixityRuns, resumeFixityRun, runColumnsView, startFixityRun, type FixityDeps, type FixityRunView } from './fixity.service';
import { listAllRuns, runMode, type AnyRunListRow } from './runs.repository';
import { getIntegrityRun, startIntegrityRun, sweepStale, type IntegrityRunDeps, type IntegrityRunView } from './runs.service';
import type { FixityScope, RunMode, RunProgress, RunStatus } from './tables';

export type { RunMode, RunProgress, RunStatus } from './tables';
export const RUN_MODES: readonly RunMode[] = ['verify', 'fixity'];

/** One run of either mode as lists show it. */
export interface PreservationRunView {
  id: string;
  mode: RunMode;
  trigger: 'schedule' | 'manual';
  scope: FixityScope;
  dossier: { id: string; index: string | null } | null;
  location: string | null;
  repair: boolean;
  status: RunStatus;
  actor: { userId: string | null; username: string };
  runner: string | null;
  startedAt: string;
  finishedAt: string | null;
  progress: RunProgress;
  resumed: number;
  error: string | null;
  /** verify: dossiers and objects checked, failures, repairs; fixity: objects checked, intact, repaired, damaged, lost. */
  summary: Record<string, unknown> | null;
  /** fixity: the stored report.json, report.pdf and its signature. */
  reportObjects: { json: string; pdf: string | null; signature: string | null } | null;
}

/** One run read whole: the mode's own view with its report. */
export type PreservationRunDetail = (IntegrityRunView & { mode: 'verify' }) | (FixityRunView & { mode: 'fixity' });

export interface RunStartInput {
  /** Default verify. */
  mode?: RunMode;
  /** all (default), dossier (with dossierId), location (fixity, with location). */
  scope?: 'all' | 'dossier' | 'location';
  /** One dossier: its id, or a case index held by one dossier. */
  dossierId?: string;
  /** fixity: a storage location as reports name it, or its number (1 = primary). */
  location?: string;
  /** Repair bad copies from a sound one: default false for verify, true for fixity. */
  repair?: boolean;
}

export type RunDeps = IntegrityRunDeps & FixityDeps;

function toView(row: AnyRunListRow): PreservationRunView {
  return {
    id: row.id,
    mode: row.mode,
    trigger: row.trigger,
    scope: row.scope,
    dossier: row.dossier_id ? { id: row.dossier_id, index: row.dossier_index } : null,
    ...runColumnsView(row),
    progress: row.progress,
    resumed: row.resumed,
    error: row.error,
    summary: (row.summary as Record<string, unknown> | null) ?? null,
    reportObjects: row.report_json_sha256 ? { json: row.report_json_sha256, pdf: row.report_pdf_sha256, signature: row.report_signature_sha256 } : null,
  };
}

/** Runs of both modes (or one), newest first; runs of a process that is gone are marked first. */
export async function listPreservationRuns(db: Kysely<Database>, options: { mode?: RunMode; limit?: number; before?: string } = {}): Promise<PreservationRunView[]> {
  await sweepStale(db);
  await recoverFixityRuns(db, { everyActive: false });
  const rows = await listAllRuns(db, {
    limit: Math.min(Math.max(options.limit ?? 20, 1), 200),
    ...(options.mode ? { mode: options.mode } : {}),
    ...(options.before ? { before: new Date(options.before) } : {}),
  });
  return rows.map(toView);
}

/** One run of either mode with its report; 404 names the id. */
export async function getPreservationRun(db: Kysely<Database>, id: string): Promise<PreservationRunDetail> {
  const mode = await runMode(db, id);
  if (mode === 'fixity') return { ...(await getFixityRun(db, id)), mode };
  // Unknown ids get the verify run's "not found" (the older, documented answer).
  return { ...(await getIntegrityRun(db, id)), mode: 'verify' };
}

/** Starts a run of either mode in the background; 409 while a run of that mode is active. */
export async function startPreservationRun(deps: RunDeps, actor: Actor, input: RunStartInput): Promise<PreservationRunDetail> {
  const mode = input.mode ?? 'verify';
  const scope = input.scope ?? (input.location !== undefined ? 'location' : input.dossierId !== undefined ? 'dossier' : 'all');
  if (scope === 'dossier' && !input.dossierId) throw new ValidationError('preservation.run_dossier_missing', 'preservation.run_dossier_missing', { field: 'dossierId' });
  if (scope === 'location' && !input.location) throw new ValidationError('preservation.run_location_missing', 'preservation.run_location_missing', { field: 'location' });
  if (scope !== 'dossier' && input.dossierId !== undefined) throw new ValidationError('preservation.run_scope_conflict', 'preservation.run_scope_conflict', { scope, field: 'dossierId' });
  if (scope !== 'location' && input.location !== undefined) throw new ValidationError('preservation.run_scope_conflict', 'preservation.run_scope_conflict', { scope, field: 'location' });
  if (mode === 'verify') {
    // Deep verification reads dossiers, not locations: every location of each dossier is checked.
    if (scope === 'location') throw new ValidationError('preservation.run_location_fixity_only', 'preservation.run_location_fixity_only', { field: 'location' });
    return { ...(await startIntegrityRun(deps, actor, { repair: input.repair === true, ...(input.dossierId ? { dossierId: input.dossierId } : {}) })), mode };
  }
  return {
    ...(await startFixityRun(deps, actor, { scope, repair: input.repair !== false, ...(input.dossierId ? { dossier: input.dossierId } : {}), ...(input.location ? { location: input.location } : {}) })),
    mode,
  };
}

/**
 * Resumes an interrupted run where it stopped (fixity runs; a verify run stopped midway ended as
 * an error and is started again instead). Answers at once; the rest goes on in this process.
 */
export async function resumePreservationRun(deps: RunDeps, actor: Actor, id: string): Promise<PreservationRunDetail> {
  const mode = await runMode(deps.db, id);
  if (!mode) throw new NotFoundError('preservation.run_not_found', 'preservation.run_not_found', { id });
  if (mode === 'verify') throw new ConflictError('preservation.run_not_resumable', 'preservation.run_not_resumable', { id });
  const run = await resumeFixityRun(deps, actor, id, { background: true });
  if (!run) throw new ConflictError('preservation.fixity_not_interrupted', 'preservation.fixity_not_interrupted', { id, status: 'changed' });
  return { ...run, mode };
}

