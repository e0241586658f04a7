// Input hygiene: text that cannot be stored or compared safely is refused at the door with a
// 400 naming where it is, instead of failing deep inside (PostgreSQL refuses NUL and invalid
// UTF-8 with a 500 "invalid byte sequence"; a lone surrogate would be silently replaced by
// U+FFFD on the way to the database, changing what the user sent). Checked: every path
// segment and query parameter as percent-decoded strict UTF-8, every header value, and
// every string (keys included) of a JSON body (server/body.ts).
import type Koa from 'koa';
import { ValidationError } from '../common/errors';

export type TextProblem = 'nul' | 'invalid_utf8' | 'lone_surrogate';
export type TextPlace = 'path' | 'query' | 'header' | 'body';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What is wrong with a decoded string, or null. */
export function textProblem(value: string): TextProblem | null {
  if (value.includes('\u0000')) return 'nul';
  if (LONE_SURROGATE.test(value)) return 'lone_surrogate';
  return null;
}

export function badText(where: TextPlace, field: string, problem: TextProblem): ValidationError {
  // The field name itself may be the bad text; show it escaped so the message stays readable.
  const shown = JSON.stringify(field.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD')).slice(1, -1).slice(0, 100);
  return new ValidationError('request.bad_text', 'server.request_bad_text', { where, field: shown, problem }, { where, field: shown, problem });
}

/** Percent-decodes strictly: malformed escapes or bytes that are not UTF-8 are refused. */
function decodeStrict(raw: string, where: TextPlace, field: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw badText(where, field, 'invalid_utf8');
  }
  const problem = textProblem(decoded);
  if (problem) throw badText(where, field, problem);
  return decoded;
}

/** Throws the 400 for the first bad path segment, query parameter or header of the request. */
export function assertCleanRequest(rawUrl: string, headers: Record<string, string | string[] | undefined>): void {
  const q = rawUrl.indexOf('?');
  const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const rawQuery = q === -1 ? '' : rawUrl.slice(q + 1);
  // The request line arrives as Latin-1: a raw byte above 0x7f is not percent-encoded text.
  if (/[^\x21-\x7e]/.test(rawPath)) throw badText('path', rawPath, /\x00/.test(rawPath) ? 'nul' : 'invalid_utf8');
  for (const segment of rawPath.split('/')) decodeStrict(segment, 'path', segment);
  if (rawQuery) {
    if (/[^\x20-\x7e]/.test(rawQuery)) throw badText('query', rawQuery, /\x00/.test(rawQuery) ? 'nul' : 'invalid_utf8');
    for (const pair of rawQuery.split('&')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      const rawKey = (eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, ' ');
      const key = decodeStrict(rawKey, 'query', rawKey);
      if (eq !== -1) decodeStrict(pair.slice(eq + 1).replace(/\+/g, ' '), 'query', key);
    }
  }
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      // Node's parser already refuses most control characters in headers; NUL is checked here
      // because a header value (User-Agent, Accept-Language) may be stored or logged.
      if (v.includes('\u0000')) throw badText('header', name, 'nul');
    }
  }
}

/** Koa middleware: the checks above on every request. */
export function inputHygiene(): Koa.Middleware {
  return async (ctx, next) => {
    assertCleanRequest(ctx.req.url ?? '/', ctx.req.headers);
    await next();
  };
}

/** Walks a parsed JSON value: every string and key must be storable text. */
export function assertCleanJson(value: unknown, pointer = ''): void {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    if (problem) throw badText('body', pointer || '/', problem);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => assertCleanJson(item, `${pointer}/${i}`));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = textProblem(key);
      if (keyProblem) throw badText('body', `${pointer}/${key}`, keyProblem);
      assertCleanJson(item, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    }
  }
}
