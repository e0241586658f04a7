// Leases: "this piece of work is mine" across processes, through the catalog. A lease is a row
// per key taken under a row lock; its holder renews a heartbeat, and a holder whose heartbeat
// stopped (killed worker, lost machine) is taken over by the next claimant — the run it left is
// recorded as abandoned and the takeover is audited. Work that commits durable results does so
// through `fence(trx)`, so a holder that lost its lease (it was declared dead while merely
// stalled) can never commit over its successor.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../database/database';
import { recordAudit, SYSTEM_ACTOR } from '../audit/audit.service';
import type { JobRunOutcome } from './tables';

/** This process, as named in leases and the worker registry. */
export const PROCESS_ID = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

export class LeaseLostError extends Error {
  constructor(readonly key: string) {
    super(`lease ${key} was taken over by another worker`);
    this.name = 'LeaseLostError';
  }
}

export class JobCancelledError extends Error {
  constructor(readonly key: string) {
    super(`job ${key} was cancelled`);
    this.name = 'JobCancelledError';
  }
}

export interface LeaseTiming {
  /** A heartbeat older than this means the holder is gone. */
  staleMs: number;
  /** How often the holder renews its heartbeat (and reports progress). */
  heartbeatMs: number;
}

export const DEFAULT_LEASE_TIMING: LeaseTiming = { staleMs: 30_000, heartbeatMs: 5_000 };

export interface LeaseOptions {
  timing?: LeaseTiming;
  /**
   * The embedded catalog is opened by one process at a time, so a lease left by another
   * process there is stale whatever its heartbeat says.
   */
  embedded?: boolean;
  /** What the lease is about, for the audit event of a takeover. */
  subject?: { type: string; id: string };
  /** The queue's attempt number, recorded with the run. */
  attempt?: number;
}

export interface Lease {
  readonly key: string;
  readonly runId: string;
  readonly owner: string;
  /** Aborted when the lease is lost or cancellation is requested; the reason says which. */
  readonly signal: AbortSignal;
  /** Whether this claim took over a dead holder's lease. */
  readonly tookOver: boolean;
  /** Throws LeaseLostError (inside the caller's transaction) unless the lease is still ours. */
  fence(trx: Transaction<Database>): Promise<void>;
  /** Latest progress, written with the next heartbeat. */
  progress(value: unknown): void;
  /** Gives the lease up and records how the run ended. */
  release(outcome: JobRunOutcome, error?: string): Promise<void>;
}

export type Claim = { acquired: true; lease: Lease } | { acquired: false; owner: string };

interface LeaseRow {
  owner: string;
  run_id: string;
  stale: boolean;
}

/** Tries once to take the lease for `key`; a live holder's lease is left alone. */
export async function tryAcquireLease(db: Kysely<Database>, key: string, options: LeaseOptions = {}): Promise<Claim> {
  const timing = options.timing ?? DEFAULT_LEASE_TIMING;
  const token = randomUUID();
  const runId = randomUUID();
  const taken = await db.transaction().execute(async (trx) => {
    for (;;) {
      const { rows } = await sql<LeaseRow>`
        SELECT owner, run_id, heartbeat_at < now() - make_interval(secs => ${timing.staleMs / 1000}) AS stale
        FROM job_leases WHERE key = ${key} FOR UPDATE`.execute(trx);
      const row = rows[0];
      if (!row) {
        const inserted = await trx
          .insertInto('job_leases')
          .values({ key, token, owner: PROCESS_ID, run_id: runId })
          .onConflict((oc) => oc.column('key').doNothing())
          .returning('key')
          .executeTakeFirst();
        // A concurrent claimant inserted first: read its row under the lock instead.
        if (!inserted) continue;
        await trx.insertInto('job_runs').values({ id: runId, key, owner: PROCESS_ID, attempt: options.attempt ?? 1 }).execute();
        return { tookOver: false as boolean, owner: undefined };
      }
      const foreignEmbedded = !!options.embedded && row.owner !== PROCESS_ID;
      if (!row.stale && !foreignEmbedded) return { tookOver: false, owner: row.owner };
      await trx
        .updateTable('job_leases')
        .set((eb) => ({ token, owner: PROCESS_ID, run_id: runId, acquired_at: sql`now()`, heartbeat_at: sql`now()`, takeovers: eb('takeovers', '+', 1), cancel_requested: false }))
        .where('key', '=', key)
        .execute();
      await trx
        .updateTable('job_runs')
        .set({ outcome: 'abandoned', finished_at: sql`now()` as never, error: 'worker stopped' })
        .where('id', '=', row.run_id)
        .where('outcome', 'is', null)
        .execute();
      await trx.insertInto('job_runs').values({ id: runId, key, owner: PROCESS_ID, attempt: options.attempt ?? 1 }).execute();
      await recordAudit(trx, {
        actor: SYSTEM_ACTOR,
        action: 'job.takeover',
        objectType: options.subject?.type ?? 'job',
        objectId: options.subject?.id ?? key,
        details: { key, previousOwner: row.owner, owner: PROCESS_ID },
      });
      return { tookOver: true, owner: undefined };
    }
  });
  if (taken.owner !== undefined) return { acquired: false, owner: taken.owner };
  return { acquired: true, lease: startLease(db, key, token, runId, timing, taken.tookOver) };
}

