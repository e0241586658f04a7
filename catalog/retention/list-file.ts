// Reading and writing a retention list file, CSV or JSON, with no database: every row is
// checked and every problem is kept (row and field named), so one import reports all the
// mistakes of a file at once instead of the first.
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { nounFor } from '../../forms/words';
import { PERSONNEL_YEARS, type RetentionKind, type RetentionPeriod } from './arithmetic';

export type ListFormat = 'csv' | 'json';

export interface ListArticleInput {
  article: string;
  documentTypeKk: string;
  documentTypeRu: string;
  retention: RetentionPeriod;
  note: string | null;
  /** Documents on personnel (по личному составу); a blank cell means "75 years" (BRIEF §7). */
  personnel: boolean;
}

export interface ParsedList {
  title: string | null;
  articles: ListArticleInput[];
}

/** One thing wrong with the file: where (row: CSV line or JSON item number; field) and what. */
export interface ListProblem {
  row: number;
  field: string;
  /** Catalog key under `retention.problem_*`. */
  code: string;
  params: Record<string, string | number>;
}

export const CSV_COLUMNS = ['article', 'document_type_kk', 'document_type_ru', 'retention', 'note', 'personnel'] as const;
const REQUIRED_COLUMNS = ['article', 'document_type_kk', 'document_type_ru', 'retention'] as const;

export const MAX_ARTICLES = 10_000;
const MAX_TEXT = 2000;
const MAX_NOTE = 1000;
// "26а", "657б", "23", "1.2", "15-1": an article number starts with a digit.
const ARTICLE = /^[0-9][0-9\p{L}.\-/]{0,49}$/u;

const PERMANENT = new Set(['permanent', 'постоянно', 'тұрақты']);
const UNTIL_NEEDED = new Set(['until_needed', 'дмн', 'до минования надобности', 'қажеттілігі өткенге дейін']);
// "5", "5 лет", "3 года", "1 год", "5 жыл", "5 years", each optionally with ЭПК (СТК in Kazakh).
const YEARS = /^(\d{1,3})(?:\s*(?:лет|года|год|жыл|years?))?(?:\s*(эпк|стк|epk))?$/;

/** Reads a retention cell as written in the official lists: "Постоянно", "5 лет ЭПК", "ДМН", "75 лет". */
export function parseRetentionText(text: string): RetentionPeriod | null {
  const value = text.normalize('NFC').trim().toLowerCase().replace(/\s+/g, ' ').replace(/\.$/, '');
  if (PERMANENT.has(value)) return { kind: 'permanent', years: null };
  if (UNTIL_NEEDED.has(value)) return { kind: 'until_needed', years: null };
  const m = YEARS.exec(value);
  if (!m) return null;
  const years = Number(m[1]);
  if (years < 1 || years > 100) return null;
  return { kind: m[2] ? 'years_epk' : 'years', years };
}

/** The Russian text the official list prints, used in the CSV export: "Постоянно", "3 года ЭПК", "ДМН". */
export function retentionText(retention: RetentionPeriod): string {
  if (retention.kind === 'permanent') return 'Постоянно';
  if (retention.kind === 'until_needed') return 'ДМН';
  const years = retention.years ?? 0;
  return `${years} ${nounFor(years, 'ru', 'year')}${retention.kind === 'years_epk' ? ' ЭПК' : ''}`;
}

const YES = new Set(['1', 'true', 'yes', 'y', 'x', '+', 'да', 'д', 'иә', 'ия']);
const NO = new Set(['0', 'false', 'no', 'n', '-', 'нет', 'н', 'жоқ']);

/** The personnel cell: yes/no in any of the three languages, true/false, 1/0; null when not understood. */
export function parsePersonnel(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : null;
  if (typeof value !== 'string') return null;
  const v = value.normalize('NFC').trim().toLowerCase();
  if (YES.has(v)) return true;
  if (NO.has(v)) return false;
  return null;
}

/** The default when the list does not say: 75 years is the usual period of personnel records. */
export function personnelByDefault(retention: RetentionPeriod): boolean {
  return (retention.kind === 'years' || retention.kind === 'years_epk') && retention.years === PERSONNEL_YEARS;
}

const KINDS: readonly RetentionKind[] = ['permanent', 'years', 'years_epk', 'until_needed'];

function retentionFromJson(value: unknown): RetentionPeriod | null {
  if (typeof value === 'string') return parseRetentionText(value);
  if (!value || typeof value !== 'object') return null;
  const { kind, years } = value as { kind?: unknown; years?: unknown };
  if (!KINDS.includes(kind as RetentionKind)) return null;
  const needsYears = kind === 'years' || kind === 'years_epk';
  if (!needsYears) return years === undefined || years === null ? { kind: kind as RetentionKind, years: null } : null;
  return typeof years === 'number' && Number.isInteger(years) && years >= 1 && years <= 100 ? { kind: kind as RetentionKind, years } : null;
}

