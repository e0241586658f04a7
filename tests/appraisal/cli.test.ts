// `muragat appraisal list|decide`, `muragat hold add|lift|list`, `muragat act draft|show|submit|render`
// run in-process through main() against a PGlite catalog in a temporary data folder, with --json
// and as text in English; a held dossier refused with exit code 1 (a check failed) and the reason.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, setConfig } from '../../common/config';
import { openCatalog } from '../../database/open';
import { validateBytes } from '../../validators/pdfa';
import { runCli as run } from '../helpers/cli';
import { addDossiers, addPermanentInventory } from './fixtures';

let dataDir: string;
let ids: Record<string, string>;

describe('muragat appraisal, hold, act', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'muragat-appraisal-cli-'));
    const config = parseConfig({ MURAGAT_DATA_DIR: dataDir, MURAGAT_LANG: 'en', MURAGAT_STORAGE: `file:${path.join(dataDir, 'store')}` });
    setConfig(config);
    process.env.MURAGAT_LANG = 'en';
    const catalog = await openCatalog(config);
    try {
      await catalog.db.insertInto('organisation').values({ name_kk: '«Мұрағат Үлгі» ЖШС', name_ru: 'ТОО «Мурагат Образец»', bin: '123456789012', fonds_number: '12' }).execute();
      ids = await addDossiers(catalog.db, [
        { index: '01-5', title: 'Азаматтармен хат алмасу', department: '01', year: 2019, retention: { kind: 'years', years: 5, article: '31' } },
        { index: '01-7', title: 'Есептер', department: '01', year: 2019, retention: { kind: 'years', years: 3, article: '40' } },
      ]);
      await addPermanentInventory(catalog.db, 2019, 1);
    } finally {
      await catalog.close();
    }
  }, 120_000);
  afterAll(() => {
    delete process.env.MURAGAT_LANG;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the appraisal as JSON and as text', async () => {
    const json = await run('appraisal', 'list', '--by', '2026-12-31', '--json');
    expect(json.code).toBe(0);
    const list = JSON.parse(json.stdout) as { total: number; groups: { article: string }[] };
    expect(list.total).toBe(2);
    expect(list.groups.map((g) => g.article)).toEqual(['31', '40']);
    const text = await run('appraisal', 'list', '--by', '2026-12-31');
    expect(text.stdout).toContain('By 2026-12-31: 2 dossiers, 0 to review, 0 decided');
    expect(text.stdout).toContain('Fonds 12 · 2019 · department 01 · article 31: 1');
    const bad = await run('appraisal', 'list', '--by', 'tomorrow');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Date “by” must be YYYY-MM-DD, got “tomorrow”');
  }, 120_000);

  it('holds a dossier, refuses it on an act, lifts the hold, drafts, shows and renders the act', async () => {
    const placed = await run('hold', 'add', '--dossier', ids['01-7/2019']!, '--kind', 'audit', '--reason', 'Тексеру 2026', '--json');
    expect(placed.code).toBe(0);
    const hold = JSON.parse(placed.stdout) as { id: string; scope: string; active: boolean };
    expect(hold).toMatchObject({ scope: 'dossier', active: true });
    expect((await run('hold', 'list', '--active')).stdout).toContain('dossier 01-7  audit  «Тексеру 2026»');
    const draftArgs = ['act', 'draft', '--dossier', ids['01-5/2019']!, ids['01-7/2019']!, '--basis', 'Перечень 2017', '--appraiser-name', 'Ә. Т. Жұмабаева', '--appraiser-position', 'архивист'];
    const refused = await run(...draftArgs);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Dossier 01-7 (2019) is under a hold: Тексеру 2026');
    expect((await run('hold', 'lift', hold.id, '--reason', 'Тексеру аяқталды')).stdout).toContain('lifted: cli:');
    const drafted = await run(...draftArgs, '--json');
    expect(drafted.code).toBe(0);
    const act = JSON.parse(drafted.stdout) as { id: string; number: string; status: string; rows: unknown[] };
    expect(act).toMatchObject({ number: '1', status: 'draft' });
    expect(act.rows).toHaveLength(2);
    const shown = await run('act', 'show', act.id);
    expect(shown.stdout).toContain(`Act No. 1/${new Date().getUTCFullYear()}`);
    expect(shown.stdout).toContain('draft, dossiers: 2 2019');
    const out = path.join(dataDir, 'act-ru.pdf');
    const rendered = await run('act', 'render', act.id, '--lang', 'ru', '--out', out, '--json');
    expect(rendered.code).toBe(0);
    expect(JSON.parse(rendered.stdout)).toMatchObject({ language: 'ru', dossiers: 2 });
    expect(validateBytes(new Uint8Array(readFileSync(out))).compliant).toBe(true);
    // Without the commission module's decision the act stays submitted.
    expect((await run('act', 'submit', act.id, '--json')).code).toBe(0);
    const refresh = await run('act', 'refresh', act.id);
    expect(refresh.code).toBe(1);
    expect(refresh.stderr).toContain('has not decided on act No. 1/');
  }, 120_000);
});
