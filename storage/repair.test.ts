import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsObjectStore } from './fs-object-store';
import { repairObject } from './repair';

let root: string;
let primary: FsObjectStore;
let replica: FsObjectStore;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'muragat-repair-'));
  primary = new FsObjectStore(path.join(root, 'primary'));
  replica = new FsObjectStore(path.join(root, 'replica'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function damage(store: FsObjectStore, sha256: string): Promise<void> {
  const file = store.objectPath(sha256);
  await chmod(file, 0o644);
  const bytes = await readFile(file);
  bytes[0] = bytes[0]! ^ 0xff;
  await writeFile(file, bytes);
}

describe('repair from replicas', () => {
  const content = Buffer.from('Ішкі тізімдеме — внутренняя опись, парақ 1');

  it('restores a damaged primary copy from the replica and keeps the damaged bytes aside', async () => {
    const { sha256 } = await primary.put(content);
    await replica.put(content);
    await damage(primary, sha256);
    expect((await primary.verify(sha256)).ok).toBe(false);

    const result = await repairObject(sha256, [primary, replica]);
    expect(result.source).toBe(replica.location);
    expect(result.repaired).toEqual([expect.objectContaining({ location: primary.location, was: 'damaged' })]);
    expect(result.unrepaired).toEqual([]);
    expect((await primary.verify(sha256)).ok).toBe(true);
    // The damaged copy is evidence: set aside, not deleted.
    const aside = await readdir(path.join(root, 'primary', 'damaged'));
    expect(aside).toHaveLength(1);
    expect(aside[0]!.startsWith(sha256)).toBe(true);
  });

  it('restores a missing replica copy from the primary', async () => {
    const { sha256 } = await primary.put(content);
    const result = await repairObject(sha256, [primary, replica]);
    expect(result.repaired).toEqual([{ location: replica.location, was: 'missing' }]);
    expect(await replica.getBytes(sha256)).toEqual(content);
  });

  it('reports, and changes nothing, when no store holds a sound copy', async () => {
    const { sha256 } = await primary.put(content);
    await replica.put(content);
    await damage(primary, sha256);
    await damage(replica, sha256);
    const result = await repairObject(sha256, [primary, replica]);
    expect(result.source).toBeNull();
    expect(result.repaired).toEqual([]);
    expect(result.unrepaired.map((u) => u.location)).toEqual([primary.location, replica.location]);
    expect((await primary.verify(sha256)).missing).toBeUndefined();
  });

  it('never sets aside a sound object', async () => {
    const { sha256 } = await primary.put(content);
    await expect(primary.setAsideDamaged(sha256)).rejects.toMatchObject({ code: 'storage.object_sound' });
    expect((await primary.verify(sha256)).ok).toBe(true);
  });
});
