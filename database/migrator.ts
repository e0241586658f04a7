// One migration set for the whole system: each domain keeps its own `<domain>/migrations/`
// folder (it owns its tables); files are ordered globally by their timestamped names.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MIGRATION_FOLDERS = ['database', 'accounts', 'audit', 'catalog', 'storage', 'ingest', 'validators', 'jobs', 'forms'].map((d) => path.join(root, d, 'migrations'));

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
  const migrator = new Migrator({
    db,
    provider: new FolderMigrationProvider(),
    migrationTableSchema: rows[0]?.schema ?? 'public',
  });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}