class RowChecker {
  readonly problems: ListProblem[] = [];
  private readonly seen = new Map<string, number>();
  readonly articles: ListArticleInput[] = [];

  private text(row: number, field: string, value: unknown, max: number, required: boolean): string | null {
    if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) {
      if (required) this.problems.push({ row, field, code: 'retention.problem_required', params: {} });
      return null;
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      this.problems.push({ row, field, code: 'retention.problem_not_text', params: {} });
      return null;
    }
    const text = String(value).normalize('NFC').trim();
    if (text.length > max) {
      this.problems.push({ row, field, code: 'retention.problem_too_long', params: { max, length: text.length } });
      return null;
    }
    return text;
  }

  add(row: number, fields: { article: unknown; documentTypeKk: unknown; documentTypeRu: unknown; retention: unknown; note: unknown; personnel: unknown }, names: Record<keyof typeof fields, string>, retentionOf: (value: unknown) => RetentionPeriod | null): void {
    const before = this.problems.length;
    const article = this.text(row, names.article, fields.article, 50, true);
    if (article !== null && !ARTICLE.test(article)) {
      this.problems.push({ row, field: names.article, code: 'retention.problem_article_format', params: { value: article } });
    } else if (article !== null) {
      const earlier = this.seen.get(article.toLowerCase());
      if (earlier !== undefined) this.problems.push({ row, field: names.article, code: 'retention.problem_duplicate_article', params: { value: article, earlier } });
      else this.seen.set(article.toLowerCase(), row);
    }
    const documentTypeKk = this.text(row, names.documentTypeKk, fields.documentTypeKk, MAX_TEXT, true);
    const documentTypeRu = this.text(row, names.documentTypeRu, fields.documentTypeRu, MAX_TEXT, true);
    let retention: RetentionPeriod | null = null;
    if (fields.retention === undefined || fields.retention === null || (typeof fields.retention === 'string' && !fields.retention.trim())) {
      this.problems.push({ row, field: names.retention, code: 'retention.problem_required', params: {} });
    } else {
      retention = retentionOf(fields.retention);
      if (!retention) {
        const shown = typeof fields.retention === 'string' ? fields.retention : JSON.stringify(fields.retention);
        this.problems.push({ row, field: names.retention, code: 'retention.problem_retention_format', params: { value: shown.slice(0, 100) } });
      }
    }
    const note = this.text(row, names.note, fields.note, MAX_NOTE, false);
    let personnel: boolean | null = null;
    const blank = fields.personnel === undefined || fields.personnel === null || (typeof fields.personnel === 'string' && !fields.personnel.trim());
    if (!blank) {
      personnel = parsePersonnel(fields.personnel);
      if (personnel === null) {
        const shown = typeof fields.personnel === 'string' ? fields.personnel : JSON.stringify(fields.personnel);
        this.problems.push({ row, field: names.personnel, code: 'retention.problem_personnel_format', params: { value: String(shown).slice(0, 100) } });
      }
    }
    if (this.problems.length === before) {
      this.articles.push({ article: article!, documentTypeKk: documentTypeKk!, documentTypeRu: documentTypeRu!, retention: retention!, note, personnel: personnel ?? personnelByDefault(retention!) });
    }
  }
}

function tooMany(count: number): ListProblem {
  return { row: MAX_ARTICLES + 1, field: '', code: 'retention.problem_too_many', params: { max: MAX_ARTICLES, count } };
}

function readCsv(text: string): { list: ParsedList; problems: ListProblem[] } {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  // Spreadsheets in Kazakh and Russian locales save CSV with semicolons.
  const delimiter = firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',';
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(text, { bom: true, delimiter, info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (error) {
    const e = error as { lines?: number; message?: string };
    return { list: { title: null, articles: [] }, problems: [{ row: e.lines ?? 1, field: '', code: 'retention.problem_csv_syntax', params: { detail: String(e.message ?? error).slice(0, 200) } }] };
  }
  const [header, ...rows] = records;
  if (!header) return { list: { title: null, articles: [] }, problems: [{ row: 1, field: '', code: 'retention.problem_empty', params: {} }] };
  const columns = header.record.map((c) => c.trim().toLowerCase());
  const problems: ListProblem[] = [];
  columns.forEach((c) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(c)) problems.push({ row: 1, field: c, code: 'retention.problem_unknown_column', params: { expected: CSV_COLUMNS.join(', ') } });
  });
  for (const c of REQUIRED_COLUMNS) if (!columns.includes(c)) problems.push({ row: 1, field: c, code: 'retention.problem_missing_column', params: { expected: CSV_COLUMNS.join(', ') } });
  if (problems.length) return { list: { title: null, articles: [] }, problems };
  if (rows.length === 0) return { list: { title: null, articles: [] }, problems: [{ row: 2, field: '', code: 'retention.problem_empty', params: {} }] };
  if (rows.length > MAX_ARTICLES) return { list: { title: null, articles: [] }, problems: [tooMany(rows.length)] };
  const checker = new RowChecker();
  for (const { record, info } of rows) {
    const cell = (name: string) => {
      const i = columns.indexOf(name);
      return i < 0 ? undefined : record[i];
    };
    const line = info.lines;
    if (record.length > columns.length && record.slice(columns.length).some((v) => v.trim())) {
      checker.problems.push({ row: line, field: '', code: 'retention.problem_extra_cells', params: { count: record.length, expected: columns.length } });
      continue;
    }
    checker.add(
      line,
      { article: cell('article'), documentTypeKk: cell('document_type_kk'), documentTypeRu: cell('document_type_ru'), retention: cell('retention'), note: cell('note'), personnel: cell('personnel') },
      { article: 'article', documentTypeKk: 'document_type_kk', documentTypeRu: 'document_type_ru', retention: 'retention', note: 'note', personnel: 'personnel' },
      (v) => (typeof v === 'string' ? parseRetentionText(v) : null),
    );
  }
  return { list: { title: null, articles: checker.articles }, problems: checker.problems };
}

