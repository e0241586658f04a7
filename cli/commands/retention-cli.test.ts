// `muragat retention import|export|versions` run in-process through main() against a PGlite
// database in a temporary data folder. Tests run in order and build on the versions imported earlier.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, setConfig } from '../../common/config';
import { DEMO_RETENTION_LIST } from '../../catalog/retention';
import { runCli as run } from '../../tests/helpers/cli';

let dataDir: string;

describe('muragat retention', () => {
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'muragat-retention-'));
    setConfig(parseConfig({ MURAGAT_DATA_DIR: dataDir, MURAGAT_LANG: 'en' }));
    process.env.MURAGAT_LANG = 'en';
  });
  afterAll(() => {
    delete process.env.MURAGAT_LANG;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says there is no list yet, then imports the demo list as version 1', async () => {
    const none = await run('retention', 'versions');
    expect(none).toMatchObject({ code: 0, stdout: 'No retention list has been imported yet\n' });
    const imported = await run('retention', 'import', DEMO_RETENTION_LIST, '--json');
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ ok: true, version: 1, articleCount: 10, sourceFormat: 'csv', sourceName: 'retention-list.csv' });
  }, 120_000);

  it('exports JSON to a file and CSV to stdout; the JSON imports back as version 2', async () => {
    const out = path.join(dataDir, 'list.json');
    const exported = await run('retention', 'export', '--format', 'json', '--list-version', '1', '--out', out);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain(`Retention list version 1 written to ${out}`);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { version: number; articles: { article: string; retention: unknown }[] };
    expect(doc.version).toBe(1);
    expect(doc.articles.find((a) => a.article === '23')?.retention).toEqual({ kind: 'years_epk', years: 5 });
    const csv = await run('retention', 'export', '--format', 'csv');
    expect(csv.code).toBe(0);
    expect(csv.stdout).toBe(readFileSync(DEMO_RETENTION_LIST, 'utf8'));

    const again = await run('retention', 'import', out, '--title', 'Second');
    expect(again).toMatchObject({ code: 0, stdout: 'Retention list version 2 imported: 10 articles (Second)\n' });
    const versions = await run('retention', 'versions', '--json');
    expect((JSON.parse(versions.stdout) as { version: number }[]).map((v) => v.version)).toEqual([2, 1]);
  }, 120_000);

  it('refuses a file with bad rows, naming each row and field, in the chosen language', async () => {
    const bad = path.join(dataDir, 'bad.csv');
    writeFileSync(bad, 'article,document_type_kk,document_type_ru,retention,note\n26а,Бұйрықтар,Приказы,навсегда,\n,Хаттар,Письма,5 лет,\n');
    const en = await run('retention', 'import', bad);
    expect(en.code).toBe(1);
    expect(en.stderr).toContain('bad.csv: the retention list was not imported, 2 problems found');
    expect(en.stderr).toContain('Row 2, field "retention": retention not understood: "навсегда"');
    expect(en.stderr).toContain('Row 3, field "article": required');
    process.env.MURAGAT_LANG = 'ru';
    try {
      const ru = await run('retention', 'import', bad, '--json');
      expect(ru.code).toBe(1);
      const report = JSON.parse(ru.stdout) as { ok: boolean; problems: { row: number; field: string; message: string }[] };
      expect(report.ok).toBe(false);
      expect(report.problems.map((p) => p.message)).toEqual([
        'Строка 2, поле «retention»: срок хранения не распознан: «навсегда»; пишется: Постоянно, 5 лет, 5 лет ЭПК, 75 лет, ДМН',
        'Строка 3, поле «article»: обязательно для заполнения',
      ]);
    } finally {
      process.env.MURAGAT_LANG = 'en';
    }
    const versions = await run('retention', 'versions', '--json');
    expect((JSON.parse(versions.stdout) as unknown[]).length).toBe(2);
  }, 120_000);

  it('ends with a usage error for a missing file, a bad format or an unknown version', async () => {
    const missing = await run('retention', 'import', path.join(dataDir, 'nope.csv'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read');
    expect((await run('retention', 'export', '--format', 'xml')).code).toBe(2);
    expect((await run('retention', 'export', '--format', 'csv', '--list-version', 'x')).code).toBe(2);
    const unknown = await run('retention', 'export', '--format', 'csv', '--list-version', '7');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('There is no retention list version 7');
  }, 120_000);
});
