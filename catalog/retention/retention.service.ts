// The retention list (перечень документов со сроками хранения, BRIEF §7, p.153): imported
// from CSV or JSON as a new version, exported to both. Versions never change, so a dossier
// keeps the version it was given (set when its row is written, see the migration).
import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors';
import { t, type Language } from '../../common/i18n';
import { recordAudit, type Actor } from '../../audit/audit.service';
import type { Database } from '../../database/database';
import { assess, category, closingYear, earliestDestructionDate, hasEpkMark, type RetentionAssessment, type RetentionCategory, type RetentionPeriod } from './arithmetic';
import { checkArticleInput, personnelByDefault, readListFile, retentionText, writeCsv, type ArticleFields, type ListArticleInput, type ListFormat, type ListProblem } from './list-file';
import {
  deleteDraft,
  deleteDraftArticle,
  dossierArticles,
  findDraft,
  findDraftArticle,
  findDraftArticleByNumber,
  insertDraft,
  insertDraftArticles,
  listDraftArticles,
  lockDraft,
  nextDraftPosition,
  touchDraft,
  updateDraftArticle,
  type RetentionDraftArticleRow,
  type RetentionDraftRow,
  findArticle,
  findDossierList,
  findList,
  insertArticles,
  insertList,
  listArticles,
  listVersions,
  lockVersions,
  nextVersion,
  type RetentionArticleRow,
  type RetentionListRow,
} from './retention.repository';

export interface RetentionListView {
  id: string;
  version: number;
  title: string;
  sourceName: string | null;
  sourceFormat: ListFormat | 'editor';
  importedBy: string;
  importedAt: string;
  articleCount: number;
  /** The version a published draft was copied from. */
  basedOnVersion: number | null;
}

export interface RetentionArticleView {
  position: number;
  article: string;
  documentTypeKk: string;
  documentTypeRu: string;
  retention: RetentionPeriod;
  category: RetentionCategory;
  epk: boolean;
  note: string | null;
  /** Documents on personnel (по личному составу, p.195). */
  personnel: boolean;
}

export interface RetentionDraftArticleView extends RetentionArticleView {
  id: string;
}

export interface RetentionDraftView {
  id: string;
  title: string;
  basedOnVersion: number | null;
  sourceName: string | null;
  sourceFormat: ListFormat | 'editor';
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
  articles: RetentionDraftArticleView[];
}

/** A dossier's retention as the list says: period, article, the version it was given, category, destruction. */
export interface DossierRetentionView extends RetentionAssessment {
  retention: RetentionPeriod;
  article: string | null;
  /** The version the dossier was given when stored; null if no list existed then. */
  listVersion: number | null;
  /** Whether the cited article is in that version (null: no article cited or no version). */
  articleInList: boolean | null;
  personnel: boolean;
}

/** What a nomenclature item (or anything else) cites, checked against a version of the list. */
export type RetentionCheck =
  | { ok: true; version: number; article: RetentionArticleView }
  | { ok: false; version: number | null; problem: { field: 'article' | 'retention'; code: string; params: Record<string, string | number> } };

export interface ImportListInput {
  content: string;
  format: ListFormat;
  /** The file's name, kept with the version. */
  sourceName?: string | null;
  /** Title of the version; else the JSON's title, else the file name. */
  title?: string | null;
}

/** Who may load a new list version: the archive (and the administrator). */
const IMPORTERS = ['admin', 'archivist'] as const;
const FORMATS: readonly ListFormat[] = ['csv', 'json'];

function assertRole(actor: Actor): void {
  if (actor.userId === null) return; // local operator (CLI, seed)
  if (!actor.roles.some((r) => (IMPORTERS as readonly string[]).includes(r))) {
    throw new ForbiddenError('retention.forbidden', 'retention.forbidden', { username: actor.username, roles: IMPORTERS.join(', ') });
  }
}

function assertFormat(format: unknown): ListFormat {
  if (!FORMATS.includes(format as ListFormat)) {
    throw new ValidationError('retention.invalid_format', 'retention.invalid_format', { value: String(format), allowed: FORMATS.join(', ') });
  }
  return format as ListFormat;
}

function toListView(row: RetentionListRow): RetentionListView {
  return {
    id: row.id,
    version: row.version,
    title: row.title,
    sourceName: row.source_name,
    sourceFormat: row.source_format,
    importedBy: row.imported_by,
    importedAt: new Date(row.imported_at).toISOString(),
    articleCount: row.article_count,
    basedOnVersion: row.based_on_version ?? null,
  };
}

