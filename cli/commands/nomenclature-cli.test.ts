// `muragat nomenclature import|approve|export|copy|summary|show` run in-process through main()
// against a PGlite database in a temporary data folder; the tests build on each other.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, setConfig } from '../../common/config';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createOrganisationService } from '../../catalog/organisation.service';
import { openCatalog } from '../../database/open';
import { runCli as run } from '../../tests/helpers/cli';

let dataDir: string;
const year = new Date().getFullYear() - 1;

describe('muragat nomenclature', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'muragat-nomenclature-'));
    const config = parseConfig({ MURAGAT_DATA_DIR: dataDir, MURAGAT_LANG: 'en' });
    setConfig(config);
    process.env.MURAGAT_LANG = 'en';
    const catalog = await openCatalog(config);
    try {
      const orgs = createOrganisationService({ db: catalog.db });
      await orgs.addDepartment(SYSTEM_ACTOR, { code: '01', nameKk: 'Басшылық', nameRu: 'Руководство' });
      await orgs.addDepartment(SYSTEM_ACTOR, { code: '02', nameKk: 'Кадр бөлімі', nameRu: 'Отдел кадров' });
    } finally {
      await catalog.close();
    }
  }, 120_000);
  afterAll(() => {
    delete process.env.MURAGAT_LANG;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a file with bad rows naming each, then imports a good one as a draft', async () => {
    const bad = path.join(dataDir, 'bad.csv');
    writeFileSync(bad, 'department,index,heading,retention\n01,01-1,Бұйрықтар,Постоянно\n02,03-4,Жеке істер,75 лет\n02,,,forever\n');
    const refused = await run('nomenclature', 'import', bad, '--year', String(year), '--json');
    expect(refused.code).toBe(1);
    const report = JSON.parse(refused.stdout) as { ok: boolean; problems: { row: number; field: string; message: string }[] };
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => [p.row, p.field])).toEqual([[3, 'index'], [4, 'heading'], [4, 'retention']]);
    expect(report.problems[0]!.message).toBe('Row 3, field «index»: index 03-4 does not begin with the row\'s department 02.');

    const good = path.join(dataDir, 'good.csv');
    writeFileSync(good, 'department,index,heading,retention,carried_over,document_form,medium\n01,01-1,Бұйрықтар,Постоянно,no,electronic,ЭА АЖ сервері\n02,02-1,Жеке істер,75 лет,yes,paper,\n02,02-2,Демалыс бұйрықтары,5 лет ЭПК,,,\n');
    const imported = await run('nomenclature', 'import', good, '--year', String(year));
    expect(imported).toMatchObject({ code: 0, stdout: `Nomenclature ${year} (revision 1) drafted with 3 cases.\n` });
  }, 120_000);

  it('refuses a step out of order naming the missing one, then approves in order', async () => {
    const early = await run('nomenclature', 'approve', String(year), '--step', 'approve');
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('first it must be signed by the head of the records service');
    const date = `${year - 1}-12-10`;
    expect((await run('nomenclature', 'approve', String(year), '--step', 'sign', '--date', date, '--by', 'Нұрланова С. Е.')).code).toBe(0);
    expect((await run('nomenclature', 'approve', String(year), '--step', 'ek', '--protocol', '7', '--date', date)).code).toBe(0);
    expect((await run('nomenclature', 'approve', String(year), '--step', 'epk', '--protocol', '12', '--date', date)).code).toBe(0);
    const approved = await run('nomenclature', 'approve', String(year), '--step', 'approve', '--date', date, '--by', 'Серікбаев А. Б.', '--json');
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ status: 'approved', inForceFrom: `${year}-01-01`, approvals: [{ step: 'records_head' }, { step: 'expert_commission', protocolNumber: '7' }, { step: 'state_review' }, { step: 'organisation_head', name: 'Серікбаев А. Б.' }] });
    const shown = await run('nomenclature', 'show', String(year));
    expect(shown.stdout).toContain(`Nomenclature of cases ${year}, revision 1: Approved, in force, 3 cases`);
    expect(shown.stdout).toContain('02-1\tЖеке істер\t75 лет\tCarried over from');
  }, 120_000);

  it('exports CSV and JSON, copies into next year and prints the summary', async () => {
    const csv = await run('nomenclature', 'export', String(year), '--format', 'csv');
    expect(csv.stdout.split('\n')[0]).toBe('department,index,heading,heading_ru,retention,article,carried_over,carried_from_year,document_form,medium,note,dossier_count');
    expect(csv.stdout).toContain('02,02-2,Демалыс бұйрықтары,,5 лет ЭПК,,no,,electronic,,,');
    const out = path.join(dataDir, 'n.json');
    expect((await run('nomenclature', 'export', String(year), '--format', 'json', '--out', out)).code).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { year: number; items: { index: string }[] };
    expect(doc.year).toBe(year);
    expect(doc.items.map((i) => i.index)).toEqual(['01-1', '02-1', '02-2']);
    const copied = await run('nomenclature', 'copy', String(year), '--carried-over', '02-1', '--json');
    expect(copied.code).toBe(0);
    expect(JSON.parse(copied.stdout)).toMatchObject({ year: year + 1, status: 'draft', items: [{ caseIndex: '01-1', carriedOver: false }, { caseIndex: '02-1', carriedOver: true, carriedFromYear: year - 1 }, { caseIndex: '02-2' }] });
    const summary = await run('nomenclature', 'summary', String(year), '--json');
    expect(JSON.parse(summary.stdout)).toMatchObject({ year, totals: { total: 0 }, itemsWithoutCount: ['01-1', '02-1', '02-2'] });
    const text = await run('nomenclature', 'summary', String(year));
    expect(text.stdout).toContain('Temporary (over 10 years)');
  }, 120_000);
});
