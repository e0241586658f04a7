// S3-compatible backend (AWS S3, MinIO, Ceph RGW, s3rver in tests) through @aws-sdk/client-s3.
// Layout under the location's prefix mirrors the filesystem store: objects/ab/cd/<sha256>,
// records/<kind>/<name>, damaged/<sha256>.<time>.<actual> (set-aside evidence) and
// destroyed/<sha256>.<act>.json (the destruction register). Write-once: a put first asks
// whether the name exists and sends `If-None-Match: *`, so servers that honour it refuse an
// overwrite even under a race; a bucket with Object Lock makes that a guarantee.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat as fsStat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors';
import { RECORD_NAME, SHA256_HEX, type DestructionAuthorisation, type ObjectStore, type ObjectVerification, type StoredObject } from './object-store';

export interface S3LocationOptions {
  bucket: string;
  /** Key prefix without leading or trailing slash ('' for the bucket's root). */
  prefix: string;
  region: string;
  /** An S3-compatible server's address; absent: AWS. */
  endpoint?: string;
  /** Path-style addressing (bucket in the path), which most S3-compatible servers need. */
  forcePathStyle: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** `s3://bucket/prefix` — the location's name in reports and audit events (never credentials). */
export function s3LocationName(o: Pick<S3LocationOptions, 'bucket' | 'prefix'>): string {
  return `s3://${o.bucket}${o.prefix ? `/${o.prefix}` : ''}`;
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.Code === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

function isPreconditionFailed(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'PreconditionFailed' || e?.$metadata?.httpStatusCode === 412;
}

// The SDK warns on every process start under Node 20 that releases after January 2027 need
// Node 22; the version pinned in package.json runs on Node 20, and the warning would reach every
// CLI user's terminal. Set before the first client exists (the SDK reads it once).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export class S3ObjectStore implements ObjectStore {
  readonly location: string;
  readonly client: S3Client;
  readonly bucket: string;
  private readonly prefix: string;

  constructor(readonly options: S3LocationOptions) {
    this.location = s3LocationName(options);
    this.bucket = options.bucket;
    this.prefix = options.prefix ? `${options.prefix}/` : '';
    this.client = new S3Client({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Only the checksums S3 requires: older S3-compatible servers refuse the newer defaults.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 4,
    });
  }

  /** Key of an object. */
  objectKey(sha256: string): string {
    assertDigest(sha256);
    return `${this.prefix}objects/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
  }

  private recordKey(name: string): string {
    if (!RECORD_NAME.test(name)) {
      throw new ValidationError('storage.invalid_record_name', 'storage.invalid_record_name', { name: String(name).slice(0, 80) });
    }
    return `${this.prefix}records/${name}`;
  }

  private async headSize(key: string): Promise<number | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  private async putKey(key: string, body: Buffer | { file: string; size: number }, sha256: string): Promise<boolean> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: Buffer.isBuffer(body) ? body : createReadStream(body.file),
          ContentLength: Buffer.isBuffer(body) ? body.byteLength : body.size,
          ContentType: 'application/octet-stream',
          // The server checks the bytes it received against this digest (where it supports it).
          ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
          IfNoneMatch: '*',
          Metadata: { sha256 },
        }),
      );
      return true;
    } catch (error) {
      if (isPreconditionFailed(error)) return false;
      throw error;
    }
  }

  async put(data: Readable | Uint8Array, options: { expectedSha256?: string } = {}): Promise<StoredObject> {
    if (options.expectedSha256 !== undefined) assertDigest(options.expectedSha256);
    if (data instanceof Uint8Array) {
      const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const sha256 = createHash('sha256').update(buf).digest('hex');
      checkExpected(options.expectedSha256, sha256);
      const key = this.objectKey(sha256);
      if ((await this.headSize(key)) !== null) return { sha256, size: buf.byteLength, created: false };
      return { sha256, size: buf.byteLength, created: await this.putKey(key, buf, sha256) };
    }
    // A stream's length and digest are known only at its end: spool it to a temp file first,
    // so the digest is checked before anything reaches the bucket.
    const temp = path.join(tmpdir(), `muragat-s3-${process.pid}-${randomBytes(8).toString('hex')}.part`);
    try {
      const hash = createHash('sha256');
      let size = 0;
      const handle = await open(temp, 'wx', 0o600);
      try {
        for await (const chunk of data) {
          const buf: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
          hash.update(buf);
          size += buf.byteLength;
          let offset = 0;
          while (offset < buf.byteLength) offset += (await handle.write(buf, offset, buf.byteLength - offset)).bytesWritten;
        }
      } finally {
        await handle.close();
      }
      const sha256 = hash.digest('hex');
      checkExpected(options.expectedSha256, sha256);
      const key = this.objectKey(sha256);
      if ((await this.headSize(key)) !== null) return { sha256, size, created: false };
      return { sha256, size, created: await this.putKey(key, { file: temp, size }, sha256) };
    } finally {
      await unlink(temp).catch(() => {});
    }
  }

  async putFile(file: string, options?: { expectedSha256?: string }): Promise<StoredObject> {
    await fsStat(file); // a missing file fails here, named, not inside the upload
    return this.put(createReadStream(file), options);
  }

  get(sha256: string): Readable {
    const key = this.objectKey(sha256);
    const out = new PassThrough();
    this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key })).then(
      (res) => {
        const body = res.Body as Readable;
        body.on('error', (error) => out.destroy(error));
        body.pipe(out);
      },
      (error: unknown) => out.destroy(isNotFound(error) ? notFound(sha256) : (error as Error)),
    );
    return out;
  }

  async getBytes(sha256: string): Promise<Buffer> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(sha256) }));
      return Buffer.from(await res.Body!.transformToByteArray());
    } catch (error) {
      if (isNotFound(error)) throw notFound(sha256);
      throw error;
    }
  }

  async exists(sha256: string): Promise<boolean> {
    return (await this.stat(sha256)) !== null;
  }

  async stat(sha256: string): Promise<{ size: number } | null> {
    const size = await this.headSize(this.objectKey(sha256));
    return size === null ? null : { size };
  }

  private async *keys(prefix: string): AsyncIterable<string> {
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) yield o.Key;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async *list(): AsyncIterable<string> {
    for await (const key of this.keys(`${this.prefix}objects/`)) {
      const name = key.slice(key.lastIndexOf('/') + 1);
      if (SHA256_HEX.test(name)) yield name;
    }
  }

  async verify(sha256: string): Promise<ObjectVerification> {
    let res;
    try {
      res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(sha256) }));
    } catch (error) {
      if (isNotFound(error)) return { ok: false, missing: true };
      throw error;
    }
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of res.Body as Readable) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    const actual = hash.digest('hex');
    return { ok: actual === sha256, actual, size };
  }

  async setAsideDamaged(sha256: string): Promise<{ movedTo: string } | null> {
    const check = await this.verify(sha256);
    if (check.missing) return null;
    if (check.ok) throw new ConflictError('storage.object_sound', 'errors.storage_object_sound', { sha256, location: this.location });
    const target = `${this.prefix}damaged/${sha256}.${new Date().toISOString().replace(/[:.]/g, '-')}.${check.actual ?? 'unknown'}`;
    // Copy, then delete: the evidence exists before the damaged copy leaves its name.
    await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: target, CopySource: `${this.bucket}/${this.objectKey(sha256)}` }));
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(sha256) }));
    return { movedTo: `s3://${this.bucket}/${target}` };
  }

  async putRecord(name: string, bytes: Uint8Array): Promise<void> {
    const key = this.recordKey(name);
    const exists = (await this.headSize(key)) !== null;
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (exists || !(await this.putKey(key, buf, createHash('sha256').update(buf).digest('hex')))) {
      throw new ConflictError('storage.record_exists', 'storage.record_exists', { name, location: this.location });
    }
  }

  async listRecords(kind: string): Promise<string[]> {
    const base = path.posix.dirname(this.recordKey(`${kind}/x`)) + '/';
    const out: string[] = [];
    for await (const key of this.keys(base)) {
      const name = `${kind}/${key.slice(base.length)}`;
      if (RECORD_NAME.test(name)) out.push(name);
    }
    return out.sort();
  }

  async getRecord(name: string): Promise<Buffer | null> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.recordKey(name) }));
      return Buffer.from(await res.Body!.transformToByteArray());
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async destroy(sha256: string, authorisation: DestructionAuthorisation): Promise<void> {
    if (!authorisation?.destructionActId) {
      throw new ValidationError('storage.destruction_unauthorised', 'errors.storage_destruction_unauthorised', { sha256 });
    }
    // The destruction register outlives the object: what was destroyed, when, under which act.
    const entry = Buffer.from(JSON.stringify({ sha256, destructionActId: authorisation.destructionActId, at: new Date().toISOString() }) + '\n');
    const act = authorisation.destructionActId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}destroyed/${this.objectKey(sha256).slice(-64)}.${act}.json`, Body: entry, ContentLength: entry.byteLength }));
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(sha256) }));
  }

  /** Closes the client's connections (tests, process end). */
  close(): void {
    this.client.destroy();
  }
}

function checkExpected(expected: string | undefined, actual: string): void {
  if (expected && expected !== actual) {
    throw new ValidationError('storage.digest_mismatch', 'errors.storage_digest_mismatch', { expected, actual });
  }
}

function assertDigest(sha256: string): void {
  if (!SHA256_HEX.test(sha256)) {
    throw new ValidationError('storage.invalid_digest', 'errors.storage_invalid_digest', { value: String(sha256).slice(0, 80) });
  }
}

function notFound(sha256: string): NotFoundError {
  return new NotFoundError('storage.object_not_found', 'errors.storage_object_not_found', { sha256 });
}
