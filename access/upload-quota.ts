// Upload quotas per user (MURAGAT_UPLOAD_INFLIGHT_MAX_BYTES, MURAGAT_UPLOAD_DAILY_MAX_BYTES):
// an announcement reserves quarantine disk and the pipeline's time, so one account cannot
// announce without bound. Two measures:
// - in flight: bytes of the user's uploads announced and not completed, counting those touched
//   in the last 24 hours (an abandoned upload stops counting after a day and is removed by the
//   weekly sweep);
// - per day: bytes announced in the last 24 hours (rolling), read from the audit log's
//   transfer.upload_start events, which no one can make forget an announcement.
// An announcement that could never fit answers 413; one that does not fit now answers 429,
// with Retry-After when waiting helps (the daily window moves on).
// Both are read from the catalog (the uploads table, the audit log) by indexed queries, and the
// check and the announcement it admits run in one transaction under a per-user advisory lock:
// two API processes (or two requests in one) never both fit under the same remaining quota.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../database/database';
import type { Config } from '../common/config';
import { PayloadTooLargeError, TooManyRequestsError } from '../common/errors';
import { inFlightBytes } from '../ingest/intake/uploads.repository';
import { announcementsSince } from './access.repository';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface UploadQuotaDeps {
  db: Kysely<Database>;
  config: Pick<Config, 'dataDir' | 'uploadQuota' | 'transferMaxBytes'>;
  now?: () => Date;
}

export interface UploadUsage {
  inFlightBytes: number;
  /** Announcements of the last 24 hours, oldest first. */
  announced: { at: Date; size: number }[];
}

export function createUploadQuota(deps: UploadQuotaDeps) {
  const now = deps.now ?? (() => new Date());
  const limits = deps.config.uploadQuota;
  // Requests of one user in this process queue here first, so they wait in memory rather than
  // each holding a database connection while it waits for the lock.
  const queues = new Map<string, Promise<unknown>>();

  async function usage(userId: string, db: Kysely<Database> = deps.db): Promise<UploadUsage> {
    const since = new Date(now().getTime() - DAY_MS);
    return {
      inFlightBytes: await inFlightBytes(db, userId, since),
      announced: await announcementsSince(db, userId, since),
    };
  }

  /** Throws 413/429 unless `size` more bytes fit the user's quotas now. */
  function check(size: number, use: UploadUsage, at: Date): void {
    const ceiling = Math.min(limits.inFlightBytes, limits.dailyBytes);
    if (size > ceiling) {
      throw new PayloadTooLargeError('upload.quota_too_large', 'server.upload_quota_too_large', { size, limit: ceiling }, { size, limit: ceiling });
    }
    if (use.inFlightBytes + size > limits.inFlightBytes) {
      throw new TooManyRequestsError(
        'upload.quota_in_flight',
        'server.upload_quota_in_flight',
        { size, inFlight: use.inFlightBytes, limit: limits.inFlightBytes },
        { size, inFlight: use.inFlightBytes, limit: limits.inFlightBytes },
      );
    }
    const used = use.announced.reduce((sum, a) => sum + a.size, 0);
    if (used + size > limits.dailyBytes) {
      // The earliest moment enough of the window's announcements have aged out.
      let remaining = used;
      let freeAt = at.getTime() + DAY_MS;
      for (const a of use.announced) {
        remaining -= a.size;
        if (remaining + size <= limits.dailyBytes) {
          freeAt = a.at.getTime() + DAY_MS;
          break;
        }
      }
      const retryAfterSeconds = Math.max(1, Math.ceil((freeAt - at.getTime()) / 1000));
      throw new TooManyRequestsError(
        'upload.quota_daily',
        'server.upload_quota_daily',
        { size, used, limit: limits.dailyBytes, retryAfterSeconds },
        { size, used, limit: limits.dailyBytes, retryAfterSeconds },
      );
    }
  }

  return {
    usage,

    /**
     * Runs `announce` if `size` bytes fit the user's quotas, refusing with 413/429 otherwise.
     * `announce` gets the transaction holding the user's lock and must write through it (on the
     * embedded catalog another connection would wait for this transaction forever).
     */
    async admit<T>(userId: string | null, size: number, announce: (db: Kysely<Database>) => Promise<T>): Promise<T> {
      // The local operator (no account) is not an uploader over HTTP and has no quota.
      // A package over the transfer limit is refused by the announcement itself, naming that
      // limit (ingest.transfer_too_large): the more fundamental answer than a quota.
      if (userId === null || size > deps.config.transferMaxBytes) return announce(deps.db);
      const key = userId;
      const previous = queues.get(key) ?? Promise.resolve();
      const run = previous.catch(() => undefined).then(() =>
        deps.db.transaction().execute(async (trx) => {
          // Held to the commit, so the next check (any process) sees this announcement.
          await sql`SELECT pg_advisory_xact_lock(hashtext('muragat.upload_quota'), hashtext(${key}))`.execute(trx);
          check(size, await usage(key, trx), now());
          return announce(trx);
        }),
      );
      queues.set(key, run);
      try {
        return await run;
      } finally {
        if (queues.get(key) === run) queues.delete(key);
      }
    },
  };
}

export type UploadQuota = ReturnType<typeof createUploadQuota>;
