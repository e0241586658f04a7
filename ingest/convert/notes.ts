// What the ingest report says about a conversion besides failures: active content found in the
// original (JavaScript, launch and form actions, embedded files, form fields) and the route that
// made the rendition when it was not the first one (a fallback, page images). Notes carry a
// message key and parameters; the report translates them into the reader's language, route names
// included, when it is built.
import { t, type Language } from '../../common/i18n';
import type { ConversionResult } from './converter';

export interface ConversionNote {
  code: string;
  message: string;
  details: Record<string, string | number>;
}

const ROUTE_KEY = (route: string) => `convert.route_name_${route.replace(/-/g, '_')}`;

function routeName(lang: Language, route: string): string {
  const key = ROUTE_KEY(route);
  const text = t(lang, key);
  return text === key ? route : text;
}

/** The message of a note in `lang` (route names in details are translated too). */
export function conversionNoteText(lang: Language, note: { code: string; message?: string; details?: unknown }): string {
  const details = { ...((note.details ?? {}) as Record<string, unknown>) };
  if (typeof details.route === 'string') details.route = routeName(lang, details.route);
  if (typeof details.failed === 'string') details.failed = details.failed.split(',').filter(Boolean).map((r) => routeName(lang, r)).join(', ');
  const text = t(lang, note.code, details);
  return text === note.code ? note.message ?? note.code : text;
}

function note(code: string, details: Record<string, string | number>): ConversionNote {
  return { code, message: conversionNoteText('en', { code, details }), details };
}

/** Notes for the document's report entry; empty for a plain first-route conversion. */
export function conversionNotes(r: ConversionResult): ConversionNote[] {
  const out: ConversionNote[] = [];
  for (const a of r.activeContent ?? []) {
    const names = a.kind === 'embedded-file' && r.extractedFiles?.length ? r.extractedFiles.map((f) => f.name) : a.names;
    out.push(note(`convert.active_${a.kind.replace(/-/g, '_')}`, { count: a.count, names: names.slice(0, 10).join(', ') || '—' }));
  }
  const kept = r.ok && (!r.checks || (r.checks.pdfa.compliant && !!r.checks.reproducibility?.ok));
  if (kept && r.route && r.attempts?.length) {
    const failed = r.attempts.map((a) => a.route);
    const reason = r.attempts[0]?.problems[0]?.message ?? '';
    out.push(note('convert.route_fallback', { route: r.route, failed: failed.join(','), reason: reason.slice(0, 300) }));
  }
  if (kept && r.imageRendition) out.push(note('convert.route_page_images', {}));
  if (!kept && r.attempts?.length) {
    out.push(note('convert.routes_tried', { failed: [...new Set(r.attempts.map((a) => a.route))].join(',') }));
  }
  return out;
}
