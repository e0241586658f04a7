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
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../database/database';
import type { Config } from '../common/config';
import { PayloadTooLargeError, TooManyRequestsError } from '../common/errors';
import { uploadsDir } from '../ingest/intake/uploads.service';
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

interface UploadRecordShape {
  size?: unknown;
  createdAt?: unknown;
  createdBy?: { userId?: unknown };
  transferId?: unknown;
}

export function createUploadQuota(deps: UploadQuotaDeps) {
  const now = deps.now ?? (() => new Date());
  const limits = deps.config.uploadQuota;
  // Check and announcement of one user run one at a time in this process, so two parallel
  // announcements cannot both fit under the same remaining quota.
  const queues = new Map<string, Promise<unknown>>();

  async function inFlight(userId: string, at: Date): Promise<number> {
    const dir = uploadsDir(deps.config);
    const names = await readdir(dir).catch(() => [] as string[]);
    let total = 0;
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const record = JSON.parse((await readFile(path.join(dir, name), 'utf8').catch(() => 'null')) || 'null') as UploadRecordShape | null;
      if (!record || record.createdBy?.userId !== userId || record.transferId || typeof record.size !== 'number') continue;
      const part = await stat(path.join(dir, name.replace(/\.json$/, '.part'))).catch(() => null);
      if (!part) continue;
      const created = typeof record.createdAt === 'string' ? Date.parse(record.createdAt) : 0;
      const touched = Math.max(part.mtimeMs, Number.isFinite(created) ? created : 0);
      if (at.getTime() - touched <= DAY_MS) total += record.size;
    }
    return total;
  }

  async function usage(userId: string): Promise<UploadUsage> {
    const at = now();
    return {
      inFlightBytes: await inFlight(userId, at),
      announced: await announcementsSince(deps.db, userId, new Date(at.getTime() - DAY_MS)),
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

    /** Runs `announce` if `size` bytes fit the user's quotas, refusing with 413/429 otherwise. */
    async admit<T>(userId: string | null, size: number, announce: () => Promise<T>): Promise<T> {
      // The local operator (no account) is not an uploader over HTTP and has no quota.
      // A package over the transfer limit is refused by the announcement itself, naming that
      // limit (ingest.transfer_too_large): the more fundamental answer than a quota.
      if (userId === null || size > deps.config.transferMaxBytes) return announce();
      const key = userId;
      const previous = queues.get(key) ?? Promise.resolve();
      const run = previous.catch(() => undefined).then(async () => {
        check(size, await usage(key), now());
        return announce();
      });
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
