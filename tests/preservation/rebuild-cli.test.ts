// `muragat catalog rebuild --from-storage` in-process through main(): a transfer ingested into
// one data folder, then a new data folder (its embedded catalog made on first use) pointed at
// the same storage locations is rebuilt — usage error without --from-storage (exit 2), a dry
// run that writes nothing, the rebuild itself in words, `verify --all` passing on it, and a
// second rebuild refused because the catalog is no longer empty (exit 1).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, setConfig } from '../../common/config';
import { runIngest } from '../../ingest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createOrganisationService } from '../../catalog/organisation.service';
import { runCli as run } from '../helpers/cli';
import { createIngestEnv, buildFixtureTransfer, type IngestEnv } from '../ingest/helpers';

describe('muragat catalog rebuild --from-storage', () => {
  let env: IngestEnv;
  let dataDir: string;
  const lang = process.env.MURAGAT_LANG;

  beforeAll(async () => {
    env = await createIngestEnv({ MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    const organisation = createOrganisationService({ db: env.db });
    await organisation.save(SYSTEM_ACTOR, { nameKk: '«Мұрағат Үлгі» ЖШС', nameRu: 'ТОО «Мурагат Образец»', bin: '123456789012', fondsNumber: '12' });
    await organisation.addDepartment(SYSTEM_ACTOR, { code: '03', nameKk: 'Кадр бөлімі', nameRu: 'Отдел кадров' });
    const report = await runIngest(env.deps, { tarPath: await buildFixtureTransfer(env, 'rebuild-cli') });
    expect(report.dossiers).toHaveLength(2);
    // The lost database: a new data folder with the same storage locations and trust folder.
    dataDir = await mkdtemp(path.join(tmpdir(), 'muragat-rebuild-cli-'));
    setConfig(parseConfig({ ...env.env, MURAGAT_DATA_DIR: dataDir, MURAGAT_LANG: 'en' }));
    process.env.MURAGAT_LANG = 'en';
  }, 600_000);
  afterAll(async () => {
    if (lang === undefined) delete process.env.MURAGAT_LANG;
    else process.env.MURAGAT_LANG = lang;
    await env?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('asks where to rebuild from', async () => {
    const r = await run('catalog', 'rebuild');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--from-storage');
  });

  it('a dry run reads and checks everything and writes nothing', async () => {
    const r = await run('catalog', 'rebuild', '--from-storage', '--dry-run', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: true, written: false, dryRun: true, problems: [] });
    expect(report.dossiers.map((d: { index: string }) => d.index)).toEqual(['03-12', '03-15']);
    const verify = await run('verify', '--all', '--json');
    expect(JSON.parse(verify.stdout).dossiers).toEqual([]);
  }, 120_000);

  it('rebuilds, says what it did, and verify --all passes', async () => {
    const r = await run('catalog', 'rebuild', '--from-storage');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('03-12 (volume 1) "Жеке құрам бойынша бұйрықтар": 3 documents, Awaiting signature');
    expect(r.stdout).toMatch(/Catalog rebuilt: 2 dossiers, 6 documents, 1 transfer from \d+ manifests among \d+ objects/);
    const verify = await run('verify', '--all', '--json');
    expect(verify.code, verify.stdout).toBe(0);
    const result = JSON.parse(verify.stdout);
    expect(result.ok).toBe(true);
    expect(result.dossiers).toHaveLength(2);
  }, 120_000);

  it('refuses a second rebuild into the catalog it filled', async () => {
    const r = await run('catalog', 'rebuild', '--from-storage');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('already holds 2 dossiers and 1 transfer;');
    expect(r.stderr).toContain('--into-non-empty');
  });
});
