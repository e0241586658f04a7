// Ingest orchestration: receive → unpack → manifest → identify → scan → signatures →
// convert → validate → reproducibility → store (AIP) → index (catalog) → complete.
// Each step is its own module behind the step contract (step.ts, steps/); each is durable
// (state.ts), so a killed run resumes at the first unfinished step.
import { rm } from 'node:fs/promises';
import { isAppError } from '../../common/errors';
import { SYSTEM_ACTOR, type Actor } from '../../audit/audit.service';
import type { Transaction } from 'kysely';
import type { Database } from '../../database/database';
import { recordAudit } from '../../audit/audit.service';
import { JobCancelledError } from '../../jobs';
import { failTransfer, keepPackage } from '../intake/transfer-state';
import { killToolsUnder, registerRun, TransferCancelledError } from './cancel';
import type { Problem } from '../tables';
import { quarantineDir, type Ctx, type IngestOptions, type IngestProgress } from './context';
import { receiveTransfer } from './receive';
import { claimTransfer } from './claim';
import { buildReport, type IngestReport } from './report';
import { listSteps, stepFence, type StepName } from './state';
import { PIPELINE } from './steps';
import { collectGarbageIfLarge } from './pool';
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

function isFinal(status: string): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

/** How long a cancelled step may take to wind down (its tools are killed) before we move on. */
const CANCEL_SETTLE_MS = 60_000;
/** How often the programs of a cancelled step are looked for again while it winds down. */
const CANCEL_REAP_MS = 250;

/**
 * Runs (or resumes) every unfinished step of a received transfer, under the transfer's claim
 * (claim.ts): whoever else is processing the same package is waited for, and its report returned.
 * A cancellation (cancelTransfer, in this process or another) stops the step in flight, kills
 * its programs and removes the work folder; the transfer stays `cancelled` (cancel.ts).
 */
export async function processTransfer(deps: IngestDeps, transferId: string, run: ProcessOptions = {}): Promise<IngestReport> {
  const claim = await claimTransfer(deps, transferId, { signal: run.signal, attempt: run.attempt, onBusy: run.onBusy });
  if (!claim) return buildReport(deps, transferId);
  let outcome: 'completed' | 'failed' | 'cancelled' = 'failed';
  let reason: string | undefined;
  // Cancellation: at once from this process (registry), or from another through the lease's flag.
  const cancel = new AbortController();
  const unregister = registerRun(transferId, cancel);
  const onLease = () => {
    if (claim.lease.signal.reason instanceof JobCancelledError) cancel.abort(new TransferCancelledError(transferId));
  };
  claim.lease.signal.addEventListener('abort', onLease, { once: true });
  try {
    // A lost lease or a shutdown stops the run between steps (resumable); a cancellation stops
    // the step in flight too.
    const signal = AbortSignal.any([...(run.signal ? [run.signal] : []), claim.lease.signal, cancel.signal]);
    // Progress also goes with the lease's heartbeat, so whoever watches the queue sees it.
    const onProgress = (p: IngestProgress) => {
      claim.lease.progress(p);
      run.onProgress?.(p);
    };
    // A step commits only while the run holds the transfer and the transfer is not cancelled
    // (the cancelling transaction holds the transfer's row, so the two never interleave).
    const fence = async (trx: Transaction<Database>) => {
      await claim.lease.fence(trx);
      const row = await trx.selectFrom('transfers').select('status').where('id', '=', transferId).forShare().executeTakeFirst();
      if (row?.status === 'cancelled') throw new TransferCancelledError(transferId);
    };
    const result = await stepFence.run(fence, () => processClaimed(deps, transferId, { ...run, signal, onProgress }, claim.work, cancel.signal));
    outcome = result.cancelled ? 'cancelled' : 'completed';
    return result.report;
  } catch (error) {
    reason = error instanceof Error ? error.message : String(error);
    throw error;
  } finally {
    claim.lease.signal.removeEventListener('abort', onLease);
    unregister();
    await claim.release(outcome, reason);
  }
}

