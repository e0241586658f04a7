// Ingest orchestration: receive → unpack → manifest → identify → scan → signatures →
// convert → validate → reproducibility → store (AIP) → index (catalog) → complete.
// Each step is its own module behind the step contract (step.ts, steps/); each is durable
// (state.ts), so a killed run resumes at the first unfinished step.
import { rm } from 'node:fs/promises';
import { isAppError } from '../../common/errors';
import { SYSTEM_ACTOR, type Actor } from '../../catalog/audit.service';
import { failTransfer, keepPackage } from '../intake/transfer-state';
import type { Problem } from '../tables';
import { quarantineDir, type Ctx, type IngestOptions, type IngestProgress } from './context';
import { receiveTransfer } from './receive';
import { claimTransfer } from './claim';
import { buildReport, type IngestReport } from './report';
import { listSteps, stepFence, type StepName } from './state';
import { PIPELINE } from './steps';
import { sanitiseText } from './sanitise';
import type { StoredDossier } from './store';
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
  /** Told once when another process is already processing the same package (we wait for it). */
  onBusy?: (owner: string) => void;
}

/** Receives and processes a transfer package; returns the report (also kept in the catalog). */
export async function runIngest(deps: IngestDeps, input: RunIngestInput): Promise<IngestReport> {
  const transferId = await receiveTransfer(deps, { tarPath: input.tarPath, actor: input.actor, options: input.options, onProgress: input.onProgress });
  return processTransfer(deps, transferId, { options: input.options, onProgress: input.onProgress, afterStep: input.afterStep, onBusy: input.onBusy });
}

export interface ProcessOptions {
  options?: IngestOptions;
  onProgress?: (p: IngestProgress) => void;
  afterStep?: (step: StepName) => void;
  /** Stops between steps (worker shutdown); the transfer stays resumable. */
  signal?: AbortSignal;
  /** Which try of a queued job this is (set by the job queue). */
  attempt?: number;
  /** Told once when another processor holds this transfer; processTransfer then waits for it. */
  onBusy?: (owner: string) => void;
  /**
   * What a system fault (tool crashed, disk full, a defect) does. 'throw' (the default under a
   * job queue, i.e. when `attempt` is set): the error is thrown and the queue retries with
   * backoff, then calls failTransfer when its budget is spent. 'fail' (the default otherwise,
   * e.g. `muragat ingest`): the transfer fails at once with the reason and the report is
   * returned. A sender's failure (bad package, bad manifest) always fails the transfer once.
   */
  systemFaults?: 'throw' | 'fail';
}

/** Thrown between steps when the transfer was cancelled meanwhile. */
class TransferCancelled extends Error {}

function isFinal(status: string): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

/**
 * Runs (or resumes) every unfinished step of a received transfer, under the transfer's claim
 * (claim.ts): whoever else is processing the same package is waited for, and its report returned.
 */
export async function processTransfer(deps: IngestDeps, transferId: string, run: ProcessOptions = {}): Promise<IngestReport> {
  const claim = await claimTransfer(deps, transferId, { signal: run.signal, attempt: run.attempt, onBusy: run.onBusy });
  if (!claim) return buildReport(deps, transferId);
  let outcome: 'completed' | 'failed' = 'failed';
  let reason: string | undefined;
  try {
    // A lost lease or a cancellation request stops the run between steps, like a shutdown.
    const signal = run.signal ? AbortSignal.any([run.signal, claim.lease.signal]) : claim.lease.signal;
    // Progress also goes with the lease's heartbeat, so whoever watches the queue sees it.
    const onProgress = (p: IngestProgress) => {
      claim.lease.progress(p);
      run.onProgress?.(p);
    };
    const report = await stepFence.run((trx) => claim.lease.fence(trx), () => processClaimed(deps, transferId, { ...run, signal, onProgress }, claim.work));
    outcome = 'completed';
    return report;
  } catch (error) {
    reason = error instanceof Error ? error.message : String(error);
    throw error;
  } finally {
    await claim.release(outcome, reason);
  }
}

