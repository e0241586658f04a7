// Queries on the audit log. Rows are only ever inserted; the append lock serialises writers.
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../database/database';
import type { AuditEventsTable } from './tables';

export type AuditRow = Selectable<AuditEventsTable>;
type Db = Kysely<Database> | Transaction<Database>;

/** Any constant works; it only has to be the same for every writer of the audit log. */
const AUDIT_APPEND_LOCK = 7_424_501;

export async function lockAuditAppends(trx: Transaction<Database>): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${AUDIT_APPEND_LOCK}::bigint)`.execute(trx);
}

export async function lastAuditEvent(db: Db): Promise<{ id: number; hash: string } | undefined> {
  return db.selectFrom('audit_events').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export async function insertAuditEvents(trx: Db, rows: (Omit<AuditRow, 'details'> & { details: Record<string, unknown> })[]): Promise<void> {
  if (!rows.length) return;
  await trx
    .insertInto('audit_events')
    .values(rows.map((row) => ({ ...row, details: JSON.stringify(row.details) })))
    .execute();
}

export async function countAuditEvents(db: Db): Promise<number> {
  const row = await db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Keyset page in id order, for walking the chain without holding it all in memory. */
export async function auditEventsAfter(db: Db, afterId: number, limit: number): Promise<AuditRow[]> {
  return db.selectFrom('audit_events').selectAll().where('id', '>', afterId).orderBy('id', 'asc').limit(limit).execute();
}

export interface AuditListFilter {
  limit: number;
  before?: number;
  objectType?: string;
  objectId?: string;
  action?: string;
  actorUsername?: string;
}

export async function listAuditRows(db: Db, filter: AuditListFilter): Promise<AuditRow[]> {
  return db
    .selectFrom('audit_events')
    .selectAll()
    .$if(filter.before !== undefined, (q) => q.where('id', '<', filter.before!))
    .$if(filter.objectType !== undefined, (q) => q.where('object_type', '=', filter.objectType!))
    .$if(filter.objectId !== undefined, (q) => q.where('object_id', '=', filter.objectId!))
    .$if(filter.action !== undefined, (q) => q.where('action', '=', filter.action!))
    .$if(filter.actorUsername !== undefined, (q) => q.where('actor_username', '=', filter.actorUsername!))
    .orderBy('id', 'desc')
    .limit(filter.limit)
    .execute();
}
