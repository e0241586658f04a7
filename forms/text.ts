// How the forms print values: text in the form's language, dates, byte counts, people,
// retention. One place, so the PDF, the CSV and the JSON headings agree.
import { retentionForForm } from './retention-text';
import type { FormLanguage, FormPerson, FormRetention, FormText, IsoDate, IsoDateTime } from './types';

/** The text in the form's language, else the other one (never nothing when there is one). */
export function pick(text: FormText | null | undefined, lang: FormLanguage): string {
  if (text === null || text === undefined) return '';
  if (typeof text === 'string') return text;
  return (lang === 'kk' ? text.kk || text.ru : text.ru || text.kk) ?? '';
}

/** The blank the forms leave for a value to be filled in by hand. */
export const BLANK = '____________';

/** `2025-01-09` → `09.01.2025`, as documents in Kazakhstan write dates; '' for null. */
export function formatDate(date: IsoDate | IsoDateTime | null | undefined): string {
  if (!date) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!m) return date;
  return `${m[3]}.${m[2]}.${m[1]}`;
}

/** A signing instant in UTC with minutes: `09.01.2025 10:15 UTC`. */
export function formatInstant(instant: IsoDateTime | null | undefined): string {
  if (!instant) return '';
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) return instant;
  const iso = d.toISOString();
  return `${formatDate(iso)} ${iso.slice(11, 16)} UTC`;
}

/** Extreme dates of a dossier: `12.01.2025 – 28.12.2025`, one date when both are equal. */
export function formatDateRange(range: { from: IsoDate | null; to: IsoDate | null }): string {
  const from = formatDate(range.from);
  const to = formatDate(range.to);
  if (from && to) return from === to ? from : `${from} – ${to}`;
  return from || to;
}

/** Digits grouped by three with no-break spaces, so a count never wraps inside: 1 234 567. */
export function formatNumber(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
}

/** «Наименование должности, инициалы, фамилия» on one line. */
export function formatPerson(person: FormPerson | null | undefined, lang: FormLanguage): string {
  if (!person) return '';
  const position = pick(person.position, lang);
  return [position, person.name].filter(Boolean).join(', ');
}

/** The retention column: «5 лет ЭПК, п. 23» / «5 жыл «СТК» белгісімен, 23-тармақ». */
export function formatRetention(retention: FormRetention | null | undefined, lang: FormLanguage): string {
  if (!retention) return '';
  return retentionForForm({ kind: retention.kind, years: retention.years }, lang, retention.article);
}

/** A protocol: «09.01.2025 № 3». */
export function formatProtocol(protocol: { number: string | null; date: IsoDate | null } | null | undefined): string {
  if (!protocol) return '';
  const date = formatDate(protocol.date) || BLANK;
  return `${date} № ${protocol.number?.trim() || BLANK}`;
}