function toArticleView(row: RetentionArticleRow | RetentionDraftArticleRow): RetentionArticleView {
  const retention = { kind: row.retention_kind, years: row.retention_years };
  return {
    position: row.position,
    article: row.article,
    documentTypeKk: row.document_type_kk,
    documentTypeRu: row.document_type_ru,
    retention,
    category: category(retention, { personnel: row.personnel }),
    epk: hasEpkMark(retention),
    note: row.note,
    personnel: row.personnel,
  };
}

function toDraftView(row: RetentionDraftRow, articles: RetentionDraftArticleRow[]): RetentionDraftView {
  return {
    id: row.id,
    title: row.title,
    basedOnVersion: row.based_on_version,
    sourceName: row.source_name,
    sourceFormat: row.source_format,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    updatedBy: row.updated_by,
    updatedAt: new Date(row.updated_at).toISOString(),
    articles: articles.map((a) => ({ id: a.id, ...toArticleView(a) })),
  };
}

function articleColumns(a: ListArticleInput) {
  return {
    article: a.article,
    document_type_kk: a.documentTypeKk,
    document_type_ru: a.documentTypeRu,
    retention_kind: a.retention.kind,
    retention_years: a.retention.years,
    note: a.note,
    personnel: a.personnel,
  };
}

function sameRetention(a: { kind: string; years?: number | null }, b: RetentionPeriod): boolean {
  return a.kind === b.kind && (a.years ?? null) === (b.years ?? null);
}

/** The error an import with bad rows ends in: every problem in details, the count in the message. */
export class RetentionListInvalidError extends ValidationError {
  constructor(readonly problems: ListProblem[], file: string) {
    super('retention.invalid_list', 'retention.import_invalid', { count: problems.length, file }, { problems });
  }
}

/** One problem as a sentence in the reader's language: "Row 5, field «article»: …", or of the whole file. */
export function describeProblem(lang: Language, p: ListProblem): string {
  const message = t(lang, p.code, p.params);
  if (p.row > 0 && p.field) return t(lang, 'retention.problem_at_field', { row: p.row, field: p.field, message });
  if (p.row > 0) return t(lang, 'retention.problem_at_row', { row: p.row, message });
  if (p.field) return t(lang, 'retention.problem_in_field', { field: p.field, message });
  return t(lang, 'retention.problem_at_file', { message });
}

/** The article an edit was about is not (or no longer) in the draft. */
function draftArticleMissing(id: string): NotFoundError {
  return new NotFoundError('retention.draft_article_not_found', 'retention.draft_article_not_found', { id });
}

/** Checks one article's fields for the draft; all problems at once, by field. */
function checkEdit(fields: ArticleFields): ListArticleInput {
  const { article, problems } = checkArticleInput(fields);
  if (!article) throw new RetentionListInvalidError(problems, 'article');
  return article;
}