async function processClaimed(deps: IngestDeps, transferId: string, run: ProcessOptions, work: string): Promise<IngestReport> {
  const tools = deps.tools ?? (await loadTools());
  const transfer = await deps.db.selectFrom('transfers').selectAll().where('id', '=', transferId).executeTakeFirstOrThrow();
  if (isFinal(transfer.status)) return buildReport(deps, transferId);
  const actor = (transfer.actor as unknown as Actor)?.username ? (transfer.actor as unknown as Actor) : SYSTEM_ACTOR;
  const stored = transfer.options as { acceptInvalidSignature?: Record<string, string> };
  const options: IngestOptions = { ...run.options, acceptInvalidSignature: { ...stored.acceptInvalidSignature, ...run.options?.acceptInvalidSignature } };
  const ctx: Ctx = { deps, tools, transferId, work, actor, options, progress: run.onProgress ?? (() => {}), afterStep: run.afterStep };
  await deps.db.updateTable('transfers').set({ status: 'processing' }).where('id', '=', transferId).where('status', 'in', ['uploading', 'queued', 'processing']).execute();
  let current: StepName = PIPELINE[0]!.name;
  try {
    for (const step of PIPELINE) {
      current = step.name;
      await checkpoint(ctx, run.signal);
      const outcome = await step.run(ctx);
      // A sender failure: the package or its manifest cannot be taken. Fails once, never retried.
      if (!outcome.ok) return await fail(ctx, current, outcome.problems[0] ? { code: outcome.problems[0].code, params: problemParams(outcome.problems[0]) } : { code: 'ingest.transfer_refused', params: {} }, outcome.problems);
    }
    // Everything is in the store now; the quarantine copy is no longer needed.
    await rm(work, { recursive: true, force: true });
    return buildReport(deps, transferId);
  } catch (error) {
    if (error instanceof TransferCancelled) {
      await rm(work, { recursive: true, force: true });
      return buildReport(deps, transferId);
    }
    if (run.signal?.aborted) throw error;
    const sender = isAppError(error) && error.status < 500;
    const faults = run.systemFaults ?? (run.attempt !== undefined ? 'throw' : 'fail');
    if (!sender && faults === 'throw') throw error;
    return fail(ctx, current, describeError(current, error));
  }
}

/** Between steps: stop for a shutdown (resumable) or a cancellation (final). */
async function checkpoint(ctx: Ctx, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
  const row = await ctx.deps.db.selectFrom('transfers').select('status').where('id', '=', ctx.transferId).executeTakeFirst();
  if (row?.status === 'cancelled') {
    await keepPackage(ctx.deps, ctx.transferId);
    throw new TransferCancelled();
  }
}

function problemParams(p: Problem): Record<string, unknown> {
  return (p.details && typeof p.details === 'object' ? (p.details as Record<string, unknown>) : {}) as Record<string, unknown>;
}

/** A thrown error as a failure reason: our errors carry their key; anything else its message. */
export function describeError(step: string, error: unknown): { code: string; params: Record<string, unknown> } {
  if (isAppError(error)) return { code: error.messageKey, params: { ...(error.params as Record<string, unknown>) } };
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { code: 'ingest.step_failed', params: { step, reason: sanitiseText(reason, 500) } };
}

/** Ends the transfer as failed (see intake/transfer-state.ts) and answers with its report. */
async function fail(ctx: Ctx, step: StepName, reason: { code: string; params: Record<string, unknown> }, problems?: Problem[]): Promise<IngestReport> {
  await failTransfer(ctx.deps, ctx.transferId, { step, code: reason.code, params: reason.params, problems, actor: ctx.actor });
  return buildReport(ctx.deps, ctx.transferId);
}

export { listSteps, type StoredDossier };
