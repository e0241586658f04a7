// Every string that comes from a document or a package (PDF Info and XMP, office properties,
// file names, tool messages about them) passes through here before it reaches the database or a
// report: PostgreSQL refuses NUL in text and jsonb, control characters corrupt reports and
// terminals, lone surrogates are not valid UTF-8, and a megabyte "title" is an attack, not a title.

/** Longest string kept by default (code units); longer ones are cut and marked. */
export const MAX_TEXT_LENGTH = 4000;
export const TRUNCATION_MARKER = '…[truncated]';

// C0 controls except TAB and LF, DEL, and the C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Clean text: CR/CRLF become LF, other controls are dropped, lone surrogates become U+FFFD. */
export function sanitiseText(value: string, max = MAX_TEXT_LENGTH): string {
  let s = value.replace(/\r\n?/g, '\n').replace(CONTROL, '').replace(LONE_SURROGATE, '\uFFFD');
  if (s.length > max) {
    let cut = Math.max(0, max - TRUNCATION_MARKER.length);
    // Never split a surrogate pair at the cut.
    if (cut > 0 && /[\uD800-\uDBFF]/.test(s[cut - 1]!)) cut -= 1;
    s = s.slice(0, cut) + TRUNCATION_MARKER;
  }
  return s;
}

/** True when sanitiseText would change the value. */
export function needsSanitising(value: string, max = MAX_TEXT_LENGTH): boolean {
  return value.length > max || /[\r\u0000-\u0008\u000B-\u001F\u007F-\u009F]/.test(value) || new RegExp(LONE_SURROGATE.source).test(value);
}

/** Sanitises every string (and object key) in a JSON-like value; other values pass unchanged. */
export function sanitiseDeep<T>(value: T, max = MAX_TEXT_LENGTH): T {
  return walk(value, max, 0) as T;
}

function walk(value: unknown, max: number, depth: number): unknown {
  if (typeof value === 'string') return needsSanitising(value, max) ? sanitiseText(value, max) : value;
  if (value === null || typeof value !== 'object' || depth > 200) return value;
  if (Array.isArray(value)) return value.map((v) => walk(v, max, depth + 1));
  if (value instanceof Date || ArrayBuffer.isView(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[needsSanitising(k, 200) ? sanitiseText(k, 200) : k] = walk(v, max, depth + 1);
  return out;
}