async function processClaimed(deps: IngestDeps, transferId: string, run: ProcessOptions, work: string, cancelled: AbortSignal): Promise<{ report: IngestReport; cancelled?: boolean }> {
  const tools = deps.tools ?? (await loadTools());
  const transfer = await deps.db.selectFrom('transfers').selectAll().where('id', '=', transferId).executeTakeFirstOrThrow();
  if (isFinal(transfer.status)) return { report: await buildReport(deps, transferId) };
  const actor = (transfer.actor as unknown as Actor)?.username ? (transfer.actor as unknown as Actor) : SYSTEM_ACTOR;
  const stored = transfer.options as { acceptInvalidSignature?: Record<string, string> };
  const options: IngestOptions = { ...run.options, acceptInvalidSignature: { ...stored.acceptInvalidSignature, ...run.options?.acceptInvalidSignature } };
  const ctx: Ctx = { deps, tools, transferId, work, actor, options, progress: run.onProgress ?? (() => {}), afterStep: run.afterStep, signal: run.signal };
  await deps.db.updateTable('transfers').set({ status: 'processing' }).where('id', '=', transferId).where('status', 'in', ['uploading', 'queued', 'processing']).execute();
  let current: StepName = PIPELINE[0]!.name;
  const stopped = { killed: 0 };
  try {
    for (const step of PIPELINE) {
      current = step.name;
      await checkpoint(ctx, run.signal);
      const outcome = await untilCancelled(step.run(ctx), cancelled, work, stopped);
      // What a step left behind (texts, renditions read, reports) is not carried into the next.
      collectGarbageIfLarge();
      // A sender failure: the package or its manifest cannot be taken. Fails once, never retried.
      if (!outcome.ok) return { report: await fail(ctx, current, outcome.problems[0] ? { code: outcome.problems[0].code, params: problemParams(outcome.problems[0]) } : { code: 'ingest.transfer_refused', params: {} }, outcome.problems) };
    }
    // Everything is in the store now; the quarantine copy is no longer needed.
    await rm(work, { recursive: true, force: true });
    return { report: await buildReport(deps, transferId) };
  } catch (error) {
    if (error instanceof TransferCancelledError || cancelled.aborted || (await statusOf(ctx)) === 'cancelled') {
      await stopCancelled(ctx, current, stopped.killed);
      return { report: await buildReport(deps, transferId), cancelled: true };
    }
    if (run.signal?.aborted) throw error;
    const sender = isAppError(error) && error.status < 500;
    const faults = run.systemFaults ?? (run.attempt !== undefined ? 'throw' : 'fail');
    if (!sender && faults === 'throw') throw error;
    return { report: await fail(ctx, current, describeError(current, error)) };
  }
}

async function statusOf(ctx: Ctx): Promise<string | undefined> {
  return (await ctx.deps.db.selectFrom('transfers').select('status').where('id', '=', ctx.transferId).executeTakeFirst().catch(() => undefined))?.status;
}

/**
 * Waits for a step, unless the transfer is cancelled first: then the step's programs are killed
 * (and killed again as the step starts more, until it has wound down — without its programs and
 * its work folder it fails fast) and TransferCancelledError is thrown. What the step would still
 * commit is refused by the fence.
 */
async function untilCancelled<T>(work: Promise<T>, cancelled: AbortSignal, folder: string, stopped: { killed: number }): Promise<T> {
  if (cancelled.aborted) {
    void work.catch(() => undefined);
    throw cancelled.reason;
  }
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    onAbort = () => reject(cancelled.reason instanceof Error ? cancelled.reason : new Error(String(cancelled.reason)));
    cancelled.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, stop]);
  } catch (error) {
    if (!cancelled.aborted) throw error;
    let settled = false;
    const ended = work.then(
      () => undefined,
      () => undefined,
    ).finally(() => {
      settled = true;
    });
    const deadline = Date.now() + CANCEL_SETTLE_MS;
    while (!settled && Date.now() < deadline) {
      stopped.killed += await killToolsUnder(folder);
      await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, CANCEL_REAP_MS))]);
    }
    throw error;
  } finally {
    cancelled.removeEventListener('abort', onAbort!);
    void stop.catch(() => undefined);
  }
}

/**
 * The end of a cancelled run: programs still working on the transfer are killed, the work folder
 * removed (the package itself was kept in the store by cancelTransfer; kept again here in case
 * the cancellation came while it was still only in quarantine), and the stop audited.
 */
async function stopCancelled(ctx: Ctx, step: StepName, killedBefore: number): Promise<void> {
  const killed = killedBefore + (await killToolsUnder(quarantineDir(ctx.deps, ctx.transferId)));
  const keptAs = await keepPackage(ctx.deps, ctx.transferId);
  await rm(quarantineDir(ctx.deps, ctx.transferId), { recursive: true, force: true });
  await ctx.deps.db
    .updateTable('ingest_steps')
    .set({ status: 'failed', finished_at: new Date(), error: JSON.stringify({ code: 'transfer.cancelled', message: 'cancelled' }) })
    .where('transfer_id', '=', ctx.transferId)
    .where('status', '=', 'running')
    .execute();
  await recordAudit(ctx.deps.db, {
    actor: SYSTEM_ACTOR,
    action: 'transfer.processing_stop',
    objectType: 'transfer',
    objectId: ctx.transferId,
    details: { step, killedProcesses: killed, keptAs },
  });
}

/** Between steps: stop for a shutdown (resumable) or a cancellation (final). */
async function checkpoint(ctx: Ctx, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
  if ((await statusOf(ctx)) === 'cancelled') throw new TransferCancelledError(ctx.transferId);
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
