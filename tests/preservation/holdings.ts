// Synthetic holdings for the preservation tests: transfers and stored dossiers whose AIP
// manifests and objects are written to every storage location as ingest writes them
// (putEverywhere), without running a whole ingest (minutes of conversion for what fixity only
// reads as bytes). Objects are random, so every one is distinct.
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../database/database';
import { putEverywhere, serialiseJson } from '../../ingest/aip';
import type { FsObjectStore, Storage } from '../../storage';

export interface TestDossier {
  id: string;
  index: string;
  manifest: string;
  objects: { sha256: string; size: number; path: string }[];
}

/**
 * With `sealed`, each dossier's content is stored as envelopes (as destruction/ seals the
 * content of dossiers that may be destroyed): the manifest names plain digests the store does
 * not hold, and sealed_objects maps them to the stored envelopes. `objects` are the envelopes.
 */
export async function createHoldings(db: Kysely<Database>, storage: Storage, options: { dossiers: number; objectsPerDossier: number; maxBytes?: number; sealed?: boolean }): Promise<TestDossier[]> {
  const transferId = randomUUID();
  await sql`INSERT INTO transfers (id, status, source_name) VALUES (${transferId}::uuid, 'completed', ${`fixity-${transferId.slice(0, 8)}.tar`})`.execute(db);
  const out: TestDossier[] = [];
  for (let d = 0; d < options.dossiers; d++) {
    const objects: TestDossier['objects'] = [];
    for (let o = 0; o < options.objectsPerDossier; o++) {
      const bytes = randomBytes(1 + Math.floor(Math.random() * (options.maxBytes ?? 64 * 1024)));
      const put = await putEverywhere(storage, { bytes });
      objects.push({ sha256: put.sha256, size: put.size, path: `documents/${String(o + 1).padStart(3, '0')}/original/file-${o + 1}.bin` });
    }
    // Sealed: the manifest names a plain digest per envelope (content the store never holds).
    const plain = objects.map((x) => ({ ...x, sha256: options.sealed ? randomBytes(32).toString('hex') : x.sha256, size: options.sealed ? x.size - 28 : x.size }));
    const manifest = await putEverywhere(storage, { bytes: serialiseJson({ files: plain.map((x) => ({ ...x, role: 'original' })) }) });
    const index = `07-${String(d + 1).padStart(2, '0')}`;
    const id = randomUUID();
    await sql`INSERT INTO dossiers (id, transfer_id, case_index, title, status, aip_manifest_sha256, inventory_sha256, integrity_sha256, metadata)
      VALUES (${id}::uuid, ${transferId}::uuid, ${index}, ${`Dossier ${index}`}, 'stored', ${manifest.sha256}, ${objects[0]!.sha256}, ${objects[0]!.sha256}, '{}'::jsonb)`.execute(db);
    if (options.sealed) {
      const keyId = randomUUID();
      await sql`INSERT INTO content_keys (key_id, aip_id, dossier_id, key_check) VALUES (${keyId}::uuid, ${`test-${id}`}, ${id}::uuid, ${randomBytes(32).toString('hex')})`.execute(db);
      for (let i = 0; i < objects.length; i++) {
        await sql`INSERT INTO sealed_objects (key_id, plain_sha256, sealed_sha256, plain_size, sealed_size)
          VALUES (${keyId}::uuid, ${plain[i]!.sha256}, ${objects[i]!.sha256}, ${plain[i]!.size}, ${objects[i]!.size})`.execute(db);
      }
    }
    out.push({ id, index, manifest: manifest.sha256, objects });
  }
  return out;
}

/** Flips one bit in the middle of a stored copy, as a failing disk would. */
export async function flipBit(store: FsObjectStore, sha256: string): Promise<void> {
  const file = store.objectPath(sha256);
  await chmod(file, 0o644);
  const bytes = await readFile(file);
  const at = bytes.length >> 1;
  bytes[at] = bytes[at]! ^ (1 << Math.floor(Math.random() * 8));
  await writeFile(file, bytes);
}
