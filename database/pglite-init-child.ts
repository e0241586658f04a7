// Child half of the embedded catalog's first start (database/db.ts, createEmbeddedCatalog):
// makes the new catalog and runs every migration in a short-lived process, returning its memory
// to the system when it exits. The catalog is a copy of the machine's pristine template
// (pglite-template.ts; ≈ 330 MB at peak with the migrations); only when there is none yet does
// PGlite's initdb run here (its WebAssembly heap grows to ≈ 830 MB and never shrinks), and then
// its output is kept as the template for every later data folder. The migrated catalog is kept
// too, as the template of this migration set (the next fresh folder needs no child at all).
// Usage (by db.ts only): node bin/run-ts.js database/pglite-init-child.ts <new data folder>
import { openDatabase } from './db';
import { migrateToLatest } from './migrator';
import { copyTemplate, hasTemplate, keepAsMigratedTemplate, keepAsTemplate } from './pglite-template';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: pglite-init-child.ts <data folder>\n');
  process.exit(2);
}
if (hasTemplate()) {
  await copyTemplate(dir);
} else {
  // initdb, then keep its output (closed, not yet migrated) for the next fresh folder.
  const created = await openDatabase({ pgliteDir: dir, initInProcess: true });
  await created.close();
  await keepAsTemplate(dir).catch((error: unknown) => process.stderr.write(`keeping the catalog template failed: ${error instanceof Error ? error.message : String(error)}\n`));
}
const handle = await openDatabase({ pgliteDir: dir, initInProcess: true });
let applied: string[];
try {
  const result = await migrateToLatest(handle.db);
  // The parent reports these as applied by its own start (`muragat migrate` lists them).
  applied = (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
} finally {
  await handle.close();
}
// Closed and current: the next fresh folder is a plain copy of it (pglite-template.ts).
await keepAsMigratedTemplate(dir, applied).catch((error: unknown) => process.stderr.write(`keeping the migrated catalog template failed: ${error instanceof Error ? error.message : String(error)}\n`));
process.stdout.write(`@@APPLIED ${JSON.stringify(applied)}\n`);
