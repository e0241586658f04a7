// What a search asks for, checked: the words, the filters and the page. The API, the command
// line and the UI send the same names; a bad value is refused naming the filter and the value.
import { ValidationError } from '../common/errors';

export const RETENTION_KINDS = ['permanent', 'years', 'years_epk', 'until_needed'] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];
export const RESULT_TYPES = ['dossier', 'document'] as const;
export type ResultType = (typeof RESULT_TYPES)[number];

export interface SearchFilters {
  fonds?: string;
  yearFrom?: number;
  yearTo?: number;
  department?: string;
  /** Document kind as the metadata names it (приказ, бұйрық, letter…), compared lower-cased. */
  kind?: string;
  language?: string;
  retention?: RetentionKind;
  /** Dossiers only, documents only; both when absent. */
  type?: ResultType;
}

export interface SearchInput {
  q: string;
  filters: SearchFilters;
  limit: number;
  offset: number;
}

export const FILTER_NAMES = ['fonds', 'year', 'department', 'kind', 'language', 'retention', 'type'] as const;
export const SEARCH_PARAMS = ['q', ...FILTER_NAMES, 'limit', 'offset'] as const;

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
/** Deeper pages than this are refused: refine the query or the filters instead. */
export const MAX_OFFSET = 10_000;
export const MAX_QUERY_CHARS = 500;
/** At most this many words of a query are searched. */
export const MAX_TERMS = 12;

const YEAR_MIN = 1800;
const YEAR_MAX = 2200;

function bad(filter: string, value: string, key: string, params: Record<string, string | number> = {}): never {
  const shown = value.length > 60 ? `${value.slice(0, 60)}…` : value;
  throw new ValidationError('search.bad_filter', key, { filter, value: shown, ...params }, { field: filter, value: shown });
}

function text(raw: Record<string, unknown>, name: string): string | undefined {
  const v = raw[name];
  if (v === undefined || v === null) return undefined;
  // A parameter given twice (?year=2019&year=2020) is ambiguous: refused, not silently the first.
  if (Array.isArray(v)) bad(name, v.map(String).join(', '), 'search.bad_repeated');
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

function integer(raw: Record<string, unknown>, name: string, min: number, max: number, fallback: number): number {
  const s = text(raw, name);
  if (s === undefined) return fallback;
  if (!/^\d{1,6}$/.test(s) || Number(s) < min || Number(s) > max) bad(name, s, 'search.bad_number', { min, max });
  return Number(s);
}

/**
 * Checks raw parameters (query string, CLI options) into a search. Unknown names are refused
 * too, so a misspelt filter (`yaer=2019`) does not silently widen the search.
 */
export function parseSearchInput(raw: Record<string, unknown>): SearchInput {
  for (const name of Object.keys(raw)) {
    if (!(SEARCH_PARAMS as readonly string[]).includes(name) && raw[name] !== undefined) bad(name, String(raw[name]), 'search.unknown_filter', { known: SEARCH_PARAMS.join(', ') });
  }
  const q = (text(raw, 'q') ?? '').normalize('NFC');
  if (q.length > MAX_QUERY_CHARS) bad('q', q, 'search.query_too_long', { max: MAX_QUERY_CHARS });
  const filters: SearchFilters = {};

  const fonds = text(raw, 'fonds');
  if (fonds !== undefined) {
    if (!/^[\p{L}\p{N}][\p{L}\p{N} ./-]{0,49}$/u.test(fonds)) bad('fonds', fonds, 'search.bad_fonds');
    filters.fonds = fonds;
  }
  const year = text(raw, 'year');
  if (year !== undefined) {
    const m = /^(\d{4})(?:\s*(?:-|–|\.\.)\s*(\d{4}))?$/.exec(year);
    const from = m ? Number(m[1]) : NaN;
    const to = m ? Number(m[2] ?? m[1]) : NaN;
    if (!m || from < YEAR_MIN || to > YEAR_MAX || from > to) bad('year', year, 'search.bad_year', { min: YEAR_MIN, max: YEAR_MAX });
    filters.yearFrom = from;
    filters.yearTo = to;
  }
  const department = text(raw, 'department');
  if (department !== undefined) {
    if (!/^[0-9A-Za-z]{1,10}$/.test(department)) bad('department', department, 'search.bad_department');
    filters.department = department;
  }
  const kind = text(raw, 'kind');
  if (kind !== undefined) {
    if (kind.length > 200 || /[\p{Cc}]/u.test(kind)) bad('kind', kind, 'search.bad_kind');
    filters.kind = kind.normalize('NFC').toLowerCase();
  }
  const language = text(raw, 'language');
  if (language !== undefined) {
    if (!/^[a-z]{2,3}$/.test(language)) bad('language', language, 'search.bad_language');
    filters.language = language;
  }
  const retention = text(raw, 'retention');
  if (retention !== undefined) {
    if (!(RETENTION_KINDS as readonly string[]).includes(retention)) bad('retention', retention, 'search.bad_retention', { allowed: RETENTION_KINDS.join(', ') });
    filters.retention = retention as RetentionKind;
  }
  const type = text(raw, 'type');
  if (type !== undefined) {
    if (!(RESULT_TYPES as readonly string[]).includes(type)) bad('type', type, 'search.bad_type', { allowed: RESULT_TYPES.join(', ') });
    filters.type = type as ResultType;
  }
  const limit = integer(raw, 'limit', 1, MAX_LIMIT, DEFAULT_LIMIT);
  const offset = integer(raw, 'offset', 0, MAX_OFFSET, 0);
  if (!queryTerms(q).length && !Object.keys(filters).some((k) => k !== 'type')) {
    throw new ValidationError('search.query_empty', 'search.query_empty', {}, { field: 'q' });
  }
  return { q, filters, limit, offset };
}

/** The words of a query: letters and digits, lower-cased, each once, in order. */
export function queryTerms(q: string): string[] {
  const words = q.normalize('NFC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const seen = new Set<string>();
  for (const w of words) {
    if (w.length > 60) continue;
    seen.add(w);
    if (seen.size >= MAX_TERMS) break;
  }
  return [...seen];
}
