// The S3 backend against a real S3-compatible server (s3rver): the ObjectStore contract as the
// filesystem store keeps it — content addressing, write-once, digest checked on put, verify of
// a damaged or missing copy, damaged copies set aside as evidence, records, destruction register.
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, PutObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { parseConfig } from '../../common/config';
import { openStorage } from '../../storage';
import { S3ObjectStore } from '../../storage/s3-object-store';
import { startS3, type TestS3 } from './s3-server';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('S3ObjectStore (s3rver)', () => {
  let s3: TestS3;
  let store: S3ObjectStore;
  beforeAll(async () => {
    s3 = await startS3();
    store = await s3.store('store-contract');
  });
  afterAll(async () => s3?.close());

  it('stores by digest, once, and reads back; refuses a wrong expected digest', async () => {
    const bytes = Buffer.from('the archive keeps this');
    const first = await store.put(bytes);
    expect(first).toEqual({ sha256: sha(bytes), size: bytes.length, created: true });
    expect((await store.put(Readable.from([bytes]))).created).toBe(false);
    expect(await store.getBytes(first.sha256)).toEqual(bytes);
    const streamed: Buffer[] = [];
    for await (const c of store.get(first.sha256)) streamed.push(c as Buffer);
    expect(Buffer.concat(streamed)).toEqual(bytes);
    expect(await store.stat(first.sha256)).toEqual({ size: bytes.length });
    expect(await store.verify(first.sha256)).toMatchObject({ ok: true, actual: first.sha256 });
    await expect(store.put(Readable.from([Buffer.from('other')]), { expectedSha256: first.sha256 })).rejects.toMatchObject({ code: 'storage.digest_mismatch' });
    const listed: string[] = [];
    for await (const s of store.list()) listed.push(s);
    expect(listed).toContain(first.sha256);
  });

  it('names a missing object and a damaged one; sets the damaged copy aside and accepts the sound one back', async () => {
    const missing = sha('never stored');
    expect(await store.verify(missing)).toEqual({ ok: false, missing: true });
    expect(await store.stat(missing)).toBeNull();
    await expect(store.getBytes(missing)).rejects.toMatchObject({ code: 'storage.object_not_found' });
    const good = Buffer.from('a sound copy');
    const { sha256 } = await store.put(good);
    // Damage it behind the store's back, as a failing disk or an intruder would.
    await store.client.send(new PutObjectCommand({ Bucket: store.bucket, Key: store.objectKey(sha256), Body: Buffer.from('a sound copX') }));
    const v = await store.verify(sha256);
    expect(v.ok).toBe(false);
    expect(v.actual).toBe(sha('a sound copX'));
    await expect(store.setAsideDamaged(sha(good.toString() + '!'))).resolves.toBeNull();
    const aside = await store.setAsideDamaged(sha256);
    expect(aside!.movedTo).toMatch(new RegExp(`^s3://store-contract/archive/damaged/${sha256}\\.`));
    const key = aside!.movedTo.replace('s3://store-contract/', '');
    const evidence = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }));
    expect(await evidence.Body!.transformToString()).toBe('a sound copX');
    expect((await store.put(good, { expectedSha256: sha256 })).created).toBe(true);
    await expect(store.setAsideDamaged(sha256)).rejects.toMatchObject({ code: 'storage.object_sound' });
  });

  it('keeps write-once records and a destruction register', async () => {
    await store.putRecord('anchors/0001.json', Buffer.from('{"a":1}'));
    await expect(store.putRecord('anchors/0001.json', Buffer.from('{"a":2}'))).rejects.toMatchObject({ code: 'storage.record_exists' });
    expect(await store.listRecords('anchors')).toEqual(['anchors/0001.json']);
    expect((await store.getRecord('anchors/0001.json'))!.toString()).toBe('{"a":1}');
    expect(await store.getRecord('anchors/none.json')).toBeNull();
    const { sha256 } = await store.put(Buffer.from('to be destroyed'));
    await expect(store.destroy(sha256, { destructionActId: '' })).rejects.toMatchObject({ code: 'storage.destruction_unauthorised' });
    await store.destroy(sha256, { destructionActId: 'act-7' });
    expect(await store.exists(sha256)).toBe(false);
    const reg = await store.client.send(new ListObjectsV2Command({ Bucket: store.bucket, Prefix: 'archive/destroyed/' }));
    expect(reg.Contents?.map((c) => c.Key)).toEqual([`archive/destroyed/${sha256}.act-7.json`]);
  });

  it('MURAGAT_STORAGE accepts s3:// locations beside folders, credentials from the environment, and names bad ones', () => {
    const config = parseConfig({
      MURAGAT_DATA_DIR: '/tmp/x',
      MURAGAT_STORAGE: `/tmp/x/objects,s3://replica-bucket/muragat/aips?endpoint=${s3.endpoint}&region=kz-1`,
      MURAGAT_S3_ACCESS_KEY_ID: 'id',
      MURAGAT_S3_SECRET_ACCESS_KEY: 'secret',
    });
    expect(config.storage[1]).toEqual({ kind: 's3', bucket: 'replica-bucket', prefix: 'muragat/aips', region: 'kz-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'id', secretAccessKey: 'secret' } });
    const storage = openStorage(config);
    expect(storage.replicas[0]!.location).toBe('s3://replica-bucket/muragat/aips');
    (storage.replicas[0] as S3ObjectStore).close();
    expect(() => parseConfig({ MURAGAT_STORAGE: 's3://AB/x?colour=red' })).toThrow(/bucket name "AB" must be 3 to 63/);
    expect(() => parseConfig({ MURAGAT_STORAGE: 's3://key:secret@bucket-a/x' })).toThrow(/credentials belong in MURAGAT_S3_ACCESS_KEY_ID/);
    expect(() => parseConfig({ MURAGAT_STORAGE: 's3://bucket-a/x', MURAGAT_S3_ACCESS_KEY_ID: 'only-id' })).toThrow(/give both or neither/);
  });
});
