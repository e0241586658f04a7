// The nomenclature as a file, CSV or JSON, with no database: every row is checked and every
// problem kept (row and field named), so a spreadsheet is fixed in one pass. The export
// writes the shape the import reads.
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { ValidationError } from '../../common/errors';
import { t, type Language } from '../../common/i18n';
import { parseRetentionText, retentionText } from '../retention/list-file';
import type { RetentionKind } from '../tables';
import type { AddItemInput, NomenclatureView } from './nomenclature.service';

export type NomenclatureFileFormat = 'csv' | 'json';
export const FILE_FORMATS: readonly NomenclatureFileFormat[] = ['csv', 'json'];

export const CSV_COLUMNS = ['department', 'index', 'heading', 'heading_ru', 'retention', 'article', 'carried_over', 'carried_from_year', 'document_form', 'medium', 'note', 'dossier_count'] as const;
const REQUIRED = ['department', 'heading'] as const;
const MAX_ITEMS = 5000;

export interface FileProblem {
  row: number;
  field: string;
  /** Catalog key under `nomenclature.problem_*`. */
  code: string;
  params: Record<string, string | number>;
}

export class NomenclatureFileInvalidError extends ValidationError {
  constructor(readonly problems: FileProblem[], file: string) {
    super('nomenclature.invalid_file', 'nomenclature.import_invalid', { count: problems.length, file }, { problems });
  }
}

/** One problem as a sentence in the reader's language. */
export function describeFileProblem(lang: Language, p: FileProblem): string {
  const message = t(lang, p.code, p.params);
  if (p.row > 0 && p.field) return t(lang, 'nomenclature.problem_at_field', { row: p.row, field: p.field, message });
  if (p.row > 0) return t(lang, 'nomenclature.problem_at_row', { row: p.row, message });
  return message;
}

const TRUE = new Set(['1', 'true', 'yes', 'да', 'иә', 'y', '+']);
const FALSE = new Set(['', '0', 'false', 'no', 'нет', 'жоқ', 'n', '-']);

function cellText(value: unknown): string {
  return value === undefined || value === null ? '' : String(value).normalize('NFC').trim();
}

/** One row (CSV line or JSON item) into an item to add, or problems. */
function readRow(row: number, get: (field: string) => unknown, problems: FileProblem[]): AddItemInput | null {
  const before = problems.length;
  const department = cellText(get('department'));
  if (!department) problems.push({ row, field: 'department', code: 'nomenclature.problem_required', params: {} });
  else if (!/^[0-9]{2,3}$/.test(department)) problems.push({ row, field: 'department', code: 'nomenclature.problem_department_format', params: { value: department } });
  const index = cellText(get('index'));
  let number: number | undefined;
  if (index) {
    const m = /^([0-9]{2,3})-0*([1-9][0-9]{0,3})$/.exec(index);
    if (!m) problems.push({ row, field: 'index', code: 'nomenclature.problem_index_format', params: { value: index } });
    else if (department && m[1] !== department) problems.push({ row, field: 'index', code: 'nomenclature.problem_index_department', params: { value: index, department } });
    else number = Number(m[2]);
  }
  const heading = cellText(get('heading'));
  if (!heading) problems.push({ row, field: 'heading', code: 'nomenclature.problem_required', params: {} });
  const rawRetention = get('retention');
  let retention: { kind: RetentionKind; years: number | null } | null = null;
  if (rawRetention && typeof rawRetention === 'object') {
    const r = rawRetention as { kind?: unknown; years?: unknown };
    retention = { kind: r.kind as RetentionKind, years: typeof r.years === 'number' ? r.years : null };
  } else if (cellText(rawRetention)) {
    retention = parseRetentionText(cellText(rawRetention));
    if (!retention) problems.push({ row, field: 'retention', code: 'nomenclature.problem_retention_format', params: { value: cellText(rawRetention).slice(0, 100) } });
  }
  const article = cellText(get('article')) || null;
  if (!retention && !article && cellText(rawRetention) === '') problems.push({ row, field: 'retention', code: 'nomenclature.problem_retention_or_article', params: {} });
  const carriedRaw = get('carried_over');
  let carriedOver = false;
  if (typeof carriedRaw === 'boolean') carriedOver = carriedRaw;
  else {
    const c = cellText(carriedRaw).toLowerCase();
    if (TRUE.has(c)) carriedOver = true;
    else if (!FALSE.has(c)) problems.push({ row, field: 'carried_over', code: 'nomenclature.problem_boolean', params: { value: c } });
  }
  const fromRaw = cellText(get('carried_from_year'));
  let carriedFromYear: number | null = null;
  if (fromRaw) {
    if (!/^[0-9]{4}$/.test(fromRaw)) problems.push({ row, field: 'carried_from_year', code: 'nomenclature.problem_year', params: { value: fromRaw } });
    else carriedFromYear = Number(fromRaw);
  }
  const form = cellText(get('document_form')).toLowerCase() || 'electronic';
  if (form !== 'electronic' && form !== 'paper') problems.push({ row, field: 'document_form', code: 'nomenclature.problem_form', params: { value: form } });
  if (problems.length > before) return null;
  return {
    departmentCode: department,
    ...(number !== undefined ? { number } : {}),
    heading,
    headingRu: cellText(get('heading_ru')) || null,
    retention: retention ? { ...retention } : null,
    article,
    carriedOver,
    carriedFromYear,
    documentForm: form as 'electronic' | 'paper',
    medium: cellText(get('medium')) || null,
    note: cellText(get('note')) || null,
  };
}

