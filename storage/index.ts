// Storage: where the archive's bytes live. Domain code sees only ObjectStore.
import type { Config, StorageLocation } from '../common/config';
import { FsObjectStore } from './fs-object-store';
import type { ObjectStore } from './object-store';
import { S3ObjectStore } from './s3-object-store';

export * from './object-store';
export { FsObjectStore } from './fs-object-store';
export { S3ObjectStore, s3LocationName, type S3LocationOptions } from './s3-object-store';

export interface Storage {
  primary: ObjectStore;
  /** Extra copies: verified reads fall back to them, integrity runs repair from them. */
  replicas: ObjectStore[];
}

export function openObjectStore(location: StorageLocation): ObjectStore {
  switch (location.kind) {
    case 'file':
      return new FsObjectStore(location.root);
    case 's3':
      return new S3ObjectStore(location);
  }
}

export function openStorage(config: Pick<Config, 'storage'>): Storage {
  const [first, ...rest] = config.storage;
  if (!first) throw new Error('no storage location configured');
  return { primary: openObjectStore(first), replicas: rest.map(openObjectStore) };
}
export { repairObject, type ObjectRepair } from './repair';
export {
  VERIFY_BUFFER_LIMIT,
  noSoundCopy,
  onAnyCopyFault,
  onCopyFault,
  readVerified,
  readVerifiedBytes,
  type CopyFault,
  type CopyFaultListener,
  type CopyFaultState,
  type VerifiedObject,
} from './verified-read';
