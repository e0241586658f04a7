// What appraisal needs to know of a dossier: its catalog facts (index, heading, fonds, year,
// department, extreme dates, inventory number) and its retention in force — the period of its
// metadata, unless the expert commission changed it (appraisal_retention_changes: moved to
// permanent keeping or extended), with the earliest destruction date from the retention
// arithmetic (catalog/retention: 1 January of closing year + N + 1).
import { sql, type Kysely } from 'kysely';
import type { Database } from '../database/database';
import { assessDossiers, type DossierRetentionView } from '../catalog/retention';
import type { StoredRetention } from './tables';

export interface AppraisalDossier {
  id: string;
  index: string;
  heading: string;
  fonds: string | null;
  year: number | null;
  department: string | null;
  startDate: string | null;
  endDate: string | null;
  documentCount: number;
  inventoryNumber: string | null;
  /** The retention in force (after a commission's change). */
  retention: StoredRetention;
  /** The retention of the dossier's metadata when the commission changed it; null otherwise. */
  originalRetention: StoredRetention | null;
  /** Category, ЭПК mark, earliest destruction, from the retention in force; null when the period is unreadable. */
  assessment: DossierRetentionView | null;
}

function retentionOf(value: unknown): StoredRetention {
  const r = (value && typeof value === 'object' ? value : {}) as { kind?: unknown; years?: unknown; article?: unknown };
  const kind = r.kind === 'permanent' || r.kind === 'years' || r.kind === 'years_epk' || r.kind === 'until_needed' ? r.kind : 'years';
  return { kind, years: typeof r.years === 'number' ? r.years : null, article: typeof r.article === 'string' && r.article.trim() ? r.article.trim() : null };
}

function parseJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** The dossiers by id (all stored dossiers when `ids` is undefined), with the retention in force. */
export async function loadAppraisalDossiers(db: Kysely<Database>, ids?: string[]): Promise<AppraisalDossier[]> {
  if (ids && ids.length === 0) return [];
  let query = db.selectFrom('dossiers').select(['id', 'case_index', 'title', 'year', 'department', 'metadata']).where('status', '=', 'stored');
  if (ids) query = query.where('id', 'in', ids);
  const rows = await query.orderBy('case_index').orderBy('year').execute();
  if (rows.length === 0) return [];
  const changes = await db
    .selectFrom('appraisal_retention_changes')
    .select(['dossier_id', 'retention', 'applied_at'])
    .where('dossier_id', 'in', rows.map((r) => r.id))
    .orderBy('applied_at', 'asc')
    .execute();
  const changed = new Map<string, StoredRetention>();
  for (const c of changes) changed.set(c.dossier_id, retentionOf(parseJson(c.retention)));
  const base = rows.map((r) => {
    const meta = parseJson<Record<string, unknown>>(r.metadata) ?? {};
    const original = retentionOf(meta.retention);
    const retention = changed.get(r.id) ?? original;
    const year = r.year ?? (typeof meta.year === 'number' ? meta.year : null);
    const dept = meta.department as { code?: unknown } | undefined;
    const inventory = meta.inventory as { number?: unknown } | null | undefined;
    return {
      id: r.id,
      index: r.case_index,
      heading: r.title,
      fonds: typeof meta.fonds === 'string' ? meta.fonds : null,
      year,
      department: r.department ?? (typeof dept?.code === 'string' ? dept.code : null),
      startDate: typeof meta.startDate === 'string' ? meta.startDate : null,
      endDate: typeof meta.endDate === 'string' ? meta.endDate : null,
      documentCount: typeof meta.documentCount === 'number' ? meta.documentCount : 0,
      inventoryNumber: inventory && inventory.number !== undefined && inventory.number !== null ? String(inventory.number) : null,
      retention,
      originalRetention: changed.has(r.id) ? original : null,
    };
  });
  const assessed = await assessDossiers(
    db,
    base.map((d) => ({ id: d.id, retention: { kind: d.retention.kind, years: d.retention.years ?? undefined, article: d.retention.article ?? undefined }, year: d.year, endDate: d.endDate })),
  );
  return base.map((d) => ({ ...d, assessment: assessed.get(d.id) ?? null }));
}

/** Dossiers on acts not yet executed (draft … approved): dossier → act number and id. */
export async function dossiersOnOpenActs(db: Kysely<Database>, ids?: string[]): Promise<Map<string, { actId: string; number: string; status: string }>> {
  let query = db
    .selectFrom('destruction_act_items as i')
    .innerJoin('destruction_acts as a', 'a.id', 'i.act_id')
    .select(['i.dossier_id', 'a.id', 'a.number', 'a.act_year', 'a.status']);
  if (ids) {
    if (ids.length === 0) return new Map();
    query = query.where('i.dossier_id', 'in', ids);
  }
  const rows = await query.execute();
  return new Map(rows.map((r) => [r.dossier_id, { actId: r.id, number: `${r.number}/${r.act_year}`, status: r.status }]));
}

/** The nomenclature item number (position) of an index in the approved nomenclature of its year. */
export async function nomenclaturePositions(db: Kysely<Database>, pairs: { index: string; year: number | null }[]): Promise<Map<string, number>> {
  const years = [...new Set(pairs.map((p) => p.year).filter((y): y is number => y !== null))];
  const result = new Map<string, number>();
  if (years.length === 0) return result;
  const rows = await db
    .selectFrom('nomenclature_items as i')
    .innerJoin('nomenclature as n', 'n.id', 'i.nomenclature_id')
    .select(['n.year', 'i.case_index', sql<number>`i.position`.as('position')])
    .where('n.status', '=', 'approved')
    .where('n.year', 'in', years)
    .execute();
  for (const r of rows) result.set(`${r.year}|${r.case_index}`, Number(r.position));
  return result;
}
