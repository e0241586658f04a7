// Sealed objects and the key store (storage/sealed.ts, storage/keys.ts): envelopes open only
// with their key and digest, are deterministic per key (re-runs write the same object), differ
// between keys (the deduplication a sealed dossier gives up), and a destroyed key is gone from
// every area, leaving a tombstone.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../storage';
import { sealToFile, unsealBytes, unsealStream } from '../../storage/sealed';
import { createContentKey, destroyContentKey, keyAreasOf, loadContentKey, readKeyFromAreas, repairContentKey } from '../../storage/keys';
import { Readable } from 'node:stream';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('sealed objects and content keys', () => {
  let root: string;
  let storage: { primary: FsObjectStore; replicas: FsObjectStore[] };
  const plain = Buffer.from('Бұйрық №17 — жеке құрам бойынша. '.repeat(5000), 'utf8');
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'muragat-sealed-'));
    storage = { primary: new FsObjectStore(path.join(root, 'a')), replicas: [new FsObjectStore(path.join(root, 'b'))] };
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('seals, opens whole and streamed, and refuses a flipped byte or another key', async () => {
    const areas = keyAreasOf(storage);
    const keyId = randomUUID();
    const { key, check } = await createContentKey(areas, keyId);
    const s1 = await sealToFile(key, keyId, sha(plain), { bytes: plain }, path.join(root, 'tmp'));
    const s2 = await sealToFile(key, keyId, sha(plain), { bytes: plain }, path.join(root, 'tmp'));
    const e1 = await readFile(s1.file);
    expect(e1.equals(await readFile(s2.file))).toBe(true); // deterministic per key
    expect(e1.includes(Buffer.from('Бұйрық'))).toBe(false);
    expect(unsealBytes(key, keyId, sha(plain), e1).equals(plain)).toBe(true);
    const chunks: Buffer[] = [];
    for await (const c of unsealStream(key, keyId, sha(plain), Readable.from([e1.subarray(0, 10), e1.subarray(10, 5000), e1.subarray(5000)]))) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(plain)).toBe(true);
    const bad = Buffer.from(e1);
    bad[bad.length - 5] = bad[bad.length - 5]! ^ 1;
    expect(() => unsealBytes(key, keyId, sha(plain), bad)).toThrow();
    // Another dossier's key seals the same bytes into another object: no deduplication.
    const otherId = randomUUID();
    const other = await createContentKey(areas, otherId);
    const s3 = await sealToFile(other.key, otherId, sha(plain), { bytes: plain }, path.join(root, 'tmp'));
    expect(sha(await readFile(s3.file))).not.toBe(sha(e1));
    expect(() => unsealBytes(other.key, otherId, sha(plain), e1)).toThrow();
    // A wrong digest is refused when sealing, as a store refuses an unexpected digest.
    await expect(sealToFile(key, keyId, sha(Buffer.from('x')), { bytes: plain }, path.join(root, 'tmp'))).rejects.toMatchObject({ code: 'storage.digest_mismatch' });
    expect((await loadContentKey(areas, keyId, check)).state).toBe('ok');
  });

  it('finds a sound key copy, repairs a damaged one, and destroys every copy with a tombstone', async () => {
    const areas = keyAreasOf(storage);
    const keyId = randomUUID();
    const { key, check } = await createContentKey(areas, keyId);
    const damaged = path.join(areas[0]!.dir, `${keyId}.key`);
    await rm(damaged, { force: true });
    await writeFile(damaged, Buffer.alloc(32, 7));
    const found = await loadContentKey(areas, keyId, check);
    expect(found.state).toBe('ok');
    expect(found.state === 'ok' && found.copies.map((c) => c.state)).toEqual(['damaged', 'sound']);
    expect(await repairContentKey(areas, keyId, key)).toEqual([areas[0]!.location]);
    const gone = await destroyContentKey(areas, { keyId, destroyedAt: '2026-12-07T00:00:00.000Z', destructionActId: 'act-1' });
    expect(gone.map((g) => g.hadCopy)).toEqual([true, true]);
    for (const area of areas) {
      const names = await readdir(area.dir);
      expect(names.filter((n) => n.startsWith(keyId))).toEqual([`${keyId}.destroyed.json`]);
    }
    const after = await loadContentKey(areas, keyId, check);
    expect(after.state).toBe('destroyed');
    await expect(readKeyFromAreas(areas, keyId)).rejects.toMatchObject({ code: 'storage.key_destroyed' });
    // A key once destroyed is never made again under the same id.
    await expect(createContentKey(areas, keyId)).rejects.toMatchObject({ code: 'storage.key_destroyed' });
  });
});
