// `muragat search` and `muragat search reindex` in-process through main() against a PGlite
// catalog in a temporary data folder: hits as JSON and as text, a bad filter refused with exit 1
// naming it, and the backfill's report.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, setConfig } from '../../common/config';
import { openCatalog } from '../../database/open';
import { addDossiers } from '../../tests/search/fixtures';
import { runCli as run } from '../../tests/helpers/cli';

let dataDir: string;

describe('muragat search', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'muragat-search-cli-'));
    const config = parseConfig({ MURAGAT_DATA_DIR: dataDir, MURAGAT_LANG: 'en', LOG_LEVEL: 'silent' });
    setConfig(config);
    process.env.MURAGAT_LANG = 'en';
    const catalog = await openCatalog(config);
    try {
      await addDossiers(catalog.db, [
        {
          index: '01-05',
          title: 'Приказы по личному составу',
          department: '01',
          year: 2020,
          retention: { kind: 'years', years: 75 },
          documents: [{ title: 'О приёме на работу', kind: 'Приказ', language: 'ru', text: 'Принять Жумабаева Ерлана Серикулы на должность инженера.' }],
        },
      ]);
    } finally {
      await catalog.close();
    }
  }, 180_000);
  afterAll(() => {
    delete process.env.MURAGAT_LANG;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds a name in a text, as JSON and as text', async () => {
    const json = await run('search', 'Жумабаев', '--year', '2020', '--json');
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout);
    expect(result.total).toBe(1);
    expect(result.hits[0]).toMatchObject({ caseIndex: '01-05', position: 1, kind: 'приказ' });
    const text = await run('search', 'Жумабаев');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('01-05 #1');
    expect(text.stdout).toContain('**Жумабаева**');
    expect(text.stdout).toContain('1–1 of 1');
  });

  it('refuses a bad filter value naming it, with exit code 1', async () => {
    const bad = await run('search', 'Жумабаев', '--retention', 'forever');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('The retention filter does not accept «forever»');
  });

  it('reindex reports what it read', async () => {
    const r = await run('search', 'reindex', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ documents: 0, failed: [] });
    // --all rebuilds every dossier's rows (no rendition is stored here to read again).
    const all = await run('search', 'reindex', '--all', '--json');
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout)).toMatchObject({ dossiers: 1, failed: [] });
    expect(JSON.parse((await run('search', 'Жумабаев', '--json')).stdout).total).toBe(1);
  });
});
