// Durable per-step state. A step's effects and its `done` mark are written in one
// transaction, so after a kill -9 a step is either fully recorded or re-run from scratch;
// every step is written to be safe to re-run (content-addressed objects, unique keys).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../database/database';
import { sanitiseDeep, sanitiseText } from './sanitise';

export const STEPS = [
  'unpack',
  'manifest',
  'identify',
  'scan',
  'signatures',
  'convert',
  'validate',
  'reproducibility',
  'store',
  'index',
  'complete',
] as const;
export type StepName = (typeof STEPS)[number];

export interface StepRecord {
  step: string;
  status: string;
  attempt: number;
  startedAt: string | null;
  finishedAt: string | null;
  output: unknown;
}

export async function listSteps(db: Kysely<Database>, transferId: string): Promise<StepRecord[]> {
  const rows = await db.selectFrom('ingest_steps').selectAll().where('transfer_id', '=', transferId).execute();
  const order = new Map<string, number>(STEPS.map((s, i) => [s, i]));
  return rows
    .map((r) => ({
      step: r.step,
      status: r.status,
      attempt: r.attempt,
      startedAt: r.started_at ? new Date(r.started_at).toISOString() : null,
      finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
      output: r.output,
    }))
    .sort((a, b) => (order.get(a.step) ?? 99) - (order.get(b.step) ?? 99));
}

export interface StepResult<T> {
  output: T;
  /** Writes the step's effects; runs in the same transaction as the `done` mark. */
  write?: (trx: Transaction<Database>) => Promise<void>;
}

/**
 * The current run's fence (jobs/leases.ts `Lease.fence`), set by processTransfer around the
 * steps; checked in each step's commit transaction. Async-context-bound, so two runs in one
 * process never see each other's.
 */
export const stepFence = new AsyncLocalStorage<(trx: Transaction<Database>) => Promise<void>>();

export async function runStep<T>(
  db: Kysely<Database>,
  transferId: string,
  step: StepName,
  compute: () => Promise<StepResult<T>>,
  afterStep?: (step: StepName) => void,
): Promise<T> {
  const existing = await db
    .selectFrom('ingest_steps')
    .select(['status', 'output'])
    .where('transfer_id', '=', transferId)
    .where('step', '=', step)
    .executeTakeFirst();
  if (existing?.status === 'done') return existing.output as T;
  await db
    .insertInto('ingest_steps')
    .values({ transfer_id: transferId, step, status: 'running', attempt: 1, started_at: new Date(), output: null, error: null })
    .onConflict((oc) =>
      oc.columns(['transfer_id', 'step']).doUpdateSet((eb) => ({
        status: 'running',
        attempt: eb('ingest_steps.attempt', '+', 1),
        started_at: new Date(),
        error: null,
      })),
    )
    .execute();
  let result: StepResult<T>;
  try {
    result = await compute();
  } catch (error) {
    await db
      .updateTable('ingest_steps')
      .set({ status: 'failed', finished_at: new Date(), error: JSON.stringify({ message: sanitiseText(error instanceof Error ? error.message : String(error), 1000) }) })
      .where('transfer_id', '=', transferId)
      .where('step', '=', step)
      .execute();
    throw error;
  }
  await db.transaction().execute(async (trx) => {
    // Only while this run still holds the transfer (claim.ts): a holder declared dead that comes
    // back cannot commit a step over its successor's.
    await stepFence.getStore()?.(trx);
    await result.write?.(trx);
    await trx
      .updateTable('ingest_steps')
      .set({ status: 'done', finished_at: new Date(), output: JSON.stringify(sanitiseDeep(result.output ?? null)) })
      .where('transfer_id', '=', transferId)
      .where('step', '=', step)
      .execute();
  });
  afterStep?.(step);
  return result.output;
}
