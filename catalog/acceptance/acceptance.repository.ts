// The only code of the acceptance of transfers touching the database.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../database/database';
import type { ActPerson, ActRetention, ActRow } from './tables';

type Db = Kysely<Database> | Transaction<Database>;

export interface TransferForAcceptance {
  id: string;
  status: string;
  department: string | null;
  year: number | null;
  source_name: string;
  actor: Record<string, unknown>;
  received_at: Date;
}

export async function lockTransfer(trx: Transaction<Database>, id: string): Promise<TransferForAcceptance | undefined> {
  return (await trx
    .selectFrom('transfers')
    .select(['id', 'status', 'department', 'year', 'source_name', 'actor', 'received_at'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()) as TransferForAcceptance | undefined;
}

export async function findDecision(db: Db, transferId: string) {
  return db
    .selectFrom('transfer_acceptances')
    .select(['id', 'transfer_id', 'decision', 'reason', 'act_id', 'schedule_row_id', 'decided_by', 'decided_by_name', 'decided_at'])
    .where('transfer_id', '=', transferId)
    .executeTakeFirst();
}

/** The act's table, one line per dossier of the transfer, as the catalog holds it now. */
export async function actRowsOf(db: Db, transferId: string): Promise<{ rows: ActRow[]; startYear: number | null; endYear: number | null }> {
  const dossiers = await db
    .selectFrom('dossiers as d')
    .select([
      'd.id',
      'd.case_index',
      'd.volume',
      'd.title',
      'd.metadata',
      sql<number>`(SELECT count(*)::int FROM dossier_documents dd WHERE dd.dossier_id = d.id)`.as('documents'),
      sql<number>`(SELECT count(*)::int FROM dossier_documents dd WHERE dd.dossier_id = d.id AND jsonb_array_length(coalesce(dd.metadata->'signatures', '[]'::jsonb)) > 0)`.as('signed'),
      sql<number>`(SELECT coalesce(sum(jsonb_array_length(coalesce(dd.metadata->'files', '[]'::jsonb)) + CASE WHEN dd.metadata->'rendition' IS NULL OR dd.metadata->'rendition' = 'null'::jsonb THEN 0 ELSE 1 END), 0)::int FROM dossier_documents dd WHERE dd.dossier_id = d.id)`.as('files'),
    ])
    .where('d.transfer_id', '=', transferId)
    .orderBy('d.case_index')
    .orderBy('d.volume')
    .execute();
  let startYear: number | null = null;
  let endYear: number | null = null;
  const rows = dossiers.map((d, i): ActRow => {
    const meta = (d.metadata ?? {}) as Record<string, unknown>;
    const start = typeof meta.startDate === 'string' ? Number(meta.startDate.slice(0, 4)) : null;
    const end = typeof meta.endDate === 'string' ? Number(meta.endDate.slice(0, 4)) : null;
    if (start && (startYear === null || start < startYear)) startYear = start;
    if (end && (endYear === null || end > endYear)) endYear = end;
    const r = meta.retention as Partial<ActRetention> | undefined;
    const retention: ActRetention | null = r?.kind ? { kind: r.kind, years: typeof r.years === 'number' ? r.years : null, article: typeof r.article === 'string' ? r.article : null } : null;
    const documents = Number(d.documents);
    const signed = Number(d.signed);
    // The dossier's own count (originals, signatures, renditions, attachments) when it has one.
    const files = typeof meta.fileCount === 'number' ? meta.fileCount : Number(d.files);
    return {
      position: i + 1,
      dossierId: d.id,
      index: d.case_index,
      volume: d.volume,
      title: d.title,
      documents,
      files,
      signed,
      unsigned: documents - signed,
      bytes: typeof meta.sizeBytes === 'number' ? meta.sizeBytes : 0,
      retention,
    };
  });
  return { rows, startYear, endYear };
}

export async function nextActNumber(trx: Transaction<Database>, actYear: number): Promise<number> {
  // Serialises numbering within a year: two acceptances at once never take the same number
  // (the unique (act_year, number) would refuse the second anyway).
  await sql`SELECT pg_advisory_xact_lock(hashtext('acceptance_acts'), ${actYear})`.execute(trx);
  const row = await trx.selectFrom('acceptance_acts').select(sql<number>`coalesce(max(number), 0)::int + 1`.as('n')).where('act_year', '=', actYear).executeTakeFirstOrThrow();
  return row.n;
}

export async function userAsPerson(db: Db, usernameOrId: string): Promise<(ActPerson & { userId: string; username: string; roles: string[]; departmentId: string | null; status: string }) | undefined> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(usernameOrId);
  const u = await db
    .selectFrom('users')
    .select(['id', 'username', 'full_name', 'position', 'roles', 'department_id', 'status'])
    .where(isUuid ? 'id' : 'username', '=', usernameOrId)
    .executeTakeFirst();
  return u ? { userId: u.id, username: u.username, name: u.full_name, position: u.position, roles: u.roles, departmentId: u.department_id, status: u.status } : undefined;
}

export async function departmentByCode(db: Db, code: string) {
  return db.selectFrom('departments').select(['id', 'code', 'name_kk', 'name_ru']).where('code', '=', code).executeTakeFirst();
}

export async function findAct(db: Db, id: string) {
  return db.selectFrom('acceptance_acts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listActRows(db: Db, filter: { limit?: number } = {}) {
  return db.selectFrom('acceptance_acts').selectAll().orderBy('created_at', 'desc').limit(Math.min(filter.limit ?? 100, 500)).execute();
}