export function createRetentionService(deps: { db: Kysely<Database> }) {
  const { db } = deps;

  async function load(version?: number): Promise<RetentionListRow> {
    if (version !== undefined && (!Number.isInteger(version) || version < 1)) {
      throw new ValidationError('retention.invalid_version', 'retention.invalid_version', { value: String(version) });
    }
    const row = await findList(db, version);
    if (!row) {
      if (version === undefined) throw new NotFoundError('retention.no_list', 'retention.no_list');
      throw new NotFoundError('retention.version_not_found', 'retention.version_not_found', { version });
    }
    return row;
  }

  return {
    /** Checks every row; on any problem nothing is stored and all problems are reported. */
    async importList(actor: Actor, input: ImportListInput): Promise<RetentionListView> {
      assertRole(actor);
      const format = assertFormat(input.format);
      const sourceName = input.sourceName?.trim() || null;
      const { list, problems } = readListFile(String(input.content ?? ''), format);
      if (problems.length) throw new RetentionListInvalidError(problems, sourceName ?? format);
      const title = (input.title?.trim() || list.title || sourceName || `${format}`).slice(0, 500);
      const sha256 = createHash('sha256').update(String(input.content)).digest('hex');
      return db.transaction().execute(async (trx) => {
        await lockVersions(trx);
        const version = await nextVersion(trx);
        const row = await insertList(trx, { version, title, source_name: sourceName, source_format: format, imported_by: actor.username });
        await insertArticles(trx, list.articles.map((a, i) => ({ list_id: row.id, position: i + 1, ...articleColumns(a) })));
        await recordAudit(trx, {
          actor,
          action: 'retention_list.import',
          objectType: 'retention_list',
          objectId: row.id,
          details: { version, title, sourceName, format, articles: list.articles.length, sha256 },
        });
        return toListView({ ...row, article_count: list.articles.length });
      });
    },

    async versions(): Promise<RetentionListView[]> {
      return (await listVersions(db)).map(toListView);
    },

    /** A version with its articles; the latest when no version is given. */
    async get(version?: number): Promise<RetentionListView & { articles: RetentionArticleView[] }> {
      const row = await load(version);
      return { ...toListView(row), articles: (await listArticles(db, row.id)).map(toArticleView) };
    },

    /** The version as a file: CSV with the import's columns, or JSON in the shape the import reads. */
    async exportList(format: ListFormat, version?: number): Promise<{ version: number; content: string }> {
      assertFormat(format);
      const list = await this.get(version);
      if (format === 'csv') return { version: list.version, content: writeCsv(list.articles) };
      const doc = {
        version: list.version,
        title: list.title,
        importedAt: list.importedAt,
        articles: list.articles.map((a) => ({
          article: a.article,
          documentTypeKk: a.documentTypeKk,
          documentTypeRu: a.documentTypeRu,
          retention: a.retention,
          note: a.note,
          personnel: a.personnel,
        })),
      };
      return { version: list.version, content: JSON.stringify(doc, null, 2) + '\n' };
    },

    /** An article of a version (the latest when none is given), matched without regard to case. */
    async article(articleNumber: string, version?: number): Promise<RetentionArticleView | null> {
      const row = await load(version);
      const found = await findArticle(db, row.id, String(articleNumber ?? '').trim());
      return found ? toArticleView(found) : null;
    },

    /** The version a dossier was given when it was stored; null if no list existed then. */
    async forDossier(dossierId: string): Promise<RetentionListView | null> {
      const row = await findDossierList(db, dossierId);
      return row ? toListView(row) : null;
    },

    /** A file read as the import would read it, nothing stored: the articles and every problem (row, field). */
    preview(actor: Actor, input: { content: string; format: ListFormat }): { articles: RetentionArticleView[]; problems: ListProblem[] } {
      assertRole(actor);
      const format = assertFormat(input.format);
      const { list, problems } = readListFile(String(input.content ?? ''), format);
      const articles = list.articles.map((a, i) =>
        toArticleView({ position: i + 1, article: a.article, document_type_kk: a.documentTypeKk, document_type_ru: a.documentTypeRu, retention_kind: a.retention.kind, retention_years: a.retention.years, note: a.note, personnel: a.personnel } as RetentionArticleRow),
      );
      return { articles, problems };
    },

    /** The draft being edited, or null when there is none. */
    async draft(): Promise<RetentionDraftView | null> {
      const row = await findDraft(db);
      return row ? toDraftView(row, await listDraftArticles(db, row.id)) : null;
    },

    /**
     * Starts the draft: a copy of a version (the latest when none is given) to edit, or a file
     * (all or nothing, as an import). One draft at a time: 409 while another is open.
     */
    async createDraft(actor: Actor, input: { fromVersion?: number } | (ImportListInput & { fromVersion?: undefined })): Promise<RetentionDraftView> {
      assertRole(actor);
      let title: string;
      let articles: ListArticleInput[];
      let basedOn: number | null = null;
      let sourceName: string | null = null;
      let sourceFormat: ListFormat | 'editor' = 'editor';
      if ('content' in input && input.content !== undefined) {
        sourceFormat = assertFormat(input.format);
        sourceName = input.sourceName?.trim() || null;
        const { list, problems } = readListFile(String(input.content), sourceFormat);
        if (problems.length) throw new RetentionListInvalidError(problems, sourceName ?? sourceFormat);
        articles = list.articles;
        title = (input.title?.trim() || list.title || sourceName || sourceFormat).slice(0, 500);
      } else {
        const from = await this.get(input.fromVersion);
        basedOn = from.version;
        sourceName = from.sourceName;
        title = from.title;
        articles = from.articles.map((a) => ({ article: a.article, documentTypeKk: a.documentTypeKk, documentTypeRu: a.documentTypeRu, retention: a.retention, note: a.note, personnel: a.personnel }));
      }
      const started = () =>
        db.transaction().execute(async (trx) => {
          const open = await lockDraft(trx);
          if (open) throw new ConflictError('retention.draft_exists', 'retention.draft_exists', { by: open.created_by });
          const row = await insertDraft(trx, { title, based_on_version: basedOn, source_name: sourceName, source_format: sourceFormat, created_by: actor.username, updated_by: actor.username });
          await insertDraftArticles(trx, articles.map((a, i) => ({ draft_id: row.id, position: i + 1, ...articleColumns(a) })));
          await recordAudit(trx, {
            actor,
            action: 'retention_list.draft_create',
            objectType: 'retention_list_draft',
            objectId: row.id,
            details: { title, basedOnVersion: basedOn, sourceName, format: sourceFormat, articles: articles.length },
          });
          return toDraftView(row, await listDraftArticles(trx, row.id));
        });
      try {
        return await started();
      } catch (error) {
        // Two editors starting at once: the one-draft constraint stops the second; say who has it.
        if ((error as { code?: string }).code !== '23505') throw error;
        const open = await findDraft(db);
        throw new ConflictError('retention.draft_exists', 'retention.draft_exists', { by: open?.created_by ?? '—' });
      }
    },

    /** Runs one edit of the draft under its lock, then records it in the audit log. */
    async editDraft<T>(actor: Actor, edit: (trx: Transaction<Database>, draft: RetentionDraftRow) => Promise<{ action: string; details: Record<string, unknown>; result: T }>): Promise<T> {
      assertRole(actor);
      return db.transaction().execute(async (trx) => {
        const draft = await lockDraft(trx);
        if (!draft) throw new NotFoundError('retention.no_draft', 'retention.no_draft');
        const { action, details, result } = await edit(trx, draft);
        await recordAudit(trx, { actor, action, objectType: 'retention_list_draft', objectId: draft.id, details });
        return result;
      });
    },

    async renameDraft(actor: Actor, title: string): Promise<RetentionDraftView> {
      const clean = String(title ?? '').trim();
      if (!clean || clean.length > 500) throw new RetentionListInvalidError([{ row: 0, field: 'title', code: clean ? 'retention.problem_too_long' : 'retention.problem_required', params: { max: 500, length: clean.length } }], 'title');
      await this.editDraft(actor, async (trx, draft) => {
        await touchDraft(trx, draft.id, { updated_by: actor.username, title: clean });
        return { action: 'retention_list.draft_rename', details: { from: draft.title, to: clean }, result: null };
      });
      return (await this.draft())!;
    },

    async addArticle(actor: Actor, fields: ArticleFields): Promise<RetentionDraftArticleView> {
      assertRole(actor);
      const input = checkEdit(fields);
      return this.editDraft(actor, async (trx, draft) => {
        const clash = await findDraftArticleByNumber(trx, draft.id, input.article);
        if (clash) throw new RetentionListInvalidError([{ row: 0, field: 'article', code: 'retention.problem_duplicate_in_draft', params: { value: input.article } }], 'article');
        const position = await nextDraftPosition(trx, draft.id);
        await insertDraftArticles(trx, [{ draft_id: draft.id, position, ...articleColumns(input) }]);
        await touchDraft(trx, draft.id, { updated_by: actor.username, source_format: 'editor' });
        const row = (await findDraftArticleByNumber(trx, draft.id, input.article))!;
        return { action: 'retention_list.article_add', details: { article: input.article, retention: input.retention, personnel: input.personnel }, result: { id: row.id, ...toArticleView(row) } };
      });
    },

    async updateArticle(actor: Actor, id: string, fields: ArticleFields): Promise<RetentionDraftArticleView> {
      assertRole(actor);
      const input = checkEdit(fields);
      return this.editDraft(actor, async (trx, draft) => {
        const before = await findDraftArticle(trx, draft.id, id);
        if (!before) throw draftArticleMissing(id);
        const clash = await findDraftArticleByNumber(trx, draft.id, input.article, id);
        if (clash) throw new RetentionListInvalidError([{ row: 0, field: 'article', code: 'retention.problem_duplicate_in_draft', params: { value: input.article } }], 'article');
        const row = await updateDraftArticle(trx, id, articleColumns(input));
        await touchDraft(trx, draft.id, { updated_by: actor.username, source_format: 'editor' });
        const was = toArticleView(before);
        return {
          action: 'retention_list.article_update',
          details: {
            article: input.article,
            before: { article: was.article, documentTypeKk: was.documentTypeKk, documentTypeRu: was.documentTypeRu, retention: was.retention, note: was.note, personnel: was.personnel },
            after: { article: input.article, documentTypeKk: input.documentTypeKk, documentTypeRu: input.documentTypeRu, retention: input.retention, note: input.note, personnel: input.personnel },
          },
          result: { id: row.id, ...toArticleView(row) },
        };
      });
    },

    async removeArticle(actor: Actor, id: string): Promise<void> {
      await this.editDraft(actor, async (trx, draft) => {
        const before = await findDraftArticle(trx, draft.id, id);
        if (!before) throw draftArticleMissing(id);
        await deleteDraftArticle(trx, id);
        await touchDraft(trx, draft.id, { updated_by: actor.username, source_format: 'editor' });
        return { action: 'retention_list.article_remove', details: { article: before.article, retention: { kind: before.retention_kind, years: before.retention_years } }, result: null };
      });
    },

    async discardDraft(actor: Actor): Promise<void> {
      await this.editDraft(actor, async (trx, draft) => {
        const count = (await listDraftArticles(trx, draft.id)).length;
        await deleteDraft(trx, draft.id);
        return { action: 'retention_list.draft_discard', details: { title: draft.title, articles: count }, result: null };
      });
    },

    /**
     * Publishes the draft as the next version; from then on new dossiers are given it, while
     * dossiers stored before keep theirs. The draft is gone afterwards.
     */
    async publishDraft(actor: Actor): Promise<RetentionListView> {
      assertRole(actor);
      return db.transaction().execute(async (trx) => {
        const draft = await lockDraft(trx);
        if (!draft) throw new NotFoundError('retention.no_draft', 'retention.no_draft');
        const articles = await listDraftArticles(trx, draft.id);
        if (articles.length === 0) throw new RetentionListInvalidError([{ row: 0, field: '', code: 'retention.problem_empty', params: {} }], draft.title);
        await lockVersions(trx);
        const version = await nextVersion(trx);
        const row = await insertList(trx, {
          version,
          title: draft.title,
          source_name: draft.source_name,
          source_format: draft.source_format,
          imported_by: actor.username,
          based_on_version: draft.based_on_version,
        });
        await insertArticles(
          trx,
          articles.map((a, i) => ({
            list_id: row.id,
            position: i + 1,
            article: a.article,
            document_type_kk: a.document_type_kk,
            document_type_ru: a.document_type_ru,
            retention_kind: a.retention_kind,
            retention_years: a.retention_years,
            note: a.note,
            personnel: a.personnel,
          })),
        );
        await deleteDraft(trx, draft.id);
        const content = JSON.stringify(articles.map((a) => [a.article, a.document_type_kk, a.document_type_ru, a.retention_kind, a.retention_years, a.note, a.personnel]));
        await recordAudit(trx, {
          actor,
          action: 'retention_list.publish',
          objectType: 'retention_list',
          objectId: row.id,
          details: { version, title: draft.title, draftId: draft.id, basedOnVersion: draft.based_on_version, articles: articles.length, sha256: createHash('sha256').update(content).digest('hex') },
        });
        return toListView({ ...row, article_count: articles.length });
      });
    },

    /**
     * Checks what something cites against a version of the list (the one in force, the latest,
     * when none is given): the article must be in it, and the period, when given, must be the
     * article's. The answer names the field and says why, in catalog keys.
     */
    async checkRetention(cited: { article: string | null | undefined; retention?: { kind: string; years?: number | null } | null }, options: { listVersion?: number } = {}): Promise<RetentionCheck> {
      return checkRetentionAgainstList(db, cited, options);
    },

    /** Category, ЭПК mark and destruction of each dossier, from its metadata and the version it was given. */
    async forDossiers(dossiers: readonly DossierRetentionInput[]): Promise<Map<string, DossierRetentionView | null>> {
      return assessDossiers(db, dossiers);
    },

    /** What the list says for a dossier closed in closedYear: category, ЭПК mark and earliest destruction date. */
    assess(closedYear: number, retention: RetentionPeriod): { category: RetentionCategory; epk: boolean; earliestDestruction: string | null } {
      return { category: category(retention), epk: hasEpkMark(retention), earliestDestruction: earliestDestructionDate(closedYear, retention) };
    },
  };
}

