// JSON from a sender (manifest.json, metadata files) parsed with limits on size and nesting
// depth. The depth is measured by a linear scan before JSON.parse, so a 100,000-deep array is a
// clear sender error instead of "Maximum call stack size exceeded" somewhere downstream (schema
// validation, canonical hashing and JSON.stringify all recurse).
import { ValidationError } from '../../common/errors';

export const JSON_MAX_BYTES = 32 * 1024 * 1024;
export const JSON_MAX_DEPTH = 64;

export class JsonLimitError extends ValidationError {}

export interface JsonLimits {
  maxBytes?: number;
  maxDepth?: number;
  /** Named in the error (the file). */
  where: string;
}

/** The deepest nesting of arrays and objects in `text` (strings are skipped); stops past `stopAt`. */
export function jsonDepth(text: string, stopAt = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > stopAt) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Parses sender JSON or throws JsonLimitError (code ingest.json_too_large / json_too_deep / json_invalid). */
export function parseBoundedJson(input: string | Uint8Array, limits: JsonLimits): unknown {
  const maxBytes = limits.maxBytes ?? JSON_MAX_BYTES;
  const maxDepth = limits.maxDepth ?? JSON_MAX_DEPTH;
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > maxBytes) throw new JsonLimitError('ingest.json_too_large', 'ingest.json_too_large', { file: limits.where, size, limit: maxBytes });
  const text = (typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8')).replace(/^\uFEFF/, '');
  const depth = jsonDepth(text, maxDepth);
  if (depth > maxDepth) throw new JsonLimitError('ingest.json_too_deep', 'ingest.json_too_deep', { file: limits.where, limit: maxDepth });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new JsonLimitError('ingest.json_invalid', 'ingest.json_invalid', { file: limits.where, reason: (error as Error).message.slice(0, 200) });
  }
}
