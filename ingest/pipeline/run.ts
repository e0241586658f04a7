// Ingest orchestration: receive → unpack → manifest → identify → scan → signatures →
// convert → validate → reproducibility → store (AIP) → index (catalog) → complete.
// Each step is its own module behind the step contract (step.ts, steps/); each is durable
// (state.ts), so a killed run resumes at the first unfinished step.
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { isAppError } from '../../common/errors';
import { recordAudit, SYSTEM_ACTOR, type Actor } from '../../catalog/audit.service';
import type { Problem } from '../tables';
import { problem, quarantineDir, type Ctx, type IngestOptions, type IngestProgress } from './context';
import { receiveTransfer } from './receive';
import { buildReport, type IngestReport } from './report';
import { listSteps, type StepName } from './state';
import { PIPELINE } from './steps';
import { storeRejectedItems, type StoredDossier } from './store';
import { loadTools, type IngestDeps } from './tools';

export { DOCUMENT_MAX_BYTES, DOCUMENT_MAX_FILES, problem, quarantineDir, type Ctx, type IngestOptions, type IngestProgress } from './context';
export { receiveTransfer, cleanIncoming, unfinishedTransfers } from './receive';

export interface RunIngestInput {
  tarPath: string;
  actor?: Actor;
  options?: IngestOptions;
  onProgress?: (p: IngestProgress) => void;
  /** Test hook: called after each step is durably done (crash-resume tests kill here). */
  afterStep?: (step: StepName) => void;
}

/** Receives and processes a transfer package; returns the report (also kept in the catalog). */
export async function runIngest(deps: IngestDeps, input: RunIngestInput): Promise<IngestReport> {
  const transferId = await receiveTransfer(deps, { tarPath: input.tarPath, actor: input.actor, options: input.options, onProgress: input.onProgress });
  return processTransfer(deps, transferId, { options: input.options, onProgress: input.onProgress, afterStep: input.afterStep });
}

export interface ProcessOptions {
  options?: IngestOptions;
  onProgress?: (p: IngestProgress) => void;
  afterStep?: (step: StepName) => void;
}

/** Runs (or resumes) every unfinished step of a received transfer. */
export async function processTransfer(deps: IngestDeps, transferId: string, run: ProcessOptions = {}): Promise<IngestReport> {
  const tools = deps.tools ?? (await loadTools());
  const transfer = await deps.db.selectFrom('transfers').selectAll().where('id', '=', transferId).executeTakeFirstOrThrow();
  if (transfer.status === 'completed' || transfer.status === 'failed') return buildReport(deps, transferId);
  const actor = (transfer.actor as unknown as Actor)?.username ? (transfer.actor as unknown as Actor) : SYSTEM_ACTOR;
  const stored = transfer.options as { acceptInvalidSignature?: Record<string, string> };
  const options: IngestOptions = { ...run.options, acceptInvalidSignature: { ...stored.acceptInvalidSignature, ...run.options?.acceptInvalidSignature } };
  const work = quarantineDir(deps, transferId);
  const ctx: Ctx = { deps, tools, transferId, work, actor, options, progress: run.onProgress ?? (() => {}), afterStep: run.afterStep };
  await deps.db.updateTable('transfers').set({ status: 'processing' }).where('id', '=', transferId).execute();
  try {
    for (const step of PIPELINE) {
      const outcome = await step.run(ctx);
      if (!outcome.ok) return refuseTransfer(ctx, outcome.problems);
    }
    // Everything is in the store now; the quarantine copy is no longer needed.
    await rm(work, { recursive: true, force: true });
    return buildReport(deps, transferId);
  } catch (error) {
    // Bad input refuses the transfer; a system fault (tool missing, disk full) leaves it resumable.
    if (isAppError(error) && error.status < 500) return refuseTransfer(ctx, [problem(error.messageKey, error.params as Record<string, unknown>)]);
    throw error;
  }
}

/** Refuses the whole transfer; the package itself is kept in the store so nothing is lost. */
async function refuseTransfer(ctx: Ctx, problems: Problem[]): Promise<IngestReport> {
  const { deps, transferId } = ctx;
  const source = path.join(ctx.work, 'source.tar');
  let keptAs: string | null = null;
  if (await stat(source).catch(() => null)) keptAs = await storeRejectedItems(ctx, [], source);
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('transfers')
      .set({ status: 'failed', finished_at: new Date(), problems: JSON.stringify(problems), report: JSON.stringify({ rejectedItemsManifest: keptAs }) })
      .where('id', '=', transferId)
      .execute();
    await recordAudit(trx, { actor: ctx.actor, action: 'transfer.refuse', objectType: 'transfer', objectId: transferId, details: { problems: problems.map((p) => p.code), keptAs } });
  });
  await rm(ctx.work, { recursive: true, force: true });
  return buildReport(deps, transferId);
}

export { listSteps, type StoredDossier };
