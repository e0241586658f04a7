// A new embedded catalog is a copy of the machine's pristine template, migrated in the creation
// child: that child stays far below initdb's ≈ 830 MB (issue 9: every ingest under 512 MB,
// fresh data folder included), the catalog is complete and current, and the template itself is
// never migrated or opened (it stays what initdb wrote). The migrated catalog is kept as the
// template of its migration set, and the next fresh folder is a plain copy of it, no child.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCatalog } from './open';
import { createEmbeddedCatalog } from './db';
import { buildTemplate, hasMigratedTemplate, hasTemplate, templateDir } from './pglite-template';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Runs the creation child on `dir`, sampling its VmHWM until it exits; MB. */
function createInChild(dir: string): Promise<{ code: number | null; peakMB: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'run-ts.js'), path.join(ROOT, 'database', 'pglite-init-child.ts'), dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let peak = 0;
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const timer = setInterval(() => {
      try {
        peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'latin1'))?.[1] ?? 0) / 1024);
      } catch {
        // exited between two samples
      }
    }, 25);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code, peakMB: peak, stdout });
    });
  });
}

describe('embedded catalog from the pristine template', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'muragat-pglite-template-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('copies and migrates the template in a child far below initdb, and the catalog opens current', async () => {
    // Made once per machine (here, or by the first creation that finds none).
    if (!hasTemplate()) {
      const built = await createInChild(path.join(root, 'first'));
      expect(built.code).toBe(0);
    }
    expect(hasTemplate()).toBe(true);
    const versionBefore = readFileSync(path.join(templateDir(), 'PG_VERSION'), 'utf8');
    const entriesBefore = readdirSync(templateDir()).sort();

    const dir = path.join(root, 'data', 'db');
    const made = await createInChild(dir);
    expect(made.code).toBe(0);
    expect(made.stdout).toContain('202611220100_catalog_core');
    expect(made.peakMB).toBeGreaterThan(0);
    console.log(`creation child from the template: peak ${made.peakMB.toFixed(0)} MB`);
    expect(made.peakMB).toBeLessThan(450);

    const catalog = await openCatalog({ databaseUrl: undefined, dataDir: path.join(root, 'data') });
    try {
      expect(catalog.applied).toEqual([]);
      const tables = await catalog.db.selectFrom('transfers').select('id').limit(1).execute();
      expect(tables).toEqual([]);
    } finally {
      await catalog.close();
    }
    // The template is what initdb wrote: no migration reached it.
    expect(readFileSync(path.join(templateDir(), 'PG_VERSION'), 'utf8')).toBe(versionBefore);
    expect(readdirSync(templateDir()).sort()).toEqual(entriesBefore);
    expect(templateDir()).toMatch(/pglite-initdb-\d+\.\d+\.\d+$/);
  }, 300_000);

  it('then a fresh folder of the same migration set is a plain copy in the opening process: no child, current at once', async () => {
    // The creation child above kept the catalog it migrated as this migration set's template.
    expect(await hasMigratedTemplate()).toBe(true);
    const rssBefore = process.memoryUsage().rss;
    const applied = await createEmbeddedCatalog(path.join(root, 'copied', 'db'));
    const grew = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
    expect(applied).toContain('202611220100_catalog_core');
    expect(grew).toBeLessThan(64);
    const catalog = await openCatalog({ databaseUrl: undefined, dataDir: path.join(root, 'copied') });
    try {
      expect(catalog.applied).toEqual([]);
      expect(await catalog.db.selectFrom('transfer_uploads').select('id').execute()).toEqual([]);
    } finally {
      await catalog.close();
    }
  }, 120_000);

  it('buildTemplate is a no-op when the template exists', async () => {
    expect(await buildTemplate()).toBe(templateDir());
  });
});
