// `muragat transfer pack` of a folder without transfer.json says exactly what is missing and
// which of it the archive's catalog fills (organisation, fonds, department, the nomenclature's
// title and retention), which of it the archive would refuse, and what stays optional; with
// --catalog it asks this archive's catalog and names the values (exit 1 when the archive would
// refuse the package). The same rules as the manifest step (completeFromCatalog). PGlite and
// the PostgreSQL server (the CLI through DATABASE_URL).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { loadConfig, parseConfig, setConfig } from '../../common/config';
import { createOrganisationService } from '../../catalog/organisation.service';
import { packGaps } from '../../ingest/intake/pack-gaps';
import { packTransfer } from '../../ingest/transfer';
import { createTestDatabase, describeEachDatabase } from '../helpers/db';
import { runCli } from '../helpers/cli';

let work: string;
let tree: string;

beforeAll(async () => {
  process.env.MURAGAT_LANG = 'en';
  work = await mkdtemp(path.join(tmpdir(), 'muragat-pack-gaps-'));
  tree = path.join(work, 'tree');
  await mkdir(path.join(tree, '03-12'), { recursive: true });
  await writeFile(path.join(tree, '03-12', '2025-03-05 Өтініш №3.txt'), 'Өтініш\nмәтін\n');
});
afterAll(async () => {
  delete process.env.MURAGAT_LANG;
  await rm(work, { recursive: true, force: true });
});

async function seedCatalog(db: Parameters<typeof createOrganisationService>[0]['db'], withNomenclature: boolean): Promise<void> {
  const org = createOrganisationService({ db });
  await org.save(SYSTEM_ACTOR, { nameKk: '«Мұрағат Үлгі» ЖШС', nameRu: 'ТОО «Мурагат Пример»', bin: '123456789012', fondsNumber: '12' });
  const department = await org.addDepartment(SYSTEM_ACTOR, { code: '03', nameKk: 'Кадр бөлімі', nameRu: 'Отдел кадров' });
  if (!withNomenclature) return;
  const nomenclature = await db.insertInto('nomenclature').values({ year: 2025 }).returning('id').executeTakeFirstOrThrow();
  await db
    .insertInto('nomenclature_items')
    .values({ nomenclature_id: nomenclature.id, department_id: department.id, position: 1, case_index: '03-12', heading: 'Өтініштер', retention_kind: 'years', retention_years: 5, retention_article: '23', dossier_count: null, note: null })
    .execute();
}

describe('muragat transfer pack without a catalog', () => {
  it('lists what the archive fills from its catalog, what may refuse the package, and what stays optional', async () => {
    const res = await runCli('transfer', 'pack', tree, '-o', path.join(work, 'a.tar'));
    expect(res.code).toBe(0);
    const out = res.stdout;
    const filled = out.slice(out.indexOf('the archive fills these from its catalog'), out.indexOf('Not given (optional'));
    expect(filled).toContain("transfer.json: organisation (name and BIN) — the archive's own organisation");
    expect(filled).toContain("transfer.json: fonds number — the archive's fonds of the organisation");
    expect(filled).toContain("transfer.json: name of department 03 — the archive's list of departments");
    expect(filled).toContain('03-12: dossier title — item 03-12 of the nomenclature of 2025');
    expect(filled).toContain('03-12: retention period — item 03-12 of the nomenclature of 2025');
    expect(filled).toContain('the archive refuses the package');
    const optional = out.slice(out.indexOf('Not given (optional'));
    expect(optional).toContain('transfer.json: who compiled the transfer [p.210]');
    expect(optional).toContain('03-12/2025-03-05 Өтініш №3.txt: language, author [p.212]');
    // Date and number came from the file name: not reported as missing.
    expect(optional).not.toMatch(/Өтініш №3\.txt: .*date/);
    const json = await runCli('transfer', 'pack', tree, '-o', path.join(work, 'a.tar'), '--json');
    const body = JSON.parse(json.stdout) as { gaps: { consulted: boolean; fromCatalog: { field: string }[]; refused: unknown[] } };
    expect(body.gaps.consulted).toBe(false);
    expect(body.gaps.fromCatalog.map((g) => g.field)).toEqual(['organisation', 'fonds', 'department.name', 'dossier.title', 'dossier.retention']);
    expect(body.gaps.refused).toEqual([]);
  });
});

describeEachDatabase('what an archive catalog fills in a packed transfer', (getDb) => {
  it('an empty catalog: organisation and dossier title would refuse the package; a seeded one fills every gap with its values', async () => {
    const { manifest } = await packTransfer(tree, path.join(work, `g-${Date.now()}.tar`), { lang: 'en' });
    const empty = await packGaps(manifest, getDb().db);
    expect(empty.consulted).toBe(true);
    expect(empty.fromCatalog).toEqual([]);
    expect(empty.refused.map((g) => g.field)).toEqual(['organisation', 'dossier.title']);
    expect(empty.optional.map((g) => `${g.where}:${g.field}`)).toEqual(
      expect.arrayContaining(['transfer.json:fonds', 'transfer.json:department.name', '03-12:dossier.retention', 'transfer.json:compiledBy']),
    );

    await seedCatalog(getDb().db, true);
    const seeded = await packGaps(manifest, getDb().db);
    expect(seeded.refused).toEqual([]);
    expect(Object.fromEntries(seeded.fromCatalog.map((g) => [`${g.where}:${g.field}`, g.value]))).toEqual({
      'transfer.json:organisation': '««Мұрағат Үлгі» ЖШС» (BIN 123456789012)',
      'transfer.json:fonds': '12',
      'transfer.json:department.name': '«Кадр бөлімі»',
      '03-12:dossier.title': '«Өтініштер»',
      '03-12:dossier.retention': 'years, 5, art. 23',
    });
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('muragat transfer pack --catalog [postgres]', () => {
  it('names the values this archive fills in, and exits 1 when it would refuse the package', async () => {
    const database = await createTestDatabase('postgres');
    // The CLI reads the process-wide configuration (parsed once): point it at this catalog.
    const before = loadConfig();
    setConfig(parseConfig({ ...process.env, DATABASE_URL: database.url!, MURAGAT_DATA_DIR: path.join(work, 'data') }));
    try {
      const refused = await runCli('transfer', 'pack', tree, '-o', path.join(work, 'c1.tar'), '--catalog');
      expect(refused.code).toBe(1);
      const missing = refused.stdout.slice(refused.stdout.indexOf('the archive would refuse the package'));
      expect(missing).toContain("transfer.json: organisation (name and BIN) — the archive's own organisation");
      expect(missing).toContain('03-12: dossier title — item 03-12 of the nomenclature of 2025');

      await seedCatalog(database.db, true);
      const filled = await runCli('transfer', 'pack', tree, '-o', path.join(work, 'c2.tar'), '--catalog');
      expect(filled.code).toBe(0);
      expect(filled.stdout).toContain("Not given; filled in from this archive's catalog:");
      expect(filled.stdout).toContain("transfer.json: organisation (name and BIN) — the archive's own organisation = ««Мұрағат Үлгі» ЖШС» (BIN 123456789012)");
      expect(filled.stdout).toContain("transfer.json: fonds number — the archive's fonds of the organisation = 12");
      expect(filled.stdout).toContain("transfer.json: name of department 03 — the archive's list of departments = «Кадр бөлімі»");
      expect(filled.stdout).toContain('03-12: dossier title — item 03-12 of the nomenclature of 2025 = «Өтініштер»');
      expect(filled.stdout).not.toContain('would refuse');
    } finally {
      setConfig(before);
      await database.close();
    }
  }, 120_000);
});
