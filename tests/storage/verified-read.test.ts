// Verified reads over two filesystem locations in a temp folder: a flipped byte or a missing
// primary copy is never served, the replica's sound copy is, and the bad copy is reported; with
// no sound copy anywhere the read fails with storage.no_sound_copy before any byte is produced.
// Both the in-memory path (small objects) and the pre-hash-then-stream path (large ones).
import { chmod, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { t } from '../../common/i18n';
import { FsObjectStore, onCopyFault, readVerified, readVerifiedBytes, type CopyFault, type Storage } from '../../storage';

let root: string;
let storage: Storage & { primary: FsObjectStore; replicas: FsObjectStore[] };
let faults: CopyFault[][];

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'muragat-verified-'));
  storage = { primary: new FsObjectStore(path.join(root, 'primary')), replicas: [new FsObjectStore(path.join(root, 'replica'))] };
  faults = [];
  onCopyFault(storage, (f) => void faults.push(f));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function flipByte(store: FsObjectStore, sha256: string, at = 0): Promise<void> {
  const file = store.objectPath(sha256);
  await chmod(file, 0o644);
  const bytes = await readFile(file);
  bytes[at] = bytes[at]! ^ 0x01;
  await writeFile(file, bytes);
}

async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function putBoth(content: Buffer): Promise<string> {
  const { sha256 } = await storage.primary.put(content);
  await storage.replicas[0]!.put(content);
  return sha256;
}

const small = Buffer.from('Іс парағы 1 — лист дела 1 — case sheet 1\n'.repeat(50));
// Above the buffer limit given to readVerified below: the pre-hash path.
const large = Buffer.alloc(256 * 1024, 'Мұрағат ');

describe.each([
  ['small object, verified in memory', small, undefined],
  ['large object, hashed first then streamed', large, 64 * 1024],
] as const)('verified reads: %s', (_name, content, bufferLimit) => {
  const options = bufferLimit ? { bufferLimit } : {};

  it('serves the primary copy when it is sound and reports nothing', async () => {
    const sha256 = await putBoth(content);
    const object = await readVerified(storage, sha256, options);
    expect(object.location).toBe(storage.primary.location);
    expect(object.size).toBe(content.length);
    expect((await drain(object.stream)).equals(content)).toBe(true);
    expect(faults).toEqual([]);
  });

  it('a flipped byte in the primary: the replica\'s bytes are served and the damaged copy reported', async () => {
    const sha256 = await putBoth(content);
    await flipByte(storage.primary, sha256, 7);
    const object = await readVerified(storage, sha256, options);
    expect(object.location).toBe(storage.replicas[0]!.location);
    expect((await drain(object.stream)).equals(content)).toBe(true);
    expect(faults).toHaveLength(1);
    expect(faults[0]).toEqual([expect.objectContaining({ sha256, location: storage.primary.location, state: 'damaged', servedFrom: storage.replicas[0]!.location })]);
    expect(faults[0]![0]!.actual).toMatch(/^[0-9a-f]{64}$/);
    expect(faults[0]![0]!.actual).not.toBe(sha256);
  });

  it('a deleted primary copy: the replica\'s bytes are served and the missing copy reported', async () => {
    const sha256 = await putBoth(content);
    await unlink(storage.primary.objectPath(sha256));
    const object = await readVerified(storage, sha256, options);
    expect((await drain(object.stream)).equals(content)).toBe(true);
    expect(faults[0]).toEqual([expect.objectContaining({ location: storage.primary.location, state: 'missing', servedFrom: storage.replicas[0]!.location })]);
  });

  it('every copy bad: storage.no_sound_copy naming the object and each location, no stream at all', async () => {
    const sha256 = await putBoth(content);
    await flipByte(storage.primary, sha256);
    await unlink(storage.replicas[0]!.objectPath(sha256));
    const error = await readVerified(storage, sha256, options).then(
      () => null,
      (e: unknown) => e as { code: string; status: number; params: Record<string, string>; messageKey: string },
    );
    expect(error).not.toBeNull();
    expect(error!.code).toBe('storage.no_sound_copy');
    expect(error!.status).toBe(503);
    expect(error!.params.sha256).toBe(sha256);
    expect(error!.params.locations).toContain(`${storage.primary.location} (damaged)`);
    expect(error!.params.locations).toContain(`${storage.replicas[0]!.location} (missing)`);
    const message = t('en', error!.messageKey, error!.params);
    expect(message).toContain(sha256);
    expect(message).not.toMatch(/\{|\}/);
    expect(faults[0]!.map((f) => [f.state, f.servedFrom])).toEqual([
      ['damaged', null],
      ['missing', null],
    ]);
  });
});

describe('verified reads: edge cases', () => {
  it('readVerifiedBytes returns the sound replica\'s bytes for a damaged primary', async () => {
    const sha256 = await putBoth(small);
    await flipByte(storage.primary, sha256);
    expect((await readVerifiedBytes(storage, sha256)).equals(small)).toBe(true);
  });

  it('a large copy changed after its pre-hash is cut off before its end, never completed', async () => {
    const sha256 = await putBoth(large);
    const object = await readVerified(storage, sha256, { bufferLimit: 1024 });
    // The file changes between verification and streaming (time-of-check to time-of-use).
    await flipByte(storage.primary, sha256, large.length - 1);
    await expect(drain(object.stream)).rejects.toThrow(/changed while it was being read/);
  });

  it('a listener that fails does not keep the sound copy from being served', async () => {
    onCopyFault(storage, () => {
      throw new Error('audit database down');
    });
    const sha256 = await putBoth(small);
    await flipByte(storage.primary, sha256);
    const object = await readVerified(storage, sha256);
    expect((await drain(object.stream)).equals(small)).toBe(true);
  });

  it('listeners are per storage: another storage over the same folders reports to its own', async () => {
    const other = { primary: new FsObjectStore(storage.primary.root), replicas: [new FsObjectStore(storage.replicas[0]!.root)] };
    const sha256 = await putBoth(small);
    await flipByte(storage.primary, sha256);
    await readVerified(other, sha256);
    expect(faults).toEqual([]);
  });
});
