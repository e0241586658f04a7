// An S3-compatible server for the tests: s3rver (npm, Node 20+) on a free port over a
// temporary folder, with one bucket made through the S3 API itself.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
// @ts-expect-error s3rver ships no types (its @types package describes an older API)
import S3rver from 's3rver';
import { S3ObjectStore, type S3LocationOptions } from '../../storage/s3-object-store';

export interface TestS3 {
  endpoint: string;
  dir: string;
  /** A store on a bucket of its own (created). */
  store(bucket: string, prefix?: string): Promise<S3ObjectStore>;
  options(bucket: string, prefix?: string): S3LocationOptions;
  close(): Promise<void>;
}

export async function startS3(): Promise<TestS3> {
  const dir = await mkdtemp(path.join(tmpdir(), 'muragat-s3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir });
  const { port } = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  const stores: S3ObjectStore[] = [];
  const options = (bucket: string, prefix = 'archive'): S3LocationOptions => ({
    bucket,
    prefix,
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    endpoint,
    dir,
    options,
    async store(bucket, prefix) {
      const store = new S3ObjectStore(options(bucket, prefix));
      await store.client.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: { name?: string }) => {
        if (error.name !== 'BucketAlreadyOwnedByYou' && error.name !== 'BucketAlreadyExists') throw error;
      });
      stores.push(store);
      return store;
    },
    async close() {
      for (const s of stores) s.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