function readCsv(text: string): { items: AddItemInput[]; problems: FileProblem[] } {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',';
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(text, { bom: true, delimiter, info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (error) {
    const e = error as { lines?: number; message?: string };
    return { items: [], problems: [{ row: e.lines ?? 1, field: '', code: 'nomenclature.problem_csv_syntax', params: { detail: String(e.message ?? error).slice(0, 200) } }] };
  }
  const [header, ...rows] = records;
  if (!header || !rows.length) return { items: [], problems: [{ row: 1, field: '', code: 'nomenclature.problem_empty', params: {} }] };
  const columns = header.record.map((c) => c.trim().toLowerCase());
  const problems: FileProblem[] = [];
  for (const c of columns) if (!(CSV_COLUMNS as readonly string[]).includes(c)) problems.push({ row: 1, field: c, code: 'nomenclature.problem_unknown_column', params: { expected: CSV_COLUMNS.join(', ') } });
  for (const c of REQUIRED) if (!columns.includes(c)) problems.push({ row: 1, field: c, code: 'nomenclature.problem_missing_column', params: { expected: CSV_COLUMNS.join(', ') } });
  if (problems.length) return { items: [], problems };
  if (rows.length > MAX_ITEMS) return { items: [], problems: [{ row: MAX_ITEMS + 1, field: '', code: 'nomenclature.problem_too_many', params: { max: MAX_ITEMS, count: rows.length } }] };
  const items: AddItemInput[] = [];
  for (const { record, info } of rows) {
    const item = readRow(info.lines, (field) => record[columns.indexOf(field)], problems);
    if (item) items.push(item);
  }
  return { items, problems };
}

function readJson(text: string): { items: AddItemInput[]; problems: FileProblem[] } {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { items: [], problems: [{ row: 0, field: '', code: 'nomenclature.problem_json_syntax', params: { detail: String((error as Error).message).slice(0, 200) } }] };
  }
  const doc = Array.isArray(value) ? { items: value } : (value as { items?: unknown } | null);
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.items)) return { items: [], problems: [{ row: 0, field: 'items', code: 'nomenclature.problem_json_shape', params: {} }] };
  if (!doc.items.length) return { items: [], problems: [{ row: 0, field: 'items', code: 'nomenclature.problem_empty', params: {} }] };
  if (doc.items.length > MAX_ITEMS) return { items: [], problems: [{ row: MAX_ITEMS + 1, field: '', code: 'nomenclature.problem_too_many', params: { max: MAX_ITEMS, count: doc.items.length } }] };
  const problems: FileProblem[] = [];
  const items: AddItemInput[] = [];
  const names: Record<string, string> = { department: 'departmentCode', heading_ru: 'headingRu', carried_over: 'carriedOver', carried_from_year: 'carriedFromYear', document_form: 'documentForm' };
  (doc.items as unknown[]).forEach((raw, i) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push({ row: i + 1, field: '', code: 'nomenclature.problem_json_shape', params: {} });
      return;
    }
    const o = raw as Record<string, unknown>;
    const item = readRow(i + 1, (field) => o[names[field] ?? field] ?? o[field], problems);
    if (item) items.push(item);
  });
  return { items, problems };
}

/** Parses the file; `problems` is empty exactly when every row is good. */
export function readNomenclatureFile(content: string, format: NomenclatureFileFormat): { items: AddItemInput[]; problems: FileProblem[] } {
  return format === 'json' ? readJson(content) : readCsv(content);
}

/** The nomenclature as CSV (the import's columns) or JSON (the import's shape, with its year and approvals). */
export function writeNomenclatureFile(view: NomenclatureView, format: NomenclatureFileFormat): string {
  if (format === 'csv') {
    return stringifyCsv(
      view.items.map((i) => [
        i.departmentCode,
        i.caseIndex,
        i.heading,
        i.headingRu ?? '',
        retentionText(i.retention),
        i.retention.article ?? '',
        i.carriedOver ? 'yes' : 'no',
        i.carriedFromYear ?? '',
        i.documentForm,
        i.medium ?? '',
        i.note ?? '',
        i.dossierCount ?? '',
      ]),
      { header: true, columns: [...CSV_COLUMNS], record_delimiter: 'unix' },
    );
  }
  const doc = {
    year: view.year,
    revision: view.revision,
    status: view.status,
    inForceFrom: view.inForceFrom,
    approvals: view.approvals,
    sections: view.sections.map((s) => s.departmentCode),
    items: view.items.map((i) => ({
      departmentCode: i.departmentCode,
      index: i.caseIndex,
      heading: i.heading,
      headingRu: i.headingRu,
      retention: { kind: i.retention.kind, years: i.retention.years },
      article: i.retention.article,
      carriedOver: i.carriedOver,
      carriedFromYear: i.carriedFromYear,
      documentForm: i.documentForm,
      medium: i.medium,
      note: i.note,
      dossierCount: i.dossierCount,
    })),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
