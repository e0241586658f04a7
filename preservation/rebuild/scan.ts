// Finding the AIPs in storage without a catalog: every location's objects are listed (which
// location holds which object), and each object is sniffed for the start of an AIP manifest.
// Manifests are stored as canonical JSON (RFC 8785, members sorted), so every manifest begins
// with `{"aipId":"` and no other object Muragat writes does; a sniff is one small read.
import { open } from 'node:fs/promises';
import path from 'node:path';
import { FsObjectStore, type ObjectStore, type Storage } from '../../storage';

const MANIFEST_START = Buffer.from('{"aipId":"', 'utf8');
const SNIFF_CONCURRENCY = 16;

export interface StorageListing {
  stores: ObjectStore[];
  /** Object digest → indexes (into `stores`) of the locations holding it. */
  holders: Map<string, number[]>;
  /** Digests whose first bytes are those of an AIP manifest. */
  manifestCandidates: string[];
  /** Locations that could not be listed (what they hold is unknown to the rebuild). */
  unlisted: { location: string; reason: string }[];
}

async function firstBytes(store: ObjectStore, sha256: string, n: number): Promise<Buffer> {
  if (store instanceof FsObjectStore) {
    // One small read instead of a stream's 64 KiB buffer: a store holds millions of objects.
    const file = path.join(store.root, 'objects', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(n);
      const { bytesRead } = await handle.read(buffer, 0, n, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
  const stream = store.get(sha256);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= n) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, n);
}

/** Runs `work` over `items` with at most `limit` at once. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i]!, i);
    }
  });
  await Promise.all(lanes);
}

export async function scanStorage(storage: Storage, onProgress?: (done: number, total: number, item: string) => void): Promise<StorageListing> {
  const stores = [storage.primary, ...storage.replicas];
  const holders = new Map<string, number[]>();
  const unlisted: StorageListing['unlisted'] = [];
  for (const [i, store] of stores.entries()) {
    try {
      for await (const sha of store.list()) {
        const held = holders.get(sha);
        if (held) held.push(i);
        else holders.set(sha, [i]);
        if (holders.size % 5000 === 0) onProgress?.(0, holders.size, sha);
      }
    } catch (error) {
      // An unreachable location is a problem of the rebuild, named; the others are still read.
      unlisted.push({ location: store.location, reason: (error instanceof Error ? error.message : String(error)).slice(0, 300) });
    }
  }
  const all = [...holders.keys()];
  const manifestCandidates: string[] = [];
  let done = 0;
  await eachLimited(all, SNIFF_CONCURRENCY, async (sha) => {
    // Any location holding the object will do for a sniff; a damaged copy is caught by the verified read later.
    for (const i of holders.get(sha)!) {
      try {
        const head = await firstBytes(stores[i]!, sha, MANIFEST_START.length);
        if (head.equals(MANIFEST_START)) manifestCandidates.push(sha);
        break;
      } catch {
        // Unreadable here: try the next location holding it.
      }
    }
    done += 1;
    if (done % 200 === 0 || done === all.length) onProgress?.(done, all.length, sha);
  });
  manifestCandidates.sort();
  return { stores, holders, manifestCandidates, unlisted };
}
