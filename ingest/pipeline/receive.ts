// Receipt of a transfer package: copied into quarantine while hashed, one transfer per package.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ConflictError, PayloadTooLargeError } from '../../common/errors';
import { recordAudit, SYSTEM_ACTOR, type Actor } from '../../audit/audit.service';
import type { Problem } from '../tables';
import { problem, quarantineDir, DOCUMENT_MAX_BYTES, DOCUMENT_MAX_FILES, type IngestOptions, type IngestProgress } from './context';
import type { IngestDeps } from './tools';

/**
 * Copies the package into quarantine while hashing it. The same package received again is
 * the same transfer: an unfinished one is resumed, a finished one is not ingested twice.
 */
export async function receiveTransfer(
  deps: IngestDeps,
  input: {
    tarPath: string;
    actor?: Actor;
    options?: IngestOptions;
    onProgress?: (p: IngestProgress) => void;
    sourceName?: string;
    /**
     * The same bytes received again after their transfer ended: 'return' answers with that
     * transfer (the CLI prints its report), 'conflict' throws 409 — `transfer.duplicate_failed`
     * (failed or cancelled: the caller offers a retry) or `transfer.duplicate_accepted` — with
     * details { transferId, status } (uploads). An unfinished one is resumed either way.
     */
    duplicates?: 'return' | 'conflict';
  },
): Promise<string> {
  const actor = input.actor ?? SYSTEM_ACTOR;
  const incoming = path.join(deps.config.dataDir, 'quarantine', `incoming-${randomUUID()}.tar`);
  await mkdir(path.dirname(incoming), { recursive: true });
  const limit = deps.config.transferMaxBytes;
  const total = (await stat(input.tarPath)).size;
  const sourceName = input.sourceName ?? path.basename(input.tarPath);
  if (total > limit) {
    // Refused before copying: record why, with no bytes accepted.
    await refuseTransfer(deps, actor, sourceName, total, problem('ingest.transfer_too_large', { size: total, limit }));
    throw new PayloadTooLargeError('ingest.transfer_too_large', 'ingest.transfer_too_large', { size: total, limit });
  }
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(
    createReadStream(input.tarPath),
    new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        hash.update(chunk);
        input.onProgress?.({ step: 'receive', done: size, total });
        cb(null, chunk);
      },
    }),
    createWriteStream(incoming),
  );
  const sha256 = hash.digest('hex');
  const existing = await deps.db.selectFrom('transfers').select(['id', 'status']).where('source_sha256', '=', sha256).executeTakeFirst();
  let transferId: string;
  if (existing) {
    transferId = existing.id;
    if (input.duplicates === 'conflict' && ['completed', 'failed', 'cancelled'].includes(existing.status)) {
      await rm(incoming, { force: true });
      const code = existing.status === 'completed' ? 'transfer.duplicate_accepted' : 'transfer.duplicate_failed';
      throw new ConflictError(code, code, { id: existing.id, status: existing.status }, { transferId: existing.id, status: existing.status });
    }
  } else {
    transferId = await deps.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('transfers')
        .values({
          status: 'processing',
          source_name: sourceName,
          source_sha256: sha256,
          source_size: size,
          limits: JSON.stringify({ transferMaxBytes: limit, documentMaxBytes: DOCUMENT_MAX_BYTES, documentMaxFiles: DOCUMENT_MAX_FILES }),
          options: JSON.stringify({ acceptInvalidSignature: input.options?.acceptInvalidSignature ?? {} }),
          actor: JSON.stringify(actor),
          problems: '[]',
        })
        .onConflict((oc) => oc.column('source_sha256').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!row) return '';
      await recordAudit(trx, { actor, action: 'transfer.receive', objectType: 'transfer', objectId: row.id, details: { sha256, size, source: sourceName } });
      return row.id;
    });
    if (!transferId) {
      // A concurrent receipt of the same package won the insert.
      transferId = (await deps.db.selectFrom('transfers').select('id').where('source_sha256', '=', sha256).executeTakeFirstOrThrow()).id;
    }
  }
  const dir = quarantineDir(deps, transferId);
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, 'source.tar');
  const have = await stat(target).catch(() => null);
  const done = existing?.status === 'completed' || existing?.status === 'failed' || existing?.status === 'cancelled';
  if (!have && !done) await rename(incoming, target);
  else await rm(incoming, { force: true });
  return transferId;
}

async function refuseTransfer(deps: IngestDeps, actor: Actor, sourceName: string, size: number, why: Problem): Promise<string> {
  return deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('transfers')
      .values({ status: 'failed', source_name: sourceName, source_sha256: null, source_size: size, problems: JSON.stringify([why]), actor: JSON.stringify(actor), finished_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { actor, action: 'transfer.refuse', objectType: 'transfer', objectId: row.id, details: { code: why.code, size } });
    return row.id;
  });
}

/** Transfers interrupted or queued (worker start-up): oldest first. */
export async function unfinishedTransfers(deps: IngestDeps): Promise<string[]> {
  const rows = await deps.db.selectFrom('transfers').select('id').where('status', 'in', ['queued', 'processing']).orderBy('received_at').execute();
  return rows.map((r) => r.id);
}

/** Removes incoming copies left by a receipt killed before it finished hashing. */
export async function cleanIncoming(deps: IngestDeps): Promise<void> {
  const dir = path.join(deps.config.dataDir, 'quarantine');
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const n of names) if (n.startsWith('incoming-')) await rm(path.join(dir, n), { force: true });
}
