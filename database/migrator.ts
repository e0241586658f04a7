// One migration set for the whole system: each domain keeps its own `<domain>/migrations/`
// folder (it owns its tables); files are ordered globally by their timestamped names.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MIGRATION_FOLDERS = ['database', 'accounts', 'audit', 'catalog', 'storage', 'ingest', 'validators', 'jobs', 'forms', 'commission', 'appraisal', 'destruction', 'research', 'search', 'preservation', 'access'].map((d) => path.join(root, d, 'migrations'));

class FolderMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {};
    for (const folder of MIGRATION_FOLDERS) {
      let files: string[];
      try {
        files = await readdir(folder);
      } catch {
        continue;
      }
      for (const file of files) {
        if (!/^\d{12}_[\w-]+\.ts$/.test(file)) continue;
        const name = file.replace(/\.ts$/, '');
        if (migrations[name]) throw new Error(`duplicate migration name ${name} in ${folder}`);
        migrations[name] = (await import(pathToFileURL(path.join(folder, file)).href)) as Migration;
      }
    }
    return migrations;
  }
}

export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one; with one
  // schema per test suite on a shared server, another suite's tables would be mistaken for ours.
  const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db);
  const own = rows[0]?.schema ?? 'public';
  const migrator = new Migrator({ db, provider: new FolderMigrationProvider(), migrationTableSchema: own });
  for (let attempt = 1; ; attempt++) {
    const result = await migrator.migrateToLatest();
    if (!result.error) return result;
    // Kysely's introspection reads the tables of every schema; another schema dropped while it
    // reads (a parallel test suite's, another tenant's) fails it with "schema … does not
    // exist" although nothing of ours changed. Kysely migrates inside a transaction on
    // PostgreSQL, so a failed attempt left nothing behind and trying again is safe.
    if (attempt < 5 && droppedForeignSchema(result.error, own)) continue;
    throw result.error;
  }
}

function droppedForeignSchema(error: unknown, own: string): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '3F000' && typeof e.message === 'string' && !e.message.includes(`"${own}"`);
}