function readJson(text: string): { list: ParsedList; problems: ListProblem[] } {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { list: { title: null, articles: [] }, problems: [{ row: 0, field: '', code: 'retention.problem_json_syntax', params: { detail: String((error as Error).message).slice(0, 200) } }] };
  }
  // An array of articles, or the export's shape: { title, articles: [...] }.
  const doc = Array.isArray(value) ? { articles: value } : (value as { title?: unknown; articles?: unknown } | null);
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.articles)) {
    return { list: { title: null, articles: [] }, problems: [{ row: 0, field: 'articles', code: 'retention.problem_json_shape', params: {} }] };
  }
  const items = doc.articles as unknown[];
  if (items.length === 0) return { list: { title: null, articles: [] }, problems: [{ row: 0, field: 'articles', code: 'retention.problem_empty', params: {} }] };
  if (items.length > MAX_ARTICLES) return { list: { title: null, articles: [] }, problems: [tooMany(items.length)] };
  const checker = new RowChecker();
  items.forEach((item, i) => {
    const row = i + 1;
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      checker.problems.push({ row, field: '', code: 'retention.problem_json_shape', params: {} });
      return;
    }
    const o = item as Record<string, unknown>;
    checker.add(
      row,
      { article: o.article, documentTypeKk: o.documentTypeKk, documentTypeRu: o.documentTypeRu, retention: o.retention, note: o.note, personnel: o.personnel },
      { article: 'article', documentTypeKk: 'documentTypeKk', documentTypeRu: 'documentTypeRu', retention: 'retention', note: 'note', personnel: 'personnel' },
      retentionFromJson,
    );
  });
  const title = typeof (doc as { title?: unknown }).title === 'string' ? ((doc as { title: string }).title.trim() || null) : null;
  return { list: { title, articles: checker.articles }, problems: checker.problems };
}

/** One article's fields as the API's JSON gives them (retention as { kind, years } or as text). */
export interface ArticleFields {
  article?: unknown;
  documentTypeKk?: unknown;
  documentTypeRu?: unknown;
  retention?: unknown;
  note?: unknown;
  personnel?: unknown;
}

/** Checks one article (an edit in the draft) by the file's rules; problems name the field, with no row. */
export function checkArticleInput(fields: ArticleFields): { article: ListArticleInput | null; problems: ListProblem[] } {
  const checker = new RowChecker();
  checker.add(
    0,
    { article: fields.article, documentTypeKk: fields.documentTypeKk, documentTypeRu: fields.documentTypeRu, retention: fields.retention, note: fields.note, personnel: fields.personnel },
    { article: 'article', documentTypeKk: 'documentTypeKk', documentTypeRu: 'documentTypeRu', retention: 'retention', note: 'note', personnel: 'personnel' },
    retentionFromJson,
  );
  return { article: checker.articles[0] ?? null, problems: checker.problems };
}

/** Parses the file; `problems` is empty exactly when every row is good. */
export function readListFile(content: string, format: ListFormat): { list: ParsedList; problems: ListProblem[] } {
  return format === 'json' ? readJson(content) : readCsv(content);
}

export interface ExportedArticle {
  article: string;
  documentTypeKk: string;
  documentTypeRu: string;
  retention: RetentionPeriod;
  note: string | null;
  personnel: boolean;
}

/** CSV with the import's columns, so an export imports back as the same list. */
export function writeCsv(articles: ExportedArticle[]): string {
  return stringifyCsv(
    // Personnel written out either way, so an export imports back the same even where it departs from the 75-year default.
    articles.map((a) => [a.article, a.documentTypeKk, a.documentTypeRu, retentionText(a.retention), a.note ?? '', a.personnel ? 'да' : 'нет']),
    { header: true, columns: [...CSV_COLUMNS], record_delimiter: 'unix' },
  );
}
