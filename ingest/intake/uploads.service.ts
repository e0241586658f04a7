// Resumable uploads of transfer packages. A client announces the package (name, size,
// optional SHA-256), sends it in pieces that each start where the stored bytes end, asks how
// far the server got after an interruption, and completes it: only then is the package hashed
// and handed to the pipeline (receiveTransfer). Bytes in flight live in the quarantine area
// `$MURAGAT_DATA_DIR/uploads/<id>.part`; the upload's description is a row of the catalog's
// `transfer_uploads` (uploads.repository.ts), so an upload survives a server restart, works with
// several API processes on one volume, and a user's unfinished uploads are one query (the quota
// check, access/upload-quota.ts). Descriptions written as `<id>.json` files by earlier versions
// are imported into the table once, the first time the service is used.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../database/database';
import { recordAudit, type Actor } from '../../audit/audit.service';
import type { Config } from '../../common/config';
import { ConflictError, ForbiddenError, NotFoundError, PayloadTooLargeError, ValidationError } from '../../common/errors';
import { logger } from '../../common/logger';
import { completeUpload, deleteUpload, findUpload, insertUpload, staleUploads, touchUpload, uploadIds, type UploadRecord } from './uploads.repository';

export interface UploadView {
  id: string;
  filename: string;
  size: number;
  /** Bytes stored so far: the next piece starts here. */
  offset: number;
  sha256: string | null;
  createdAt: string;
  createdBy: string;
  /** Set once completed: the transfer the package became. */
  transferId: string | null;
}

