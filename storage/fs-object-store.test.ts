import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../common/hash';
import { FsObjectStore } from './fs-object-store';

let root: string;
let store: FsObjectStore;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'muragat-store-'));
  store = new FsObjectStore(root);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function listAll(): Promise<string[]> {
  const out: string[] = [];
  for await (const sha of store.list()) out.push(sha);
  return out;
}

describe('filesystem object store', () => {
  it('stores content under its sha256 and reads it back', async () => {
    const bytes = Buffer.from('Электрондық құжат — әғқңөұүһі');
    const stored = await store.put(bytes);
    expect(stored).toEqual({ sha256: sha256Hex(bytes), size: bytes.length, created: true });
    expect(path.basename(store.objectPath(stored.sha256))).toBe(stored.sha256);
    expect(await store.getBytes(stored.sha256)).toEqual(bytes);
    const chunks: Buffer[] = [];
    for await (const c of store.get(stored.sha256)) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks)).toEqual(bytes);
    expect(await store.exists(stored.sha256)).toBe(true);
    expect(await store.stat(stored.sha256)).toEqual({ size: bytes.length });
    expect(await listAll()).toEqual([stored.sha256]);
  });

  it('stores one object for concurrent puts of the same content', async () => {
    const bytes = Buffer.alloc(256 * 1024, 3);
    const results = await Promise.all(Array.from({ length: 12 }, () => store.put(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]))));
    expect(new Set(results.map((r) => r.sha256)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await listAll()).toHaveLength(1);
    expect(await readdir(path.join(root, 'tmp'))).toEqual([]);
  });

  it('never overwrites an object and refuses content whose digest was announced wrongly', async () => {
    const a = await store.put(Buffer.from('first'));
    const again = await store.put(Buffer.from('first'));
    expect(again.created).toBe(false);
    await expect(store.put(Buffer.from('other'), { expectedSha256: a.sha256 })).rejects.toMatchObject({
      code: 'storage.digest_mismatch',
    });
    expect(await listAll()).toEqual([a.sha256]);
    expect(await readdir(path.join(root, 'tmp'))).toEqual([]);
  });

  it('leaves no visible partial object when the writer crashes between write and rename', async () => {
    const child = spawn(process.execPath, [path.resolve('bin/run-ts.js'), path.resolve('storage/testdata/slow-put.ts'), root], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('writing') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    // The partial bytes exist only as a temp file, which no reader sees.
    expect((await readdir(path.join(root, 'tmp'))).length).toBe(1);
    expect(await listAll()).toEqual([]);
    const whole = Buffer.alloc(64 * 1024, 7);
    expect(await store.exists(sha256Hex(whole))).toBe(false);
    const stored = await new FsObjectStore(root).put(whole);
    expect(stored.created).toBe(true);
    expect(await listAll()).toEqual([stored.sha256]);
  });

  it('reports a missing object as not found and detects changed bytes', async () => {
    const missing = 'a'.repeat(64);
    expect(await store.exists(missing)).toBe(false);
    await expect(store.getBytes(missing)).rejects.toMatchObject({ code: 'storage.object_not_found' });
    await expect(
      new Promise((resolve, reject) => store.get(missing).on('error', reject).on('end', resolve).resume()),
    ).rejects.toMatchObject({ code: 'storage.object_not_found' });
    expect(await store.verify(missing)).toEqual({ ok: false, missing: true });

    const stored = await store.put(Buffer.from('fixity'));
    expect((await store.verify(stored.sha256)).ok).toBe(true);
    const file = store.objectPath(stored.sha256);
    await chmod(file, 0o644);
    await writeFile(file, 'fixitY');
    const result = await store.verify(stored.sha256);
    expect(result.ok).toBe(false);
    expect(result.actual).toBe(sha256Hex('fixitY'));
  });

  it('rejects malformed digests and destroys only with an authorisation', async () => {
    expect(() => store.objectPath('../../etc/passwd')).toThrow();
    const stored = await store.put(Buffer.from('to be destroyed'));
    await expect(store.destroy(stored.sha256, { destructionActId: '' })).rejects.toMatchObject({
      code: 'storage.destruction_unauthorised',
    });
    expect(await store.exists(stored.sha256)).toBe(true);
    await store.destroy(stored.sha256, { destructionActId: 'act-2026-1' });
    expect(await store.exists(stored.sha256)).toBe(false);
  });
});
