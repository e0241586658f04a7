// JSON request bodies, read with a size limit. Other content types (uploads) are left to
// the routes that expect them.
import type Koa from 'koa';
import { PayloadTooLargeError, ValidationError } from '../common/errors';
import { assertCleanJson, badText } from './hygiene';

const BODY = Symbol('muragat.body');

async function readLimited(ctx: Koa.Context, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || NaN);
  if (Number.isFinite(declared) && declared > limit) {
    throw new PayloadTooLargeError('request.body_too_large', 'server.body_too_large', { limit });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      // Stop reading; the connection is closed after the answer so the rest is not parsed.
      ctx.set('Connection', 'close');
      throw new PayloadTooLargeError('request.body_too_large', 'server.body_too_large', { limit });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Parsed JSON body of the request (cached), or a 400/413 saying what is wrong. */
export async function jsonBody(ctx: Koa.Context, limit: number): Promise<unknown> {
  const cached = (ctx.state as Record<symbol, unknown>)[BODY];
  if (cached !== undefined) return cached;
  if (!ctx.is('application/json')) {
    throw new ValidationError('request.json_expected', 'server.json_expected', { contentType: ctx.get('content-type') || '-' });
  }
  const raw = await readLimited(ctx, limit);
  let text: string;
  try {
    // Strict: bytes that are not UTF-8 are refused, not silently replaced by U+FFFD.
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw badText('body', '/', 'invalid_utf8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError('request.invalid_json', 'server.invalid_json', { reason: (error as Error).message });
  }
  // "\u0000" and lone "\ud800" escapes parse into strings the database cannot keep as sent.
  assertCleanJson(value);
  (ctx.state as Record<symbol, unknown>)[BODY] = value;
  return value;
}
