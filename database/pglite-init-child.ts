// Child half of the embedded catalog's first start (catalog/db.ts, createEmbeddedCatalog): runs
// PGlite's initdb and every migration in a short-lived process, so the ≈ 850 MB that initdb's
// WebAssembly heap grows to (and never gives back) is returned to the system when this exits.
// Usage (by db.ts only): node bin/run-ts.js database/pglite-init-child.ts <new data folder>
import { openDatabase } from './db';
import { migrateToLatest } from './migrator';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: pglite-init-child.ts <data folder>\n');
  process.exit(2);
}
const handle = await openDatabase({ pgliteDir: dir, initInProcess: true });
try {
  const result = await migrateToLatest(handle.db);
  // The parent reports these as applied by its own start (`muragat migrate` lists them).
  const applied = (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  process.stdout.write(`@@APPLIED ${JSON.stringify(applied)}\n`);
} finally {
  await handle.close();
}
