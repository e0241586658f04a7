// Sealed objects (docs/destruction.md): the content of a dossier that may be destroyed one day
// is stored as AES-256-GCM ciphertext under the dossier's content key. The envelope is
//   "MRGSEAL1" (8) | IV (12) | GCM tag (16) | ciphertext
// with the tag in front so a reader can authenticate while streaming. The IV is derived from
// the key and the plaintext's SHA-256 (HMAC), so sealing the same bytes with the same key gives
// the same envelope: a re-run of the store step writes the same object again (write-once
// storage stays idempotent) while the same IV is never used for two different plaintexts
// (synthetic IV). The additional data binds the envelope to its key id and plaintext digest.
// The envelope is an ordinary content-addressed object, named by the SHA-256 of its bytes, so
// integrity runs, replicas and repair treat it like any other object without the key.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, type DecipherGCM } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ValidationError } from '../common/errors';

const MAGIC = Buffer.from('MRGSEAL1', 'latin1');
export const SEALED_HEADER_BYTES = MAGIC.length + 12 + 16;

function ivOf(key: Uint8Array, plainSha256: string): Buffer {
  return createHmac('sha256', key).update(`muragat.seal-iv/1:${plainSha256}`).digest().subarray(0, 12);
}

function aadOf(keyId: string, plainSha256: string): Buffer {
  return Buffer.from(`muragat.sealed/1:${keyId}:${plainSha256}`, 'utf8');
}

async function* chunksOf(source: { file: string } | { bytes: Uint8Array }): AsyncGenerator<Buffer> {
  if ('bytes' in source) {
    yield Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength);
    return;
  }
  for await (const chunk of createReadStream(source.file)) yield chunk as Buffer;
}

/** SHA-256 of a file or bytes (when the caller does not know it yet). */
export async function sha256Of(source: { file: string } | { bytes: Uint8Array }): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of chunksOf(source)) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * Seals a file or bytes into a temporary envelope file in `tmpDir` (streamed: a large rendition
 * is never held in memory). The plaintext must hash to `plainSha256`, as a store's
 * expectedSha256 demands. The caller stores the file and removes it.
 */
export async function sealToFile(
  key: Uint8Array,
  keyId: string,
  plainSha256: string,
  source: { file: string } | { bytes: Uint8Array },
  tmpDir: string,
): Promise<{ file: string; size: number; plainSize: number }> {
  await mkdir(tmpDir, { recursive: true });
  const file = path.join(tmpDir, `${process.pid}-${randomBytes(8).toString('hex')}.sealed`);
  const iv = ivOf(key, plainSha256);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aadOf(keyId, plainSha256));
  const hash = createHash('sha256');
  const handle = await open(file, 'wx', 0o600);
  let plainSize = 0;
  let position = SEALED_HEADER_BYTES;
  const write = async (bytes: Buffer) => {
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, position);
      offset += bytesWritten;
      position += bytesWritten;
    }
  };
  try {
    for await (const chunk of chunksOf(source)) {
      hash.update(chunk);
      plainSize += chunk.length;
      await write(cipher.update(chunk));
    }
    await write(cipher.final());
    const actual = hash.digest('hex');
    if (actual !== plainSha256) {
      throw new ValidationError('storage.digest_mismatch', 'errors.storage_digest_mismatch', { expected: plainSha256, actual });
    }
    await handle.write(Buffer.concat([MAGIC, iv, cipher.getAuthTag()]), 0, SEALED_HEADER_BYTES, 0);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(file).catch(() => {});
    throw error;
  }
  await handle.close();
  return { file, size: position, plainSize };
}

function parseHeader(header: Buffer, keyId: string): { iv: Buffer; tag: Buffer } {
  if (header.length < SEALED_HEADER_BYTES || !header.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new ValidationError('storage.not_sealed', 'storage.not_sealed', { keyId });
  }
  return { iv: header.subarray(MAGIC.length, MAGIC.length + 12), tag: header.subarray(MAGIC.length + 12, SEALED_HEADER_BYTES) };
}

/** Opens an envelope whole (small objects). Throws unless it authenticates and hashes to plainSha256. */
export function unsealBytes(key: Uint8Array, keyId: string, plainSha256: string, envelope: Buffer): Buffer {
  const { iv, tag } = parseHeader(envelope, keyId);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aadOf(keyId, plainSha256));
  decipher.setAuthTag(tag);
  const plain = Buffer.concat([decipher.update(envelope.subarray(SEALED_HEADER_BYTES)), decipher.final()]);
  const actual = createHash('sha256').update(plain).digest('hex');
  if (actual !== plainSha256) throw new ValidationError('storage.unsealed_digest_mismatch', 'storage.unsealed_digest_mismatch', { expected: plainSha256, actual });
  return plain;
}

/**
 * Opens an envelope as a stream of plaintext. The stream fails before its end when the tag or
 * the plaintext digest does not match, so a reader never sees a complete body that is wrong.
 */
export function unsealStream(key: Uint8Array, keyId: string, plainSha256: string, envelope: Readable): Readable {
  async function* run(): AsyncGenerator<Buffer> {
    let header = Buffer.alloc(0);
    let decipher: DecipherGCM | null = null;
    const hash = createHash('sha256');
    for await (const raw of envelope) {
      let chunk = raw as Buffer;
      if (!decipher) {
        header = Buffer.concat([header, chunk]);
        if (header.length < SEALED_HEADER_BYTES) continue;
        const { iv, tag } = parseHeader(header, keyId);
        decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAAD(aadOf(keyId, plainSha256));
        decipher.setAuthTag(tag);
        chunk = header.subarray(SEALED_HEADER_BYTES);
      }
      const out = decipher.update(chunk);
      hash.update(out);
      if (out.length) yield out;
    }
    if (!decipher) parseHeader(header, keyId);
    const last = decipher!.final();
    hash.update(last);
    const actual = hash.digest('hex');
    if (actual !== plainSha256) throw new ValidationError('storage.unsealed_digest_mismatch', 'storage.unsealed_digest_mismatch', { expected: plainSha256, actual });
    if (last.length) yield last;
  }
  return Readable.from(run(), { objectMode: false });
}
