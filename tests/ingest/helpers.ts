// Shared set-up for the ingest tests: a temporary data folder with a primary store and a
// replica, a migrated PGlite catalog, a test PKI and transfer packages built from the
// transfer developer's fixture tree, signed with real CMS signatures.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig, type Config } from '../../common/config';
import { openStorage, type Storage } from '../../storage';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import type { DatabaseKind } from '../../database/db';
import { createTestPki, type TestPki } from '../../validators/signature/testing/test-pki';
import { signDetached } from '../../validators/signature';
import { buildTransferTree, type FixtureOptions } from '../../ingest/transfer/testing/fixtures';
import { packTransfer } from '../../ingest/transfer';
import type { IngestDeps } from '../../ingest';

export interface IngestEnv {
  root: string;
  config: Config;
  storage: Storage;
  db: TestDatabase['db'];
  deps: IngestDeps;
  pki: TestPki;
  env: Record<string, string>;
  close(): Promise<void>;
}

let pkiPromise: Promise<TestPki> | undefined;
let pkiRoot: string | undefined;

/** One PKI per test file: openssl key generation is slow on a shared machine. */
export async function testPki(): Promise<TestPki> {
  pkiPromise ??= (async () => {
    pkiRoot = await mkdtemp(path.join(tmpdir(), 'muragat-pki-'));
    return createTestPki(pkiRoot);
  })();
  return pkiPromise;
}

export async function createIngestEnv(extraEnv: Record<string, string> = {}, kind: DatabaseKind = 'pglite'): Promise<IngestEnv> {
  const root = await mkdtemp(path.join(tmpdir(), 'muragat-ingest-'));
  const pki = await testPki();
  const env = {
    MURAGAT_DATA_DIR: path.join(root, 'data'),
    MURAGAT_STORAGE: `file:${path.join(root, 'primary')},file:${path.join(root, 'replica')}`,
    MURAGAT_TRUST_DIR: pki.trustDir,
    MURAGAT_MALWARE_POLICY: 'refuse',
    LOG_LEVEL: 'silent',
    ...extraEnv,
  };
  const config = parseConfig(env);
  const database = await createTestDatabase(kind);
  const storage = openStorage(config);
  return {
    root,
    config,
    storage,
    db: database.db,
    deps: { db: database.db, storage, config },
    pki,
    env,
    async close() {
      await database.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Builds the fixture tree (optionally modified) and packs it into `<root>/<name>.tar`. */
export async function buildFixtureTransfer(
  env: IngestEnv,
  name: string,
  modify?: (dir: string) => Promise<void>,
  options: FixtureOptions = {},
): Promise<string> {
  const dir = path.join(env.root, `${name}-tree`);
  const p12 = new Uint8Array(await readFile(env.pki.signerP12Path));
  await buildTransferTree(dir, { sign: (content) => signDetached(content, p12, env.pki.password), ...options });
  await modify?.(dir);
  const tar = path.join(env.root, `${name}.tar`);
  await packTransfer(dir, tar);
  return tar;
}