export type RetentionService = ReturnType<typeof createRetentionService>;

/** An article of a version (the one in force, the latest, when none is given), matched without regard to case; null when absent. */
export async function findArticleInList(db: Kysely<Database>, article: string, options: { listVersion?: number } = {}): Promise<(RetentionArticleView & { version: number }) | null> {
  const list = await findList(db, options.listVersion);
  if (!list) return null;
  const row = await findArticle(db, list.id, String(article ?? '').trim());
  return row ? { ...toArticleView(row), version: list.version } : null;
}

function citedText(retention: { kind: string; years?: number | null }): string {
  const kinds = ['permanent', 'years', 'years_epk', 'until_needed'];
  if (!kinds.includes(retention.kind)) return retention.kind;
  const needsYears = retention.kind === 'years' || retention.kind === 'years_epk';
  if (needsYears && !(typeof retention.years === 'number' && retention.years >= 1)) return retention.kind;
  return retentionText({ kind: retention.kind as RetentionPeriod['kind'], years: needsYears ? (retention.years as number) : null });
}

/** See `checkRetention` on the service: the article must be in the version, with the period it gives. */
export async function checkRetentionAgainstList(
  db: Kysely<Database>,
  cited: { article: string | null | undefined; retention?: { kind: string; years?: number | null } | null },
  options: { listVersion?: number } = {},
): Promise<RetentionCheck> {
  const list = await findList(db, options.listVersion);
  if (!list) {
    return options.listVersion === undefined
      ? { ok: false, version: null, problem: { field: 'article', code: 'retention.no_list', params: {} } }
      : { ok: false, version: null, problem: { field: 'article', code: 'retention.version_not_found', params: { version: options.listVersion } } };
  }
  const number = String(cited.article ?? '').trim();
  if (!number) return { ok: false, version: list.version, problem: { field: 'article', code: 'retention.check_article_missing', params: { version: list.version } } };
  const row = await findArticle(db, list.id, number);
  if (!row) return { ok: false, version: list.version, problem: { field: 'article', code: 'retention.check_article_not_in_list', params: { article: number, version: list.version } } };
  const article = toArticleView(row);
  if (cited.retention && !sameRetention(cited.retention, article.retention)) {
    return {
      ok: false,
      version: list.version,
      problem: {
        field: 'retention',
        code: 'retention.check_retention_differs',
        params: { article: article.article, version: list.version, given: citedText(cited.retention), expected: retentionText(article.retention) },
      },
    };
  }
  return { ok: true, version: list.version, article };
}

