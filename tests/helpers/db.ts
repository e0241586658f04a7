// Runs a database suite on a fresh embedded PGlite always, and also on the real PostgreSQL
// server when TEST_DATABASE_URL is set. Each run gets its own schema on the server, so suites
// running in parallel never see each other's rows.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import pg from 'pg';
import type { Kysely } from 'kysely';
import { openDatabase, type DatabaseHandle, type DatabaseKind } from '../../database/db';
import { MIGRATION_FOLDERS, migrateToLatest } from '../../database/migrator';
import type { Database } from '../../database/database';

export interface TestDatabase {
  db: Kysely<Database>;
  kind: DatabaseKind;
  /** Connection URL including the per-suite schema (postgres only), for child processes. */
  url?: string;
}

export function testDatabaseKinds(): DatabaseKind[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

// initdb + migrations cost seconds per PGlite instance; every suite instead starts from a dump
// of a freshly migrated database, cached on disk and keyed by the migrations' contents.
async function migratedTemplateKey(): Promise<string> {
  const hash = createHash('sha256');
  for (const folder of MIGRATION_FOLDERS) {
    const files = await readdir(folder).catch(() => [] as string[]);
    for (const file of files.sort()) {
      hash.update(`${folder}/${file}\0`);
      hash.update(await readFile(path.join(folder, file)));
    }
  }
  return hash.digest('hex').slice(0, 24);
}

let templatePromise: Promise<Buffer> | undefined;

async function migratedTemplate(): Promise<Buffer> {
  templatePromise ??= (async () => {
    const dir = path.join(process.cwd(), 'node_modules', '.cache', 'muragat');
    const file = path.join(dir, `pglite-template-${await migratedTemplateKey()}.tar.gz`);
    try {
      return await readFile(file);
    } catch {
      // Not built yet: build it below.
    }
    const handle = await openDatabase({});
    await migrateToLatest(handle.db);
    const blob = await handle.pglite!.dumpDataDir('gzip');
    const bytes = Buffer.from(await blob.arrayBuffer());
    await handle.close();
    await mkdir(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, file); // atomic: parallel workers may race to build the same template
    return bytes;
  })();
  return templatePromise;
}

/** Opens a migrated, empty database of the given kind. */
export interface TestDatabaseOptions {
  /**
   * On the server, a database of its own instead of a schema in the shared one. For suites that
   * run queue workers: graphile-worker announces a breaking migration of any schema on the
   * database-wide `worker:migrate` channel and every worker listening there shuts down (exit 57),
   * so suites creating their queues side by side in one database stopped each other's workers.
   * LISTEN/NOTIFY does not cross databases.
   */
  ownDatabase?: boolean;
}

export async function createTestDatabase(kind: DatabaseKind, options: TestDatabaseOptions = {}): Promise<TestDatabase & { close(): Promise<void> }> {
  if (kind === 'pglite') {
    const template = await migratedTemplate();
    const handle = await openDatabase({ loadDataDir: new Blob([new Uint8Array(template)]) });
    // A no-op when the template is current; applies anything newer otherwise.
    await migrateToLatest(handle.db);
    return { db: handle.db, kind, close: handle.close };
  }
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  if (options.ownDatabase) return createOwnDatabase(base, schema);
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const handle: DatabaseHandle = await openDatabase({ url, poolSize: 4 });
  await migrateToLatest(handle.db);
  return {
    db: handle.db,
    kind,
    url,
    async close() {
      await handle.close();
      const cleanup = new pg.Client({ connectionString: base });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
      await cleanup.end();
    },
  };
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function createOwnDatabase(base: string, name: string): Promise<TestDatabase & { close(): Promise<void> }> {
  await adminQuery(base, `CREATE DATABASE ${name}`);
  const target = new URL(base);
  target.pathname = `/${name}`;
  const url = target.toString();
  const handle: DatabaseHandle = await openDatabase({ url, poolSize: 4 });
  await migrateToLatest(handle.db);
  return {
    db: handle.db,
    kind: 'postgres',
    url,
    async close() {
      await handle.close();
      // FORCE: a worker child killed by a test may leave a connection behind for a moment.
      await adminQuery(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/**
 * `describe` once per available database kind; the suite name carries `[pglite]` / `[postgres]`.
 * A suite that runs queue workers asks for `{ ownDatabase: true }` (see TestDatabaseOptions).
 */
export function describeEachDatabase(name: string, suite: (get: () => TestDatabase) => void, options: TestDatabaseOptions = {}): void {
  for (const kind of testDatabaseKinds()) {
    describe(`${name} [${kind}]`, () => {
      let current: (TestDatabase & { close(): Promise<void> }) | undefined;
      beforeAll(async () => {
        current = await createTestDatabase(kind, options);
      }, 60_000);
      afterAll(async () => {
        await current?.close();
      });
      suite(() => {
        if (!current) throw new Error('test database not ready');
        return current;
      });
    });
  }
}
