// `muragat integrity run --all | --location | --fixity --dossier | --resume` and `muragat
// integrity schedule show|set` in-process through main(), on an embedded catalog with a folder
// primary and an S3 replica (s3rver): a deleted S3 copy is repaired and named, a lost object
// fails the command (exit 1) naming its dossier, usage errors are named (exit 2), --json is
// machine-readable.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, setConfig, type Config } from '../../common/config';
import { openCatalog } from '../../database/open';
import { openStorage, type FsObjectStore } from '../../storage';
import type { S3ObjectStore } from '../../storage/s3-object-store';
import { runCli as run } from '../helpers/cli';
import { createHoldings, flipBit, type TestDossier } from './holdings';
import { startS3, type TestS3 } from './s3-server';

describe('muragat integrity run (fixity) and integrity schedule', () => {
  let dataDir: string;
  let config: Config;
  let s3: TestS3;
  let dossiers: TestDossier[];
  let bucket: S3ObjectStore;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'muragat-fixity-cli-'));
    s3 = await startS3();
    bucket = await s3.store('fixity-cli');
    config = parseConfig({
      MURAGAT_DATA_DIR: dataDir,
      MURAGAT_LANG: 'en',
      MURAGAT_STORAGE: `file:${path.join(dataDir, 'primary')},s3://fixity-cli/archive?endpoint=${s3.endpoint}`,
      MURAGAT_S3_ACCESS_KEY_ID: 'S3RVER',
      MURAGAT_S3_SECRET_ACCESS_KEY: 'S3RVER',
    });
    setConfig(config);
    process.env.MURAGAT_LANG = 'en';
    const catalog = await openCatalog(config);
    try {
      dossiers = await createHoldings(catalog.db, openStorage(config), { dossiers: 3, objectsPerDossier: 4, maxBytes: 8000 });
    } finally {
      await catalog.close();
    }
  }, 120_000);
  afterAll(async () => {
    await s3?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('shows and sets the schedule, naming a bad value', async () => {
    const shown = await run('integrity', 'schedule', 'show', '--json');
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ schedule: { enabled: true, cycleDays: 90, batchHours: 24 }, coverage: { objects: 15, neverChecked: 15 } });
    const set = await run('integrity', 'schedule', 'set', '--cycle-days', '30', '--batch-hours', '6', '--no-repair');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('every 30 days in batches every 6 h (120 batches)');
    expect(set.stdout).toContain('repair: false');
    const bad = await run('integrity', 'schedule', 'set', '--cycle-days', 'soon');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--cycle-days');
    const both = await run('integrity', 'schedule', 'set', '--enable', '--disable');
    expect(both.code).toBe(2);
  });

  it('repairs copies deleted from the S3 location, naming each with its dossier', async () => {
    const gone = dossiers[0]!.objects[1]!;
    await bucket.client.send(new DeleteObjectCommand({ Bucket: bucket.bucket, Key: bucket.objectKey(gone.sha256) }));
    const r = await run('integrity', 'run', '--location', 's3://fixity-cli/archive');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${gone.sha256} — s3://fixity-cli/archive: missing, repaired and verified (dossiers: ${dossiers[0]!.index})`);
    expect(r.stdout).toMatch(/15 objects checked — intact 14, repaired 1, damaged 0, lost 0/);
    expect(await bucket.exists(gone.sha256)).toBe(true);
  });

  it('fails naming a lost object and its dossier; --json gives the report', async () => {
    const victim = dossiers[2]!.objects[0]!;
    const primary = openStorage(config).primary as FsObjectStore;
    await flipBit(primary, victim.sha256);
    await bucket.client.send(new DeleteObjectCommand({ Bucket: bucket.bucket, Key: bucket.objectKey(victim.sha256) }));
    const r = await run('integrity', 'run', '--fixity', '--dossier', dossiers[2]!.index, '--json');
    expect(r.code).toBe(1);
    const body = JSON.parse(r.stdout) as { status: string; report: { lost: { sha256: string; dossiers: { index: string }[] }[] } };
    expect(body.status).toBe('failed');
    expect(body.report.lost).toEqual([expect.objectContaining({ sha256: victim.sha256, dossiers: [expect.objectContaining({ index: dossiers[2]!.index })] })]);
    const text = await run('integrity', 'run', '--all');
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`LOST ${victim.sha256}: no sound copy in any location; dossiers: ${dossiers[2]!.index}`);
  });

  it('names usage errors: no scope, two scopes, an unknown location, nothing to resume', async () => {
    expect((await run('integrity', 'run', '--all', '--location', '1')).stderr).toContain('Give one scope');
    const unknown = await run('integrity', 'run', '--location', 's3://elsewhere/x');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Storage location "s3://elsewhere/x" is unknown');
    const resume = await run('integrity', 'run', '--resume');
    expect(resume.code).toBe(2);
    expect(resume.stderr).toContain('No interrupted fixity run to resume');
  });

  it('runs either mode from one command (--mode) and lists both in one history', async () => {
    const fixity = await run('integrity', 'run', '--mode', 'fixity', '--dossier', dossiers[1]!.index, '--json');
    expect(fixity.code, fixity.stderr).toBe(0);
    expect(JSON.parse(fixity.stdout)).toMatchObject({ mode: 'fixity', status: 'passed', scope: 'dossier' });
    // A deep verification of the same dossier (these synthetic AIPs have no chains, so it may fail: exit 1, never a usage error).
    const verify = await run('integrity', 'run', '--mode', 'verify', '--dossier', dossiers[1]!.id, '--json');
    expect([0, 1], verify.stderr).toContain(verify.code);
    const listed = await run('integrity', 'runs', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    const runs = (JSON.parse(listed.stdout) as { runs: { mode: string; scope: string; status: string; dossier: { index: string } | null }[] }).runs;
    expect(runs[0]).toMatchObject({ mode: 'verify', scope: 'dossier', dossier: { index: dossiers[1]!.index } });
    expect(runs[1]).toMatchObject({ mode: 'fixity', scope: 'dossier', status: 'passed' });
    const onlyFixity = JSON.parse((await run('integrity', 'runs', '--mode', 'fixity', '--json')).stdout) as { runs: { mode: string }[] };
    expect(onlyFixity.runs.length).toBeGreaterThan(1);
    expect(onlyFixity.runs.every((r) => r.mode === 'fixity')).toBe(true);
    const text = await run('integrity', 'runs', '--limit', '2');
    expect(text.stdout).toContain('Deep verification');
    expect(text.stdout).toContain('Fixity check');
    const bad = await run('integrity', 'run', '--mode', 'hash');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--mode hash is unknown; one of: verify, fixity');
    const where = await run('integrity', 'run', '--mode', 'verify', '--location', '1');
    expect(where.code).toBe(2);
    expect(where.stderr).toContain('--location applies to fixity runs only');
  }, 120_000);
});
