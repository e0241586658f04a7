import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import canonicalizeImport from 'canonicalize';

// `canonicalize` is CommonJS with a default export; normalise the interop shape once here.
const canonicalizeFn = ((canonicalizeImport as unknown as { default?: unknown }).default ?? canonicalizeImport) as (
  value: unknown,
) => string | undefined;

/** RFC 8785 (JSON Canonicalization Scheme) serialisation. */
export function canonicalJson(value: unknown): string {
  const out = canonicalizeFn(value);
  if (out === undefined) throw new TypeError('value cannot be canonicalised as JSON');
  return out;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function sha256File(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}
