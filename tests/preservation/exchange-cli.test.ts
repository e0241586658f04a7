// `muragat export` and `muragat import` in-process through main(): usage errors (exit 2), a
// fixture transfer ingested through the CLI and exported as a BagIt tar with --json, the tar
// imported into a second data folder (its embedded catalog made on first use) as a transfer,
// and a damaged package refused in words naming the file (exit 1), nothing stored.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, setConfig } from '../../common/config';
import { runCli as run } from '../helpers/cli';
import { buildFixtureTransfer, createIngestEnv, type IngestEnv } from '../ingest/helpers';

describe('muragat export / import', () => {
  let env: IngestEnv;
  let first: string;
  let second: string;
  let tar: string;
  const lang = process.env.MURAGAT_LANG;
  const useDataDir = (dir: string) => setConfig(parseConfig({ ...env.env, MURAGAT_DATA_DIR: dir, MURAGAT_STORAGE: `file:${path.join(dir, 'store')}`, MURAGAT_LANG: 'en' }));

  beforeAll(async () => {
    env = await createIngestEnv({ MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    tar = await buildFixtureTransfer(env, 'exchange-cli');
    first = await mkdtemp(path.join(tmpdir(), 'muragat-exchange-cli-a-'));
    second = await mkdtemp(path.join(tmpdir(), 'muragat-exchange-cli-b-'));
    process.env.MURAGAT_LANG = 'en';
    useDataDir(first);
    const ingest = await run('ingest', tar, '--json');
    expect(ingest.code, ingest.stderr).toBe(0);
  }, 600_000);
  afterAll(async () => {
    if (lang === undefined) delete process.env.MURAGAT_LANG;
    else process.env.MURAGAT_LANG = lang;
    await env?.close();
    for (const d of [first, second]) if (d) await rm(d, { recursive: true, force: true });
  });

  it('asks what to export, and refuses an unknown format (exit 2)', async () => {
    useDataDir(first);
    const none = await run('export', path.join(first, 'x.tar'));
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--dossier, --fonds, --year or --transfer');
    const format = await run('export', path.join(first, 'x.tar'), '--year', '2025', '--format', 'zip');
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('Unknown format "zip"');
    const nothing = await run('export', path.join(first, 'x.tar'), '--dossier', '99-99');
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain('Nothing to export');
  }, 120_000);

  it('exports a year as a BagIt tar and imports it into another Muragat', async () => {
    useDataDir(first);
    const bag = path.join(first, 'year-bag.tar');
    // The fixture transfer's year (ingest/transfer/testing/fixtures.ts).
    const exported = await run('export', bag, '--year', '2025', '--format', 'bagit', '--json');
    expect(exported.code, exported.stderr).toBe(0);
    const report = JSON.parse(exported.stdout);
    expect(report.packages.map((p: { index: string }) => p.index)).toEqual(['03-12', '03-15']);
    expect(report).toMatchObject({ format: 'bagit', container: 'tar' });

    useDataDir(second);
    const imported = await run('import', bag);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/Transfer [0-9a-f-]{36} \(03, 2025\): completed, 2 dossiers/);
    expect(imported.stdout).toMatch(/03-12: (\d+) of \1 documents accepted/);
    const verify = await run('verify', '--all', '--json');
    expect(verify.code, verify.stderr).toBe(0);
  }, 600_000);

  it('refuses a damaged package naming the file, stores nothing (exit 1)', async () => {
    useDataDir(first);
    const folder = path.join(first, 'single');
    const exported = await run('export', folder, '--dossier', '03-15', '--folder', '--json');
    expect(exported.code, exported.stderr).toBe(0);
    const objid = JSON.parse(exported.stdout).packages[0].objid as string;
    await writeFile(path.join(folder, objid, 'metadata/descriptive/dc.xml'), '<changed/>');
    const refused = await run('import', folder);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Import refused');
    expect(refused.stderr).toContain(`${objid}/metadata/descriptive/dc.xml: bad checksum`);
    const json = await run('import', folder, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ refused: true, problems: expect.arrayContaining([expect.objectContaining({ code: 'bad_size', file: `${objid}/metadata/descriptive/dc.xml` })]) });
  }, 300_000);
});
