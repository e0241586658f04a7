// The catalog side of resumable uploads (table transfer_uploads): one row per announced
// package; the bytes live in `uploads/<id>.part` (uploads.service.ts).
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../../database/database';
import type { TransferUploadsTable } from '../tables';

export interface UploadRecord {
  id: string;
  filename: string;
  size: number;
  sha256: string | null;
  createdAt: string;
  createdBy: { userId: string | null; username: string };
  transferId: string | null;
}

type Row = Selectable<TransferUploadsTable>;

function toRecord(r: Row): UploadRecord {
  return {
    id: r.id,
    filename: r.filename,
    size: Number(r.size),
    sha256: r.sha256,
    createdAt: new Date(r.created_at).toISOString(),
    createdBy: { userId: r.created_by_user_id, username: r.created_by_username },
    transferId: r.transfer_id,
  };
}

export async function insertUpload(db: Kysely<Database>, record: UploadRecord, touchedAt?: Date): Promise<boolean> {
  const r = await db
    .insertInto('transfer_uploads')
    .values({
      id: record.id,
      filename: record.filename,
      size: record.size,
      sha256: record.sha256,
      created_at: record.createdAt,
      created_by_user_id: record.createdBy.userId,
      created_by_username: record.createdBy.username,
      transfer_id: record.transferId,
      touched_at: touchedAt ?? record.createdAt,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return !!r;
}

export async function findUpload(db: Kysely<Database>, id: string): Promise<UploadRecord | null> {
  const row = await db.selectFrom('transfer_uploads').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRecord(row) : null;
}

/** A piece arrived: the upload counts as in flight for another day. */
export async function touchUpload(db: Kysely<Database>, id: string): Promise<void> {
  await db.updateTable('transfer_uploads').set({ touched_at: sql`now()` as never }).where('id', '=', id).execute();
}

export async function completeUpload(db: Kysely<Database>, id: string, transferId: string, sha256: string): Promise<void> {
  await db.updateTable('transfer_uploads').set({ transfer_id: transferId, sha256, touched_at: sql`now()` as never }).where('id', '=', id).execute();
}

/** Uploads whose last piece (or announcement, or completion) is older than `before`. */
export async function staleUploads(db: Kysely<Database>, before: Date): Promise<string[]> {
  return (await db.selectFrom('transfer_uploads').select('id').where('touched_at', '<', before).execute()).map((r) => r.id);
}

export async function deleteUpload(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('transfer_uploads').where('id', '=', id).execute();
}

export async function uploadIds(db: Kysely<Database>, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  return new Set((await db.selectFrom('transfer_uploads').select('id').where('id', 'in', ids).execute()).map((r) => r.id));
}

/**
 * Bytes of a user's uploads announced and not completed, touched since `since` — what the
 * in-flight quota counts (access/upload-quota.ts). One indexed query.
 */
export async function inFlightBytes(db: Kysely<Database>, userId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('transfer_uploads')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('size'), sql<number>`0`).as('bytes'))
    .where('created_by_user_id', '=', userId)
    .where('transfer_id', 'is', null)
    .where('touched_at', '>=', since)
    .executeTakeFirst();
  return Number(row?.bytes ?? 0);
}
