// The retention list (перечень документов со сроками хранения, BRIEF §7, p.153): imported
// from CSV or JSON as a new version, exported to both. Versions never change, so a dossier
// keeps the version it was given (set when its row is written, see the migration).
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ForbiddenError, NotFoundError, ValidationError } from '../../common/errors';
import { t, type Language } from '../../common/i18n';
import { recordAudit, type Actor } from '../../audit/audit.service';
import type { Database } from '../../database/database';
import { category, earliestDestructionDate, hasEpkMark, type RetentionCategory, type RetentionPeriod } from './arithmetic';
import { readListFile, writeCsv, type ListFormat, type ListProblem } from './list-file';
import {
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
  sourceFormat: ListFormat;
  importedBy: string;
  importedAt: string;
  articleCount: number;
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
}

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
  };
}

function toArticleView(row: RetentionArticleRow): RetentionArticleView {
  const retention = { kind: row.retention_kind, years: row.retention_years };
  return {
    position: row.position,
    article: row.article,
    documentTypeKk: row.document_type_kk,
    documentTypeRu: row.document_type_ru,
    retention,
    category: category(retention),
    epk: hasEpkMark(retention),
    note: row.note,
  };
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
  if (p.field) return t(lang, 'retention.problem_at_field', { row: '—', field: p.field, message });
  return t(lang, 'retention.problem_at_file', { message });
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
        await insertArticles(
          trx,
          list.articles.map((a, i) => ({
            list_id: row.id,
            position: i + 1,
            article: a.article,
            document_type_kk: a.documentTypeKk,
            document_type_ru: a.documentTypeRu,
            retention_kind: a.retention.kind,
            retention_years: a.retention.years,
            note: a.note,
          })),
        );
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

    /** What the list says for a dossier closed in closedYear: category, ЭПК mark and earliest destruction date. */
    assess(closedYear: number, retention: RetentionPeriod): { category: RetentionCategory; epk: boolean; earliestDestruction: string | null } {
      return { category: category(retention), epk: hasEpkMark(retention), earliestDestruction: earliestDestructionDate(closedYear, retention) };
    },
  };
}

export type RetentionService = ReturnType<typeof createRetentionService>;
