// The catalog database: PostgreSQL everywhere. Without DATABASE_URL an embedded PostgreSQL
// (PGlite) keeps the catalog in `${dataDir}/db`; with it, a `pg` pool talks to a real server.
// Both sit behind kysely's PostgresDialect, so one set of SQL and migrations serves both.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient, type PostgresQueryResult } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
// Trigram similarity for search (search/migrations): bundled with PGlite, loaded when created.
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { logger } from '../common/logger';
import type { Database } from './database';
import { copyMigratedTemplate } from './pglite-template';

// int8 (counts, byte sizes) and numeric come back as JS numbers on both backends; sizes of
// archive objects stay far below 2^53.
const INT8_OID = 20;
const NUMERIC_OID = 1700;
pg.types.setTypeParser(INT8_OID, (v) => Number(v));
pg.types.setTypeParser(NUMERIC_OID, (v) => Number(v));

export type DatabaseKind = 'pglite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  close(): Promise<void>;
  /** The embedded engine, when kind is pglite (for dumping a template). */
  pglite?: PGlite;
  /** Migrations applied while creating a new embedded catalog (createEmbeddedCatalog), in order. */
  appliedAtCreation?: string[];
}

/** Serialises access to the single PGlite session: a transaction holds it until release. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return acquired;
  }
}

function pglitePool(pglite: PGlite): PostgresPool {
  const mutex = new Mutex();
  return {
    async connect(): Promise<PostgresPoolClient> {
      const release = await mutex.lock();
      return {
        async query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
          if (parameters.length === 0) {
            // Like pg, parameterless SQL uses the simple protocol, so migrations may hold
            // several statements.
            const results = await pglite.exec(sql);
            const last = results[results.length - 1];
            return {
              command: commandOf(sql),
              rowCount: last?.affectedRows ?? 0,
              rows: (last?.rows ?? []) as R[],
            } as PostgresQueryResult<R>;
          }
          const result = await pglite.query<R>(sql, parameters as unknown[]);
          return { command: commandOf(sql), rowCount: result.affectedRows ?? 0, rows: result.rows } as PostgresQueryResult<R>;
        },
        release,
      } as unknown as PostgresPoolClient;
    },
    async end() {
      await pglite.close();
    },
  };
}

function commandOf(sql: string): 'INSERT' | 'UPDATE' | 'DELETE' | 'SELECT' | 'MERGE' {
  const word = /^\s*(?:with\b[\s\S]*?\)\s*)?(\w+)/i.exec(sql)?.[1]?.toUpperCase();
  return (['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(word ?? '') ? word : 'SELECT') as 'SELECT';
}

/**
 * Server settings for the embedded PostgreSQL, passed at start (`-c`), never written to the data
 * folder. initdb sizes shared_buffers at 128 MB, and PGlite's single in-process backend touches
 * all of it when it starts: opening a catalog cost ≈ 220 MB of RSS, ≈ 90 MB with 16 MB. The
 * catalog's working set is far smaller, and the files stay in the OS page cache anyway.
 */
export const PGLITE_SETTINGS: Readonly<Record<string, string>> = { shared_buffers: '16MB' };

