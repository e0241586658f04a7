import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasEmbeddedCatalog, openDatabase } from './db';
import { openCatalog } from './open';

// A fresh embedded catalog is created and migrated in a child process (the ≈ 850 MB of
// PGlite's initdb never reach the process that opens it); the opener then finds it current.
describe('embedded catalog, first start', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'muragat-pglite-init-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('creates and migrates a fresh data folder in a child, then opens it as current', async () => {
    const dataDir = path.join(root, 'data');
    const first = await openCatalog({ databaseUrl: undefined, dataDir });
    try {
      expect(first.appliedAtCreation).toContain('202611220100_catalog_core');
      expect(first.applied).toEqual(first.appliedAtCreation);
      await first.db.insertInto('muragat_meta').values({ key: 'fresh', value: 'yes' }).execute();
    } finally {
      await first.close();
    }
    expect(hasEmbeddedCatalog(path.join(dataDir, 'db'))).toBe(true);
    // Nothing of the staging folder is left beside the catalog.
    expect(readdirSync(dataDir)).toEqual(['db']);
    const again = await openCatalog({ databaseUrl: undefined, dataDir });
    try {
      expect(again.applied).toEqual([]);
      expect(again.appliedAtCreation).toBeUndefined();
      const row = await again.db.selectFrom('muragat_meta').select('value').where('key', '=', 'fresh').executeTakeFirst();
      expect(row?.value).toBe('yes');
    } finally {
      await again.close();
    }
  }, 300_000);

  it('two openers of one fresh folder at once: one catalog is kept and both use it', async () => {
    const dataDir = path.join(root, 'race');
    const [a, b] = await Promise.all([openCatalog({ databaseUrl: undefined, dataDir }), openCatalog({ databaseUrl: undefined, dataDir })]);
    // One PGlite per folder at a time: the second handle is closed before the first is used.
    await b.close();
    try {
      // Exactly one creation counts its migrations; the other found the catalog in place.
      expect([a.appliedAtCreation?.length ?? 0, b.appliedAtCreation?.length ?? 0].filter((n) => n > 0)).toHaveLength(1);
      await a.db.insertInto('muragat_meta').values({ key: 'a', value: '1' }).execute();
    } finally {
      await a.close();
    }
    expect(readdirSync(dataDir)).toEqual(['db']);
  }, 300_000);

  it('refuses a non-empty folder that holds no catalog, naming it, and leaves it as it was', async () => {
    const dir = path.join(root, 'other');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'notes.txt'), 'not a database');
    await expect(openDatabase({ pgliteDir: dir })).rejects.toThrow(new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*holds no catalog`));
    expect(readdirSync(dir)).toEqual(['notes.txt']);
    expect(readdirSync(root).filter((n) => n.includes('.init-'))).toEqual([]);
  });
});
