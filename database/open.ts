// Opens the configured catalog database and brings its schema up to date: what the CLI and
// the server do before anything else.
import path from 'node:path';
import type { Config } from '../common/config';
import { openDatabase, type DatabaseHandle } from './db';
import { migrateToLatest } from './migrator';

export interface OpenedCatalog extends DatabaseHandle {
  /** Migrations applied by this call, in order (empty when the schema was current). */
  applied: string[];
}

export function catalogLocation(config: Pick<Config, 'databaseUrl' | 'dataDir'>): string {
  // Never print a password from the URL.
  return config.databaseUrl ? config.databaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@') : path.join(config.dataDir, 'db');
}

export async function openCatalog(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<OpenedCatalog> {
  const handle = await openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { pgliteDir: path.join(config.dataDir, 'db') });
  try {
    const result = await migrateToLatest(handle.db);
    // A new embedded catalog was migrated by the child process that created it (database/db.ts).
    const applied = [...(handle.appliedAtCreation ?? []), ...(result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)];
    return { ...handle, applied };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
