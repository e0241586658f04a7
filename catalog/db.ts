// The catalog database: PostgreSQL everywhere. Without DATABASE_URL an embedded PostgreSQL
// (PGlite) keeps the catalog in `${dataDir}/db`; with it, a `pg` pool talks to a real server.
// Both sit behind kysely's PostgresDialect, so one set of SQL and migrations serves both.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient, type PostgresQueryResult } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import type { Database } from './database';

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
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  if (options.pgliteDir) mkdirSync(path.resolve(options.pgliteDir), { recursive: true });
  const settings = { ...PGLITE_SETTINGS, ...options.pgliteSettings };
  const pglite = await PGlite.create(options.pgliteDir ? path.resolve(options.pgliteDir) : undefined, {
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    startParams: [...PGlite.defaultStartParams, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
    parsers: { [INT8_OID]: (v: string) => Number(v), [NUMERIC_OID]: (v: string) => Number(v) },
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pglitePool(pglite) }) });
  return { db, kind: 'pglite', close: () => db.destroy(), pglite };
}
