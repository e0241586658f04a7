// The sweep of expired certified-copy packages (issue 13). A package's link runs out after
// LINK_DAYS; from then on nobody may download it (410 naming the expiry), so its ZIP — copies of
// documents with the requester's name on every page — is not kept in the data folder: the
// sweep removes the file, marks the package row `removed_at` (the request keeps its number,
// what was made and until when) and writes one audit event per package. Requests whose copies
// nobody downloaded become `expired` (requests.service expireRequests) in the same pass.
//
// It runs as a job of the ordinary queue (jobs/: graphile-worker on a PostgreSQL server,
// in-process on the embedded catalog), every hour at the hour; the job enqueues its successor
// under a key made of that hour, so several servers and workers enqueue each sweep once, and a
// sweep run twice finds nothing left the second time (the row is claimed in a transaction).
import { rm } from 'node:fs/promises';
import { sql, type Kysely } from 'kysely';
import { recordAudit, SYSTEM_ACTOR } from '../audit/audit.service';
import type { Config } from '../common/config';
import { logger as rootLogger, type Logger } from '../common/logger';
import type { Database } from '../database/database';
import { jobQueueFor, type JobDefinition, type RunningWorker } from '../jobs';
import { packageFile } from './copies.service';
import { expireRequests } from './requests.service';

export const PACKAGE_SWEEP_JOB_NAME = 'research.package-sweep';
const HOUR_MS = 3_600_000;

export interface SweepDeps {
  db: Kysely<Database>;
  /** The data folder holding research/packages/. */
  dataDir: string;
  logger?: Logger;
}

export interface SweptPackage {
  packageId: string;
  requestId: string;
  number: string;
  expiresAt: string;
}

export interface SweepResult {
  /** Requests that became expired (copies made, link ran out, never downloaded). */
  expiredRequests: number;
  /** Packages whose files were removed in this pass. */
  removed: SweptPackage[];
}

/** One pass: expire the requests whose link ran out, remove every expired package's file. */
export async function sweepExpiredPackages(deps: SweepDeps, now = new Date()): Promise<SweepResult> {
  const expiredRequests = await expireRequests(deps.db, now);
  const due = await deps.db
    .selectFrom('research_packages')
    .select(['id'])
    .where('expires_at', '<=', now)
    .where('removed_at', 'is', null)
    .orderBy('expires_at')
    .execute();
  const removed: SweptPackage[] = [];
  for (const { id } of due) {
    const swept = await deps.db.transaction().execute(async (trx) => {
      // Claimed under the row lock: a second sweeper (another server) skips it.
      const { rows } = await sql<{ id: string; request_id: string; expires_at: Date; file_name: string; sha256: string; downloads: number }>`
        SELECT id, request_id, expires_at, file_name, sha256, downloads FROM research_packages
        WHERE id = ${id} AND removed_at IS NULL AND expires_at <= ${now} FOR UPDATE`.execute(trx);
      const pkg = rows[0];
      if (!pkg) return null;
      const request = await trx.selectFrom('research_requests').select(['number', 'status']).where('id', '=', pkg.request_id).executeTakeFirstOrThrow();
      // The file goes before the commit: if removing fails the row stays unswept and the next
      // pass tries again; if the commit fails after it, the next pass finds no file and marks it.
      const file = packageFile(deps.dataDir, pkg.id);
      await rm(file, { force: true });
      await trx.updateTable('research_packages').set({ removed_at: now }).where('id', '=', pkg.id).execute();
      const expiresAt = new Date(pkg.expires_at).toISOString();
      await recordAudit(trx, {
        actor: SYSTEM_ACTOR,
        action: 'research_package.sweep',
        objectType: 'research_request',
        objectId: pkg.request_id,
        details: { number: request.number, status: request.status, package: pkg.id, filename: pkg.file_name, sha256: pkg.sha256, expiresAt, downloads: pkg.downloads },
      });
      return { packageId: pkg.id, requestId: pkg.request_id, number: request.number, expiresAt };
    });
    if (swept) removed.push(swept);
  }
  return { expiredRequests, removed };
}

/** The start of the next whole hour after `now`: every server names the same slot. */
export function nextSweepAt(now: Date): Date {
  return new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS);
}

type QueueDeps = SweepDeps & { config: Pick<Config, 'databaseUrl' | 'jobStaleSeconds'> };

/** The sweep as a job of the queue; it enqueues its successor for the next hour. */
export function packageSweepJob(deps: QueueDeps): JobDefinition<Record<string, never>> {
  const job: JobDefinition<Record<string, never>> = {
    name: PACKAGE_SWEEP_JOB_NAME,
    maxAttempts: 3,
    async run(_payload, ctx) {
      try {
        const result = await sweepExpiredPackages(deps);
        if (result.removed.length || result.expiredRequests) {
          (deps.logger ?? rootLogger()).info({ removed: result.removed.length, expiredRequests: result.expiredRequests }, 'expired copy packages swept');
        }
      } finally {
        // Whatever happened, the next sweep is due at the next hour.
        if (!ctx.signal.aborted) await enqueueSweep(deps, job, nextSweepAt(new Date()));
      }
    },
  };
  return job;
}

async function enqueueSweep(deps: QueueDeps, job: JobDefinition<Record<string, never>>, at: Date): Promise<void> {
  await jobQueueFor(deps).enqueue(job, {}, { key: `package-sweep:${at.toISOString()}`, runAt: at });
}

export interface PackageSweeper {
  /** Resolves when this process stops working the sweep (after stop(), or at once when `once`). */
  done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Server (or worker) start: a sweep now — packages that expired while nothing ran go at once —
 * and this process works the sweep job from then on.
 */
export async function startPackageSweeper(deps: QueueDeps, options: { once?: boolean } = {}): Promise<PackageSweeper> {
  const job = packageSweepJob(deps);
  // Keyed by the hour, so servers starting together enqueue this first sweep once.
  await enqueueSweep(deps, job, new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS));
  // `once` (muragat worker --once): the sweep due now, then stop.
  const running: RunningWorker = await jobQueueFor(deps).work([job], { once: options.once === true });
  return { done: running.done, stop: () => running.stop() };
}
