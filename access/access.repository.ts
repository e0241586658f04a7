// The look-ups access decisions need: a user's department code, the department of a
// transfer and of a dossier. The only code of this folder touching kysely.
import type { Kysely } from 'kysely';
import type { Database } from '../database/database';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function departmentCode(db: Kysely<Database>, departmentId: string | null): Promise<string | null> {
  if (!departmentId || !UUID.test(departmentId)) return null;
  const row = await db.selectFrom('departments').select('code').where('id', '=', departmentId).executeTakeFirst();
  return row?.code ?? null;
}

export interface TransferOwner {
  id: string;
  department: string | null;
  submittedBy: string | null;
}

export async function transferOwner(db: Kysely<Database>, id: string): Promise<TransferOwner | undefined> {
  if (!UUID.test(id)) return undefined;
  const row = await db.selectFrom('transfers').select(['id', 'department', 'actor']).where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const actor = row.actor as { userId?: string | null } | null;
  return { id: row.id, department: row.department, submittedBy: actor?.userId ?? null };
}

/** The department of a dossier (its row as findDossier reads it): its transfer's, or the one its metadata names. */
export function dossierDepartment(row: { transfer_department: string | null; metadata: unknown }): string | null {
  const meta = row.metadata as { department?: { code?: unknown } } | null;
  return row.transfer_department ?? (typeof meta?.department?.code === 'string' ? meta.department.code : null);
}

/** Sizes of the transfer packages a user announced since `since`, oldest first (audit log). */
export async function announcementsSince(db: Kysely<Database>, userId: string, since: Date): Promise<{ at: Date; size: number }[]> {
  const rows = await db
    .selectFrom('audit_events')
    .select(['at', 'details'])
    .where('action', '=', 'transfer.upload_start')
    .where('actor_user_id', '=', userId)
    .where('at', '>', since)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ at: new Date(r.at), size: Number((r.details as { size?: unknown }).size) || 0 }));
}