export interface OpenDatabaseOptions {
  /** postgres:// URL; absent means PGlite. */
  url?: string;
  /** PGlite data folder; absent (with no url) means in-memory. */
  pgliteDir?: string;
  /** Pool size for a real server. */
  poolSize?: number;
  /** PGlite only: start from a dumped data folder (PGlite dumpDataDir), e.g. a migrated template. */
  loadDataDir?: Blob;
  /** PGlite only: settings added to (or replacing) PGLITE_SETTINGS, e.g. { shared_buffers: '128MB' }. */
  pgliteSettings?: Record<string, string>;
  /**
   * PGlite only: create a new data folder in this process. By default a `pgliteDir` without a
   * database is created and migrated in a short-lived child process (createEmbeddedCatalog).
   */
  initInProcess?: boolean;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUN_TS = path.join(ROOT, 'bin', 'run-ts.js');
const INIT_CHILD = path.join(ROOT, 'database', 'pglite-init-child.ts');

const NOT_A_CATALOG = 'the folder is not empty but holds no catalog (no PG_VERSION); move it away to start a new catalog';

function readdirOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** A PGlite data folder holds a database once initdb has written its PG_VERSION. */
export function hasEmbeddedCatalog(dir: string): boolean {
  return existsSync(path.join(dir, 'PG_VERSION'));
}

/**
 * Creates and migrates a new embedded catalog in `dir` in a short-lived child process. PGlite's
 * initdb grows its WebAssembly heap to ≈ 850 MB and a WebAssembly heap never shrinks: run in the
 * process that goes on to ingest, the first start of a fresh data folder cost 917 MB at peak,
 * an opened catalog ≈ 250 MB. The child builds the folder beside `dir` and it is renamed into
 * place when complete, so a killed first start leaves no half-made catalog, and of two processes
 * starting on the same fresh folder one keeps its catalog and the other uses it.
 */
export async function createEmbeddedCatalog(dir: string): Promise<string[]> {
  const target = path.resolve(dir);
  if (readdirOrEmpty(target).length) throw new Error(`creating the embedded catalog in ${target} failed: ${NOT_A_CATALOG}`);
  const staging = `${target}.init-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    // A catalog already migrated to this migration set is a plain copy: no child, no initdb
    // (database/pglite-template.ts).
    const copied = await copyMigratedTemplate(staging);
    if (copied) return await placeCatalog(staging, target, copied);
    const { code, signal, stderr, stdout } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>((resolve, reject) => {
      // Plain node + tsx launcher: the parent may run under vitest or tsx with loaders of its own.
      const env = { ...process.env };
      delete env.NODE_OPTIONS;
      const child = spawn(process.execPath, [RUN_TS, INIT_CHILD, staging], { stdio: ['ignore', 'pipe', 'pipe'], env });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
      child.on('error', reject);
      child.on('close', (c, s) => resolve({ code: c, signal: s, stderr: err, stdout: out }));
    });
    if (code !== 0 || !hasEmbeddedCatalog(staging)) {
      throw new Error(`creating the embedded catalog in ${target} failed (${signal ?? `exit code ${code}`})${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-5).join(' | ')}` : ''}`);
    }
    const line = stdout.split('\n').find((l) => l.startsWith('@@APPLIED '));
    const applied = line ? (JSON.parse(line.slice('@@APPLIED '.length)) as string[]) : [];
    return await placeCatalog(staging, target, applied);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Renames a complete catalog into place; of two processes creating one, the first is kept. */
async function placeCatalog(staging: string, target: string, applied: string[]): Promise<string[]> {
  mkdirSync(path.dirname(target), { recursive: true });
  try {
    // Replaces an empty folder; fails when another process put a catalog there first.
    await rename(staging, target);
    return applied;
  } catch (error) {
    if (hasEmbeddedCatalog(target)) return [];
    const why = (error as NodeJS.ErrnoException).code === 'ENOTEMPTY' ? NOT_A_CATALOG : (error as Error).message;
    throw new Error(`creating the embedded catalog in ${target} failed: ${why}`);
  }
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    // A wait for a free connection ends in an error after 30 s instead of never (a pool emptied
    // by cut connections must not hang a request or a job silently).
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, connectionTimeoutMillis: 30_000 });
    // A connection cut by the server (a restart, pg_terminate_backend) is reported as an 'error'
    // event: on the pool for an idle client, on the client itself for one checked out (inside a
    // transaction, between two statements). Without a listener Node ends the process. The pool
    // drops that client and the next query connects again; the statement or transaction that
    // was using it fails on its own and is retried by its caller (the job queue's backoff).
    const lost = (error: Error) => logger().warn({ code: (error as { code?: string }).code, message: error.message }, 'database connection lost');
    pool.on('error', lost);
    pool.on('connect', (client) => client.on('error', lost));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  let appliedAtCreation: string[] | undefined;
  if (options.pgliteDir && !options.loadDataDir && !options.initInProcess && !hasEmbeddedCatalog(options.pgliteDir) && existsSync(RUN_TS)) {
    appliedAtCreation = await createEmbeddedCatalog(options.pgliteDir);
  }
  if (options.pgliteDir) mkdirSync(path.resolve(options.pgliteDir), { recursive: true });
  const settings = { ...PGLITE_SETTINGS, ...options.pgliteSettings };
  const pglite = await PGlite.create(options.pgliteDir ? path.resolve(options.pgliteDir) : undefined, {
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    startParams: [...PGlite.defaultStartParams, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
    parsers: { [INT8_OID]: (v: string) => Number(v), [NUMERIC_OID]: (v: string) => Number(v) },
    extensions: { pg_trgm },
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pglitePool(pglite) }) });
  return { db, kind: 'pglite', close: () => db.destroy(), pglite, ...(appliedAtCreation ? { appliedAtCreation } : {}) };
}
