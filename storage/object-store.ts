import type { Readable } from 'node:stream';

export interface StoredObject {
  sha256: string;
  size: number;
  /** False when identical content was already stored (content addressing deduplicates). */
  created: boolean;
}

export interface ObjectVerification {
  ok: boolean;
  /** Digest of the bytes actually found (absent when the object is missing). */
  actual?: string;
  size?: number;
  missing?: boolean;
}

export interface DestructionAuthorisation {
  /** The approved destruction act (p.186-1); only the destruction path holds one. */
  destructionActId: string;
}

/**
 * Write-once, content-addressed object store. Objects are named by the SHA-256 of their
 * bytes and never overwritten; the only way to remove one is the destruction path.
 * Implemented by the filesystem backend; an S3-compatible backend implements the same shape.
 */
export interface ObjectStore {
  readonly location: string;
  put(data: Readable | Uint8Array, options?: { expectedSha256?: string }): Promise<StoredObject>;
  putFile(path: string, options?: { expectedSha256?: string }): Promise<StoredObject>;
  get(sha256: string): Readable;
  getBytes(sha256: string): Promise<Buffer>;
  exists(sha256: string): Promise<boolean>;
  stat(sha256: string): Promise<{ size: number } | null>;
  list(): AsyncIterable<string>;
  verify(sha256: string): Promise<ObjectVerification>;
  destroy(sha256: string, authorisation: DestructionAuthorisation): Promise<void>;
  /**
   * Moves a damaged copy aside (never deletes it: it is evidence) so a good copy can be
   * restored under its name. Refuses when the stored bytes still match their digest, so this
   * can never remove a sound object. Returns where the damaged copy went, or null when absent.
   */
  setAsideDamaged(sha256: string): Promise<{ movedTo: string } | null>;
  /**
   * Small named records kept beside the objects, outside the database (signed audit-log
   * anchors). Write-once like objects: an existing name is never overwritten. Names are
   * `<kind>/<file>` (RECORD_NAME).
   */
  putRecord(name: string, bytes: Uint8Array): Promise<void>;
  /** Names of the records of one kind (`anchors`), sorted. */
  listRecords(kind: string): Promise<string[]>;
  /** A record's bytes, or null when this location does not hold it. */
  getRecord(name: string): Promise<Buffer | null>;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;
export const RECORD_NAME = /^[a-z]+\/[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;