export interface UploadsDeps {
  db: Kysely<Database>;
  config: Pick<Config, 'dataDir' | 'transferMaxBytes'>;
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHA256 = /^[0-9a-f]{64}$/;
/** Uploads nobody touched for this long are removed by `removeStaleUploads`. */
export const STALE_UPLOAD_MS = 7 * 24 * 60 * 60 * 1000;

export function uploadsDir(config: Pick<Config, 'dataDir'>): string {
  return path.join(config.dataDir, 'uploads');
}

/** Archivists see every upload; anyone else only their own. */
function mayUse(actor: Actor, record: UploadRecord): boolean {
  return actor.roles.includes('archivist') || (record.createdBy.userId !== null && record.createdBy.userId === actor.userId);
}

export function createUploadsService(deps: UploadsDeps) {
  const dir = uploadsDir(deps.config);
  const partPath = (id: string) => path.join(dir, `${id}.part`);
  // One writer per upload inside this process; other processes are kept honest by the offset check.
  const busy = new Set<string>();
  let imported: Promise<void> | undefined;
  const ready = () => (imported ??= importRecordFiles(deps.db, dir));

  async function load(actor: Actor, id: string): Promise<UploadRecord> {
    if (!ID.test(id)) throw new NotFoundError('ingest.upload_not_found', 'ingest.upload_not_found', { id });
    await ready();
    const record = await findUpload(deps.db, id);
    if (!record) throw new NotFoundError('ingest.upload_not_found', 'ingest.upload_not_found', { id });
    if (!mayUse(actor, record)) throw new ForbiddenError('ingest.upload_not_yours', 'ingest.upload_not_yours', { id });
    return record;
  }

  async function storedBytes(id: string): Promise<number> {
    return (await stat(partPath(id)).catch(() => null))?.size ?? 0;
  }

  async function view(record: UploadRecord): Promise<UploadView> {
    return {
      id: record.id,
      filename: record.filename,
      size: record.size,
      offset: record.transferId ? record.size : await storedBytes(record.id),
      sha256: record.sha256,
      createdAt: record.createdAt,
      createdBy: record.createdBy.username,
      transferId: record.transferId,
    };
  }

  function tooLarge(size: number): PayloadTooLargeError {
    const limit = deps.config.transferMaxBytes;
    return new PayloadTooLargeError('ingest.transfer_too_large', 'ingest.transfer_too_large', { size, limit }, { size, limit });
  }

  return {
    /** Imports upload descriptions left as files by earlier versions (done once, on first use). */
    ready,

    /**
     * Announces an upload. `db` is the transaction of the quota check (access/upload-quota.ts),
     * so the check and the announcement it admits commit together.
     */
    async start(actor: Actor, input: { filename: string; size: number; sha256?: string | null }, db: Kysely<Database> = deps.db): Promise<UploadView> {
      const filename = path.basename(input.filename.replace(/\\/g, '/')).trim();
      if (!filename || /[\u0000-\u001f]/.test(filename)) {
        throw new ValidationError('ingest.upload_bad_name', 'ingest.upload_bad_name', { name: input.filename });
      }
      if (!Number.isSafeInteger(input.size) || input.size <= 0) {
        throw new ValidationError('ingest.upload_bad_size', 'ingest.upload_bad_size', { size: String(input.size) });
      }
      if (input.size > deps.config.transferMaxBytes) throw tooLarge(input.size);
      const sha256 = input.sha256 ? input.sha256.toLowerCase() : null;
      if (sha256 !== null && !SHA256.test(sha256)) throw new ValidationError('ingest.upload_bad_sha256', 'ingest.upload_bad_sha256', { value: input.sha256 ?? '' });
      const record: UploadRecord = {
        id: randomUUID(),
        filename,
        size: input.size,
        sha256,
        createdAt: new Date().toISOString(),
        createdBy: { userId: actor.userId, username: actor.username },
        transferId: null,
      };
      await mkdir(dir, { recursive: true });
      await ready();
      await writeFile(partPath(record.id), new Uint8Array(0));
      await insertUpload(db, record);
      await recordAudit(db, {
        actor,
        action: 'transfer.upload_start',
        objectType: 'upload',
        objectId: record.id,
        details: { filename, size: input.size, sha256 },
      });
      return view(record);
    },

    async get(actor: Actor, id: string): Promise<UploadView> {
      return view(await load(actor, id));
    },

    /**
     * Appends one piece that must start exactly at the stored length (409 with the right
     * offset otherwise). Streams to disk; a broken connection keeps what arrived, so the client
     * resumes from GET's offset. A piece reaching past the announced size is refused whole.
     */
    async append(actor: Actor, id: string, input: { offset: number; length?: number; total?: number; body: Readable }): Promise<UploadView> {
      const record = await load(actor, id);
      if (record.transferId) throw new ConflictError('ingest.upload_completed', 'ingest.upload_completed', { id, transfer: record.transferId });
      if (input.total !== undefined && input.total !== record.size) {
        throw new ValidationError('ingest.upload_size_changed', 'ingest.upload_size_changed', { total: input.total, size: record.size });
      }
      const limit = Math.min(record.size, deps.config.transferMaxBytes);
      if (input.length !== undefined && input.offset + input.length > limit) {
        throw input.offset + input.length > deps.config.transferMaxBytes ? tooLarge(input.offset + input.length) : new ValidationError('ingest.upload_past_end', 'ingest.upload_past_end', { end: input.offset + input.length, size: record.size });
      }
      if (busy.has(id)) throw new ConflictError('ingest.upload_busy', 'ingest.upload_busy', { id });
      busy.add(id);
      try {
        const have = await storedBytes(id);
        if (input.offset !== have) {
          throw new ConflictError('ingest.upload_offset_mismatch', 'ingest.upload_offset_mismatch', { offset: input.offset, expected: have }, { offset: have, size: record.size });
        }
        let written = 0;
        let overflow = false;
        const guard = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            written += chunk.length;
            if (have + written > limit) {
              overflow = true;
              cb(new Error('upload piece past the announced size'));
              return;
            }
            cb(null, chunk);
          },
        });
        try {
          await pipeline(input.body, guard, createWriteStream(partPath(id), { flags: 'a' }));
        } catch (error) {
          if (overflow) {
            // Nothing of a refused piece stays.
            await truncate(partPath(id), have);
            if (have + written > deps.config.transferMaxBytes) throw tooLarge(have + written);
            throw new ValidationError('ingest.upload_past_end', 'ingest.upload_past_end', { end: have + written, size: record.size });
          }
          const code = (error as NodeJS.ErrnoException).code;
          // Disk trouble is the server's; a dropped connection is the client's to resume.
          if (code && code !== 'ECONNRESET' && code !== 'ERR_STREAM_PREMATURE_CLOSE' && code !== 'ECONNABORTED') throw error;
          const now = await storedBytes(id);
          if (now > have) await touchUpload(deps.db, id);
          throw new ValidationError('ingest.upload_piece_short', 'ingest.upload_piece_short', { expected: input.length ?? now - have, received: now - have }, { offset: now, size: record.size });
        }
        await touchUpload(deps.db, id);
        if (input.length !== undefined && written !== input.length) {
          // The connection ended early; what arrived is kept and the client resumes from it.
          throw new ValidationError('ingest.upload_piece_short', 'ingest.upload_piece_short', { expected: input.length, received: written }, { offset: have + written, size: record.size });
        }
        return view(record);
      } finally {
        busy.delete(id);
      }
    },

    /**
     * The stored bytes of a fully received, not yet completed upload, for a check that reads
     * them without consuming the upload (a transfer prepared in the browser is checked, then
     * corrected and completed from the same bytes). 409 while bytes are missing.
     */
    async received(actor: Actor, id: string): Promise<{ path: string; filename: string; size: number }> {
      const record = await load(actor, id);
      if (record.transferId) throw new ConflictError('ingest.upload_completed', 'ingest.upload_completed', { id, transfer: record.transferId });
      const have = await storedBytes(id);
      if (have !== record.size) throw new ConflictError('ingest.upload_incomplete', 'ingest.upload_incomplete', { offset: have, size: record.size }, { offset: have, size: record.size });
      return { path: partPath(id), filename: record.filename, size: record.size };
    },

    /**
     * Checks that every byte arrived (and the SHA-256 if one was announced), then hands the
     * package to `receive` (the pipeline's receiveTransfer). Completing twice returns the same
     * transfer.
     */
    async complete(actor: Actor, id: string, receive: (input: { tarPath: string; sourceName: string; actor: Actor }) => Promise<string>): Promise<{ transferId: string; sha256: string; size: number }> {
      const record = await load(actor, id);
      if (record.transferId) return { transferId: record.transferId, sha256: record.sha256 ?? '', size: record.size };
      if (busy.has(id)) throw new ConflictError('ingest.upload_busy', 'ingest.upload_busy', { id });
      busy.add(id);
      try {
        const have = await storedBytes(id);
        if (have !== record.size) {
          throw new ConflictError('ingest.upload_incomplete', 'ingest.upload_incomplete', { offset: have, size: record.size }, { offset: have, size: record.size });
        }
        const hash = createHash('sha256');
        await pipeline(createReadStream(partPath(id)), async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) hash.update(chunk);
        });
        const sha256 = hash.digest('hex');
        if (record.sha256 && record.sha256 !== sha256) {
          // The bytes are not the announced package; they are of no use to anyone.
          await rm(partPath(id), { force: true });
          await writeFile(partPath(id), new Uint8Array(0));
          await recordAudit(deps.db, { actor, action: 'transfer.upload_refuse', objectType: 'upload', objectId: id, details: { expected: record.sha256, actual: sha256 } });
          throw new ValidationError('ingest.upload_sha256_mismatch', 'ingest.upload_sha256_mismatch', { expected: record.sha256, actual: sha256 }, { offset: 0, size: record.size });
        }
        const transferId = await receive({ tarPath: partPath(id), sourceName: record.filename, actor });
        await completeUpload(deps.db, id, transferId, sha256);
        await rm(partPath(id), { force: true });
        return { transferId, sha256, size: record.size };
      } finally {
        busy.delete(id);
      }
    },

    /**
     * Removes uploads untouched for `maxAgeMs` (abandoned or long completed), and `.part` files
     * no upload describes (an announcement whose transaction did not commit) of the same age.
     */
    async removeStale(maxAgeMs = STALE_UPLOAD_MS, now = new Date()): Promise<string[]> {
      await ready();
      const before = new Date(now.getTime() - maxAgeMs);
      const removed: string[] = [];
      for (const id of await staleUploads(deps.db, before)) {
        if (busy.has(id)) continue;
        // A piece may be arriving through another process: its file is younger than the row.
        const part = await stat(partPath(id)).catch(() => null);
        if (part && part.mtimeMs > before.getTime()) continue;
        await rm(partPath(id), { force: true });
        await deleteUpload(deps.db, id);
        removed.push(id);
      }
      const orphans = (await readdir(dir).catch(() => [] as string[])).map((n) => /^(.+)\.part$/.exec(n)?.[1]).filter((id): id is string => !!id && ID.test(id));
      const known = await uploadIds(deps.db, orphans);
      for (const id of orphans) {
        if (known.has(id) || busy.has(id)) continue;
        const part = await stat(partPath(id)).catch(() => null);
        if (!part || part.mtimeMs > before.getTime()) continue;
        await rm(partPath(id), { force: true });
        removed.push(id);
      }
      return removed;
    },
  };
}

