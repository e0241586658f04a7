// One entry for every form: a model of App. 26, 30, 31, 32 or 33 rendered as PDF/A-1b, JSON or
// CSV in Kazakh or Russian. JSON carries the model itself (with the headings of the chosen
// language) and reads back to the same model; CSV is the table as printed, UTF-8 with a BOM so
// Excel opens Cyrillic correctly, headings in the chosen language.
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { ValidationError } from '../common/errors';
import type { FormDefinition } from './blocks';
import { renderFormPdf } from './layout';
import { acceptanceActForm } from './appendix-33';
import { internalInventoryForm } from './appendix-32';
import { inventoryForm } from './appendix-30';
import { nomenclatureForm } from './appendix-26';
import { scheduleForm } from './appendix-31';
import { FORM_KINDS, type FormKind, type FormLanguage, type FormModel, type FormOf } from './types';

export type FormFormat = 'pdf' | 'json' | 'csv';
export const FORM_FORMATS = ['pdf', 'json', 'csv'] as const satisfies readonly FormFormat[];
export const FORM_LANGUAGES = ['kk', 'ru'] as const satisfies readonly FormLanguage[];

export const FORM_DEFINITIONS: { [K in FormKind]: FormDefinition<FormOf<K>> } = {
  nomenclature: nomenclatureForm,
  inventory: inventoryForm,
  schedule: scheduleForm,
  'internal-inventory': internalInventoryForm,
  'acceptance-act': acceptanceActForm,
};

export function isFormKind(value: unknown): value is FormKind {
  return typeof value === 'string' && (FORM_KINDS as readonly string[]).includes(value);
}
export function isFormFormat(value: unknown): value is FormFormat {
  return typeof value === 'string' && (FORM_FORMATS as readonly string[]).includes(value);
}
export function isFormLanguage(value: unknown): value is FormLanguage {
  return value === 'kk' || value === 'ru';
}

export function definitionOf<K extends FormKind>(kind: K): FormDefinition<FormOf<K>> {
  return FORM_DEFINITIONS[kind] as FormDefinition<FormOf<K>>;
}

export interface Rendition {
  bytes: Uint8Array;
  /** Media type for the HTTP response and the stored object. */
  mime: string;
  /** A file name: `app32-03-12-ru.pdf`. */
  filename: string;
  format: FormFormat;
  language: FormLanguage;
  /** The form's title in its language (PDF title, stored rendition label). */
  title: string;
}

export interface RenderOptions {
  /** Fixed date for the PDF metadata (reproducible renditions). */
  date?: Date;
  /** Who renders it (PDF author). */
  author?: string;
}

const MIME: Record<FormFormat, string> = {
  pdf: 'application/pdf',
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

/** Refuses a model whose totals disagree with its rows: a legal form must add up. */
export function assertConsistent(model: FormModel): void {
  const problems = (definitionOf(model.kind) as FormDefinition<FormModel>).check(model);
  if (problems.length) {
    throw new ValidationError('forms.totals_mismatch', 'forms.totals_mismatch', { kind: model.kind, id: model.id, problems: problems.join('; ') }, { problems });
  }
}

function fileStem(model: FormModel, lang: FormLanguage): string {
  const appendix = definitionOf(model.kind).appendix;
  const subject = model.kind === 'internal-inventory' ? model.dossierIndex : model.kind === 'inventory' ? `${model.year}-${model.number}` : model.kind === 'acceptance-act' ? model.actNumber : String(model.year);
  const safe = subject.replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 60);
  return `app${appendix}-${safe}-${lang}`;
}

export const JSON_SCHEMA_ID = 'muragat.form/1';

/** The JSON rendition: the model with the headings of the chosen language. */
export function formToJson(model: FormModel, lang: FormLanguage): string {
  const def = definitionOf(model.kind) as FormDefinition<FormModel>;
  const document = {
    schema: JSON_SCHEMA_ID,
    kind: model.kind,
    appendix: def.appendix,
    language: lang,
    title: def.title(model, lang),
    columns: def.headings(lang).map((heading, i) => ({ number: def.columnNumbers?.[i] ?? i + 1, heading })),
    model,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Reads a JSON rendition back to its model; refuses anything that is not one. */
export function parseFormJson(text: string): { language: FormLanguage; model: FormModel } {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ValidationError('forms.json_invalid', 'forms.json_invalid', { reason: (err as Error).message });
  }
  const doc = value as { schema?: unknown; kind?: unknown; language?: unknown; model?: { kind?: unknown; rows?: unknown } } | null;
  if (!doc || doc.schema !== JSON_SCHEMA_ID || !isFormKind(doc.kind) || !isFormLanguage(doc.language) || !doc.model || doc.model.kind !== doc.kind || !Array.isArray(doc.model.rows)) {
    throw new ValidationError('forms.json_invalid', 'forms.json_invalid', { reason: `not a ${JSON_SCHEMA_ID} document` });
  }
  return { language: doc.language, model: doc.model as FormModel };
}

/** The CSV rendition: a heading row in the form's language, then the rows as printed. */
export function formToCsv(model: FormModel, lang: FormLanguage): string {
  const def = definitionOf(model.kind) as FormDefinition<FormModel>;
  const headings = def.headings(lang);
  const rows = def.rows(model, lang).map((row) => {
    if (row.kind === 'cells') return row.cells.map((c) => c.replace(/\u00a0/g, ' '));
    // A section row as the printed form shows it: its title in the heading column.
    const cells = headings.map(() => '');
    cells[sectionColumn(model.kind)] = row.text;
    return cells;
  });
  return `\uFEFF${stringifyCsv([headings, ...rows], { record_delimiter: '\r\n' })}`;
}

/** Where a section title goes in CSV: the heading column (App. 26 col. 2, App. 30 col. 3). */
function sectionColumn(kind: FormKind): number {
  return kind === 'nomenclature' ? 1 : kind === 'inventory' ? 2 : 1;
}

/** Reads a CSV rendition back: the headings and the rows of strings. */
export function parseFormCsv(text: string): { headings: string[]; rows: string[][] } {
  const records = parseCsv(text.replace(/^\uFEFF/, ''), { relax_column_count: false }) as string[][];
  const [headings = [], ...rows] = records;
  return { headings, rows };
}

/** Renders a model as PDF/A-1b, JSON or CSV in the given language. */
export async function renderForm(model: FormModel, lang: FormLanguage, format: FormFormat, options: RenderOptions = {}): Promise<Rendition> {
  assertConsistent(model);
  const def = definitionOf(model.kind) as FormDefinition<FormModel>;
  const title = def.title(model, lang);
  const base = { mime: MIME[format], filename: `${fileStem(model, lang)}.${format}`, format, language: lang, title };
  if (format === 'json') return { ...base, bytes: Buffer.from(formToJson(model, lang), 'utf8') };
  if (format === 'csv') return { ...base, bytes: Buffer.from(formToCsv(model, lang), 'utf8') };
  const spec = def.document(model, lang);
  const bytes = await renderFormPdf({ ...spec, author: options.author, date: options.date, subject: `App. ${def.appendix}` });
  return { ...base, bytes };
}
