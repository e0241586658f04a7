// Queries on the retention list versions, their articles and the version each dossier was given.
import { sql, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../../database/database';
import type { RetentionArticlesTable, RetentionDraftArticlesTable, RetentionListDraftsTable, RetentionListsTable } from './tables';

export type RetentionListRow = Selectable<RetentionListsTable> & { article_count: number };
export type RetentionArticleRow = Selectable<RetentionArticlesTable>;
type Db = Kysely<Database> | Transaction<Database>;

function withCount(db: Db) {
  return db
    .selectFrom('retention_lists')
    .selectAll('retention_lists')
    .select((eb) =>
      eb
        .selectFrom('retention_articles')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('retention_articles.list_id', '=', 'retention_lists.id')
        .as('article_count'),
    );
}

function normalise(row: Selectable<RetentionListsTable> & { article_count: number | null }): RetentionListRow {
  return { ...row, article_count: Number(row.article_count ?? 0) };
}

/** Serialises imports so two at once do not both take the same next version. */
export async function lockVersions(trx: Transaction<Database>): Promise<void> {
  await sql`LOCK TABLE retention_lists IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
}

export async function nextVersion(db: Db): Promise<number> {
  const row = await db.selectFrom('retention_lists').select(sql<number>`coalesce(max(version), 0)::int + 1`.as('next')).executeTakeFirstOrThrow();
  return Number(row.next);
}

export async function insertList(db: Db, values: Insertable<RetentionListsTable>): Promise<Selectable<RetentionListsTable>> {
  return db.insertInto('retention_lists').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function insertArticles(db: Db, rows: Insertable<RetentionArticlesTable>[]): Promise<void> {
  // Batches keep each statement under the parameter limit (9 columns × 500 rows).
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('retention_articles').values(rows.slice(i, i + 500)).execute();
}

export async function listVersions(db: Db): Promise<RetentionListRow[]> {
  return (await withCount(db).orderBy('version', 'desc').execute()).map(normalise);
}

/** The given version, or the latest when none is given. */
export async function findList(db: Db, version?: number): Promise<RetentionListRow | undefined> {
  const query = version === undefined ? withCount(db).orderBy('version', 'desc').limit(1) : withCount(db).where('version', '=', version);
  const row = await query.executeTakeFirst();
  return row ? normalise(row) : undefined;
}

export async function listArticles(db: Db, listId: string): Promise<RetentionArticleRow[]> {
  return db.selectFrom('retention_articles').selectAll().where('list_id', '=', listId).orderBy('position').execute();
}

export async function findArticle(db: Db, listId: string, article: string): Promise<RetentionArticleRow | undefined> {
  return db
    .selectFrom('retention_articles')
    .selectAll()
    .where('list_id', '=', listId)
    .where(sql<boolean>`lower(article) = lower(${article})`)
    .executeTakeFirst();
}

export async function findDossierList(db: Db, dossierId: string): Promise<RetentionListRow | undefined> {
  const row = await withCount(db)
    .innerJoin('dossier_retention_lists', 'dossier_retention_lists.list_id', 'retention_lists.id')
    .where('dossier_retention_lists.dossier_id', '=', dossierId)
    .executeTakeFirst();
  return row ? normalise(row) : undefined;
}

// ---- the draft (one at a time) ------------------------------------------------------------

export type RetentionDraftRow = Selectable<RetentionListDraftsTable>;
export type RetentionDraftArticleRow = Selectable<RetentionDraftArticlesTable>;

export async function findDraft(db: Db): Promise<RetentionDraftRow | undefined> {
  return db.selectFrom('retention_list_drafts').selectAll().executeTakeFirst();
}

/** The draft, locked until the transaction ends, so edits and publishing take turns. */
export async function lockDraft(trx: Transaction<Database>): Promise<RetentionDraftRow | undefined> {
  return trx.selectFrom('retention_list_drafts').selectAll().forUpdate().executeTakeFirst();
}

export async function insertDraft(db: Db, values: Insertable<RetentionListDraftsTable>): Promise<RetentionDraftRow> {
  return db.insertInto('retention_list_drafts').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function touchDraft(db: Db, id: string, values: { updated_by: string; title?: string; source_format?: 'csv' | 'json' | 'editor' }): Promise<RetentionDraftRow> {
  return db
    .updateTable('retention_list_drafts')
    .set({ ...values, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteDraft(db: Db, id: string): Promise<void> {
  await db.deleteFrom('retention_list_drafts').where('id', '=', id).execute();
}

export async function insertDraftArticles(db: Db, rows: Insertable<RetentionDraftArticlesTable>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('retention_draft_articles').values(rows.slice(i, i + 500)).execute();
}

export async function listDraftArticles(db: Db, draftId: string): Promise<RetentionDraftArticleRow[]> {
  return db.selectFrom('retention_draft_articles').selectAll().where('draft_id', '=', draftId).orderBy('position').orderBy('id').execute();
}

export async function findDraftArticle(db: Db, draftId: string, id: string): Promise<RetentionDraftArticleRow | undefined> {
  return db.selectFrom('retention_draft_articles').selectAll().where('draft_id', '=', draftId).where('id', '=', id).executeTakeFirst();
}

/** Another article of the draft with the same number (case aside), if any. */
export async function findDraftArticleByNumber(db: Db, draftId: string, article: string, exceptId?: string): Promise<RetentionDraftArticleRow | undefined> {
  let q = db.selectFrom('retention_draft_articles').selectAll().where('draft_id', '=', draftId).where(sql<boolean>`lower(article) = lower(${article})`);
  if (exceptId) q = q.where('id', '<>', exceptId);
  return q.executeTakeFirst();
}

export async function nextDraftPosition(db: Db, draftId: string): Promise<number> {
  const row = await db
    .selectFrom('retention_draft_articles')
    .select(sql<number>`coalesce(max(position), 0)::int + 1`.as('next'))
    .where('draft_id', '=', draftId)
    .executeTakeFirstOrThrow();
  return Number(row.next);
}

export async function updateDraftArticle(db: Db, id: string, values: Omit<Insertable<RetentionDraftArticlesTable>, 'draft_id' | 'position' | 'id'>): Promise<RetentionDraftArticleRow> {
  return db.updateTable('retention_draft_articles').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function deleteDraftArticle(db: Db, id: string): Promise<void> {
  await db.deleteFrom('retention_draft_articles').where('id', '=', id).execute();
}

/**
 * For each of these dossiers: the version it was given and the article its retention cites
 * (from its metadata), looked up in that version; article columns are null when not found.
 */
export async function dossierArticles(
  db: Db,
  dossierIds: readonly string[],
): Promise<{ dossier_id: string; version: number; article: string | null; personnel: boolean | null }[]> {
  if (dossierIds.length === 0) return [];
  return db
    .selectFrom('dossier_retention_lists')
    .innerJoin('retention_lists', 'retention_lists.id', 'dossier_retention_lists.list_id')
    .innerJoin('dossiers', 'dossiers.id', 'dossier_retention_lists.dossier_id')
    .leftJoin('retention_articles', (join) =>
      join
        .onRef('retention_articles.list_id', '=', 'retention_lists.id')
        .on(sql<boolean>`lower(retention_articles.article) = lower(dossiers.metadata->'retention'->>'article')`),
    )
    .select(['dossier_retention_lists.dossier_id', 'retention_lists.version', 'retention_articles.article', 'retention_articles.personnel'])
    .where('dossier_retention_lists.dossier_id', 'in', [...dossierIds])
    .execute();
}