export type UploadsService = ReturnType<typeof createUploadsService>;

/**
 * Earlier versions described each upload in `uploads/<id>.json`. Each such file becomes a row
 * (its last piece's time from the `.part` file) and is removed; a file that cannot be read is
 * left where it is and logged. Safe to run in several processes at once (insert-or-keep).
 */
async function importRecordFiles(db: Kysely<Database>, dir: string): Promise<void> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json') && ID.test(n.slice(0, -5)));
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      const raw = JSON.parse(await readFile(file, 'utf8')) as Partial<UploadRecord>;
      const id = name.slice(0, -5);
      if (typeof raw.filename !== 'string' || typeof raw.size !== 'number' || !(raw.size > 0) || typeof raw.createdBy?.username !== 'string') throw new Error('not an upload description');
      const createdAt = typeof raw.createdAt === 'string' && Number.isFinite(Date.parse(raw.createdAt)) ? new Date(raw.createdAt).toISOString() : new Date().toISOString();
      const part = await stat(path.join(dir, `${id}.part`)).catch(() => null);
      const touched = new Date(Math.max(Date.parse(createdAt), part?.mtimeMs ?? 0));
      await insertUpload(
        db,
        { id, filename: raw.filename, size: raw.size, sha256: typeof raw.sha256 === 'string' ? raw.sha256 : null, createdAt, createdBy: { userId: typeof raw.createdBy.userId === 'string' ? raw.createdBy.userId : null, username: raw.createdBy.username }, transferId: typeof raw.transferId === 'string' ? raw.transferId : null },
        touched,
      );
      await rm(file, { force: true });
    } catch (error) {
      logger().warn({ file, err: error }, 'an upload description file could not be imported; left in place');
    }
  }
}