/**
 * Takes the lease for `key`, waiting while a live holder has it. Returns null when the holder
 * finished instead (`done()` says so) or the wait ran out; `onBusy` is told who holds it, once.
 */
export async function acquireLease(
  db: Kysely<Database>,
  key: string,
  options: LeaseOptions & { done?: () => Promise<boolean>; onBusy?: (owner: string) => void; waitMs?: number; pollMs?: number; signal?: AbortSignal } = {},
): Promise<Lease | null> {
  const deadline = Date.now() + (options.waitMs ?? Infinity);
  let told = false;
  for (;;) {
    // After waiting on a holder, its work may be done: then there is nothing left to claim.
    if (told && options.done && (await options.done())) return null;
    const claim = await tryAcquireLease(db, key, options);
    if (claim.acquired) return claim.lease;
    if (!told) options.onBusy?.(claim.owner);
    told = true;
    if (Date.now() >= deadline || options.signal?.aborted) return null;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
  }
}

function startLease(db: Kysely<Database>, key: string, token: string, runId: string, timing: LeaseTiming, tookOver: boolean): Lease {
  const controller = new AbortController();
  let latest: unknown;
  let progressDirty = false;
  let released = false;
  let beating: Promise<void> = Promise.resolve();
  const beat = async () => {
    if (released || controller.signal.aborted) return;
    try {
      const progress = progressDirty ? JSON.stringify(latest ?? null) : undefined;
      progressDirty = false;
      const row = await db
        .updateTable('job_leases')
        .set({ heartbeat_at: sql`now()` as never, ...(progress !== undefined ? { progress } : {}) })
        .where('key', '=', key)
        .where('token', '=', token)
        .returning('cancel_requested')
        .executeTakeFirst();
      if (released) return;
      if (!row) controller.abort(new LeaseLostError(key));
      else if (row.cancel_requested) controller.abort(new JobCancelledError(key));
    } catch {
      // A missed heartbeat (database briefly away) is retried at the next tick; the lease
      // only goes to someone else after staleMs without one.
    }
  };
  const timer = setInterval(() => {
    beating = beating.then(beat);
  }, timing.heartbeatMs);
  timer.unref();
  return {
    key,
    runId,
    owner: PROCESS_ID,
    signal: controller.signal,
    tookOver,
    async fence(trx) {
      const row = await sql<{ key: string }>`SELECT key FROM job_leases WHERE key = ${key} AND token = ${token} FOR SHARE`.execute(trx);
      if (!row.rows.length) throw new LeaseLostError(key);
    },
    progress(value) {
      latest = value;
      progressDirty = true;
    },
    async release(outcome, error) {
      if (released) return;
      released = true;
      clearInterval(timer);
      await beating;
      // The run is over whatever happens here; only its record is left to write. A connection cut
      // just now (a server restart) must not leave the run "running" for good: try again, for
      // about a minute, as the database comes back.
      for (let attempt = 0, wait = 250; ; attempt++, wait = Math.min(wait * 2, 8000)) {
        try {
          await db.transaction().execute(async (trx) => {
            // Only the holder's own row: a successor's lease is not ours to drop.
            await trx.deleteFrom('job_leases').where('key', '=', key).where('token', '=', token).execute();
            await trx
              .updateTable('job_runs')
              .set({ outcome, finished_at: sql`now()` as never, error: error?.slice(0, 2000) ?? null })
              .where('id', '=', runId)
              .where('outcome', 'is', null)
              .execute();
          });
          return;
        } catch (failure) {
          if (attempt >= 10) throw failure;
          await new Promise((r) => setTimeout(r, wait));
        }
      }
    },
  };
}

/** Asks the holder of `key` to stop; it sees the request with its next heartbeat. */
export async function requestCancel(db: Kysely<Database>, key: string): Promise<boolean> {
  const r = await db.updateTable('job_leases').set({ cancel_requested: true }).where('key', '=', key).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The runs recorded for a key, oldest first (tests, the transfer page). */
export async function listRuns(db: Kysely<Database>, key: string) {
  return db.selectFrom('job_runs').selectAll().where('key', '=', key).orderBy('started_at').execute();
}
