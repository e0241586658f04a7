// Queries on the retention list versions, their articles and the version each dossier was given.
import { sql, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../../database/database';
import type { RetentionArticlesTable, RetentionListsTable } from './tables';

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
