// What the ingest report says about a conversion besides failures: active content found in the
// original (JavaScript, launch and form actions, embedded files, form fields) and the route that
// made the rendition when it was not the first one (a fallback, page images). Notes carry a
// message key and their parameters (route names are select keys of the messages), so the report
// translates them into the reader's language when it is built.
import { t, type Language } from '../../common/i18n';
import type { ConversionResult } from './converter';

export interface ConversionNote {
  code: string;
  message: string;
  details: Record<string, string | number>;
}

/** The message of a note in `lang` (route names are ICU selects of the message itself). */
export function conversionNoteText(lang: Language, note: { code: string; message?: string; details?: unknown }): string {
  const text = t(lang, note.code, (note.details ?? {}) as Record<string, unknown>);
  return text === note.code ? note.message ?? note.code : text;
}

/** Route codes as message parameters: ICU select keys, so underscores. */
const routeKey = (route: string) => route.replace(/-/g, '_');

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
    const first = r.attempts[0]!;
    out.push(note('convert.route_fallback', { route: routeKey(r.route), failed: routeKey(first.route), reason: (first.problems[0]?.message ?? '').slice(0, 300) }));
  }
  if (kept && r.imageRendition) out.push(note('convert.route_page_images', {}));
  if (!kept && r.attempts?.length) {
    out.push(note('convert.routes_tried', { count: new Set(r.attempts.map((a) => a.route)).size }));
  }
  return out;
}
