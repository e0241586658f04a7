// `muragat form render|renditions` run in-process through main() against a PGlite catalog in a
// temporary data folder, on a dossier ingested by the real pipeline. Tests run in order.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, setConfig } from '../../common/config';
import { openCatalog } from '../../database/open';
import { FORM_LOADERS } from '../../forms/loaders';
import { collapse, pdfText } from '../../forms/testing/pdf-text';
import { validateBytes } from '../../validators/pdfa';
import { buildDepartmentPackage, seedDepartments } from '../../tests/server/departments';
import { runCli as run } from '../../tests/helpers/cli';

let dataDir: string;
let dossierId: string;

describe('muragat form', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'muragat-form-'));
    const config = parseConfig({ MURAGAT_DATA_DIR: dataDir, MURAGAT_LANG: 'en', MURAGAT_MALWARE_POLICY: 'accept-with-warning', LOG_LEVEL: 'silent' });
    setConfig(config);
    process.env.MURAGAT_LANG = 'en';
    const catalog = await openCatalog(config);
    try {
      await seedDepartments(catalog.db);
    } finally {
      await catalog.close();
    }
    const ingested = await run('ingest', await buildDepartmentPackage(dataDir, '02'), '--json');
    expect(ingested.code).toBe(0);
    const again = await openCatalog(config);
    try {
      dossierId = (await again.db.selectFrom('dossiers').select('id').executeTakeFirstOrThrow()).id;
    } finally {
      await again.close();
    }
  }, 180_000);
  afterAll(() => {
    delete process.env.MURAGAT_LANG;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('renders App. 32 of a dossier as PDF/A-1b in Russian and in Kazakh', async () => {
    for (const [lang, heading, total] of [
      ['ru', 'Внутренняя опись документов в электронном виде электронного дела № 02-7', 'Итого: 1 (один) документ в электронном виде'],
      ['kk', '№ 02-7 электрондық істің электрондық түрдегі құжаттарының ішкі тізімдемесі', 'Барлығы: 1 (бір) электрондық түрдегі құжат'],
    ] as const) {
      const out = path.join(dataDir, `app32-${lang}.pdf`);
      const rendered = await run('form', 'render', 'internal-inventory', dossierId, '--lang', lang, '--out', out);
      expect(rendered.code).toBe(0);
      expect(rendered.stderr).toContain(`App. 32 “`);
      expect(rendered.stderr).toContain(`→ ${out}`);
      const bytes = readFileSync(out);
      expect(validateBytes(bytes).compliant).toBe(true);
      const read = await pdfText(bytes);
      if (read) {
        expect(read.text).toContain(heading);
        expect(read.text).toContain(collapse(total));
      }
    }
  }, 120_000);

  it('writes CSV with a BOM and JSON (format from the file name), and keeps a rendition when asked', async () => {
    const csv = await run('form', 'render', 'internal-inventory', dossierId, '--lang', 'ru', '--format', 'csv');
    expect(csv.code).toBe(0);
    expect(csv.stdout.startsWith('\uFEFF№ п/п,Дата документа в электронном виде,')).toBe(true);
    const out = path.join(dataDir, 'app32.json');
    const json = await run('form', 'render', 'internal-inventory', dossierId, '--out', out, '--store', '--json');
    expect(json.code).toBe(0);
    const summary = JSON.parse(json.stdout) as { format: string; language: string; stored: { id: string; sha256: string } };
    expect(summary).toMatchObject({ format: 'json', language: 'kk' });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ schema: 'muragat.form/1', kind: 'internal-inventory', appendix: 32 });
    const listed = JSON.parse((await run('form', 'renditions', 'internal-inventory', dossierId, '--json')).stdout) as { id: string; sha256: string; signature: unknown }[];
    expect(listed).toEqual([expect.objectContaining({ id: summary.stored.id, sha256: summary.stored.sha256, signature: null })]);
  }, 120_000);

  it('refuses an unknown form, format or language, and a dossier that does not exist, in words', async () => {
    const kind = await run('form', 'render', 'passport', dossierId);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain('Unknown form “passport”; the forms are: nomenclature, inventory, schedule, internal-inventory, acceptance-act');
    const lang = await run('form', 'render', 'internal-inventory', dossierId, '--lang', 'en', '--format', 'json');
    expect(lang.code).toBe(2);
    expect(lang.stderr).toContain('Forms are issued in Kazakh (kk) and Russian (ru) only, not “en”');
    const format = await run('form', 'render', 'internal-inventory', dossierId, '--format', 'docx');
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('Unknown format “docx”');
    const missing = await run('form', 'render', 'internal-inventory', '00000000-0000-4000-8000-000000000000', '--format', 'json');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Nothing with id “00000000-0000-4000-8000-000000000000” was found for the form of App. 32');
  }, 60_000);

  it('names the module when a kind cannot be loaded yet', async () => {
    const saved = FORM_LOADERS.schedule.module;
    FORM_LOADERS.schedule.module = '../catalog/schedules/no-such-form';
    try {
      const answer = await run('form', 'render', 'schedule', '00000000-0000-4000-8000-000000000031', '--format', 'json');
      expect(answer.code).toBe(2);
      expect(answer.stderr).toContain('Loading the data of App. 31 (schedule) is not available yet: module catalog/schedules/no-such-form.ts is missing');
    } finally {
      FORM_LOADERS.schedule.module = saved;
    }
  }, 60_000);
});