/** What a dossier view gives to compute its retention: id, the period from its metadata, its year and latest document date. */
export interface DossierRetentionInput {
  id: string;
  retention: { kind?: unknown; years?: unknown; article?: unknown } | null | undefined;
  year: number | null | undefined;
  endDate: string | null | undefined;
}

function periodOf(value: DossierRetentionInput['retention']): RetentionPeriod | null {
  if (!value || typeof value !== 'object') return null;
  const kind = value.kind;
  if (kind === 'permanent' || kind === 'until_needed') return { kind, years: null };
  if ((kind === 'years' || kind === 'years_epk') && typeof value.years === 'number' && Number.isInteger(value.years) && value.years >= 1 && value.years <= 100) {
    return { kind, years: value.years };
  }
  return null;
}

/**
 * Category, ЭПК mark and earliest destruction of each dossier (null when its metadata holds no
 * readable period). Personnel comes from the cited article in the version the dossier was given;
 * without one, from the 75-year rule (arithmetic.category).
 */
export async function assessDossiers(db: Kysely<Database>, dossiers: readonly DossierRetentionInput[]): Promise<Map<string, DossierRetentionView | null>> {
  const found = new Map((await dossierArticles(db, dossiers.map((d) => d.id))).map((r) => [r.dossier_id, r]));
  const result = new Map<string, DossierRetentionView | null>();
  for (const d of dossiers) {
    const retention = periodOf(d.retention);
    if (!retention) {
      result.set(d.id, null);
      continue;
    }
    const cited = typeof d.retention?.article === 'string' && d.retention.article.trim() ? d.retention.article.trim() : null;
    const link = found.get(d.id);
    const articleInList = cited === null || !link ? null : link.article !== null;
    const personnel = link?.personnel ?? personnelByDefault(retention);
    result.set(d.id, {
      ...assess(closingYear(d.year, d.endDate), retention, { personnel }),
      retention,
      article: cited,
      listVersion: link?.version ?? null,
      articleInList,
      personnel,
    });
  }
  return result;
}
