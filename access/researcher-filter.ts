// The SQL side of researcher access: expressions giving the view of a dossier or a stored
// document ('full' | 'metadata' | 'none') from the database functions of
// access/migrations/202612070400_access_rules.ts, and a filter that keeps lists and search
// from ever naming what a researcher may not see. Imports nothing but kysely and the pure
// rules, so the read side of ingest and search may use it without a cycle.
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { archiveToday, type ResearcherView } from './rules';

export interface ResearcherContext {
  /** The clock of the request (tests move it): lift dates are compared with its date in Kazakhstan. */
  now: Date;
  /** The researcher, whose recorded exceptions open personnel dossiers; null for none. */
  userId: string | null;
}

/** `dossiers` (or an alias of it) as a researcher sees it. */
export function dossierViewSql(ctx: ResearcherContext, table = 'dossiers'): RawBuilder<ResearcherView> {
  return sql<ResearcherView>`access_dossier_view(${sql.ref(`${table}.id`)}, ${sql.ref(`${table}.metadata`)}, ${archiveToday(ctx.now)}::date, ${ctx.userId}::uuid)`;
}

/** A row of `dossier_documents` (or an alias) as a researcher sees it: never more than its dossier. */
export function documentViewSql(ctx: ResearcherContext, table = 'dossier_documents'): RawBuilder<ResearcherView> {
  return sql<ResearcherView>`access_document_view(${sql.ref(`${table}.document_id`)}, ${sql.ref(`${table}.dossier_id`)}, ${sql.ref(`${table}.metadata`)}->'access', ${archiveToday(ctx.now)}::date, ${ctx.userId}::uuid)`;
}

/**
 * documentViewSql for a query that has already joined the document's dossier (`dossier`): the same
 * decision (access_document_view's body: the dossier's view narrowed by the document's own rule),
 * written in the query. access_document_view cannot be inlined, and the functions it calls are
 * planned again at each call (≈ 1 ms a row on the 1,000,000-document bench catalog); called from
 * the query itself they are planned once per statement (≈ 0.03 ms a row). docs/search.md.
 */
export function documentViewJoinedSql(ctx: ResearcherContext, table = 'dossier_documents', dossier = 'dossiers'): RawBuilder<ResearcherView> {
  return sql<ResearcherView>`access_narrower(${dossierViewSql(ctx, dossier)}, access_rule_view('document', ${sql.ref(`${table}.document_id`)}, ${sql.ref(`${table}.dossier_id`)}, ${sql.ref(`${table}.metadata`)}->'access', ${archiveToday(ctx.now)}::date, ${ctx.userId}::uuid))`;
}

/** True where the researcher may at least see the description. */
export function researcherSees(ctx: ResearcherContext, on: 'dossiers' | 'dossier_documents' = 'dossiers', table: string = on): Expression<SqlBool> {
  const view = on === 'dossiers' ? dossierViewSql(ctx, table) : documentViewSql(ctx, table);
  return sql<SqlBool>`${view} <> 'none'`;
}

/** True where the researcher may read the content (files, text). */
export function researcherReads(ctx: ResearcherContext, on: 'dossiers' | 'dossier_documents' = 'dossiers', table: string = on): Expression<SqlBool> {
  const view = on === 'dossiers' ? dossierViewSql(ctx, table) : documentViewSql(ctx, table);
  return sql<SqlBool>`${view} = 'full'`;
}

interface Whereable<QB> {
  where(expression: Expression<SqlBool>): QB;
}

/**
 * Narrows a query over `dossiers` (default) or `dossier_documents` to what a researcher may see:
 * `visibleToResearcher(db.selectFrom('dossiers').selectAll(), { now, userId })`. With
 * `need: 'full'` only what may be read in full (search over a document's text must use that:
 * a metadata-only document is found by its description, never by its content).
 */
export function visibleToResearcher<QB extends Whereable<QB>>(
  qb: QB,
  ctx: ResearcherContext | Date,
  options: { on?: 'dossiers' | 'dossier_documents'; table?: string; need?: 'metadata' | 'full' } = {},
): QB {
  const c = ctx instanceof Date ? { now: ctx, userId: null } : ctx;
  const on = options.on ?? 'dossiers';
  return qb.where(options.need === 'full' ? researcherReads(c, on, options.table ?? on) : researcherSees(c, on, options.table ?? on));
}
