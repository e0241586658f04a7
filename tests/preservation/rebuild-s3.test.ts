// Catalog rebuild when the database and the primary disk's objects are lost and an S3 replica
// (s3rver) remains, with the key area of the primary: the AIPs are found and read from the
// bucket, every dossier comes back, each object the primary lacks is counted against it, and
// verify names exactly those missing copies (an integrity run with repair restores them).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIngest, verifyStoredDossiers, loadTools, type IngestReport } from '../../ingest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createOrganisationService } from '../../catalog/organisation.service';
import { rebuildCatalog, type RebuildReport } from '../../preservation/rebuild';
import { createTestDatabase } from '../helpers/db';
import { createIngestEnv, buildFixtureTransfer, type IngestEnv } from '../ingest/helpers';
import { startS3, type TestS3 } from './s3-server';

describe('catalog rebuild from an S3 replica', () => {
  let s3: TestS3;
  let primary: string;
  let env: IngestEnv;
  let ingested: IngestReport;
  let target: Awaited<ReturnType<typeof createTestDatabase>>;
  let rebuilt: RebuildReport;

  beforeAll(async () => {
    s3 = await startS3();
    await s3.store('rebuild');
    primary = await mkdtemp(path.join(tmpdir(), 'muragat-rebuild-primary-'));
    env = await createIngestEnv({
      MURAGAT_MALWARE_POLICY: 'accept-with-warning',
      MURAGAT_STORAGE: `file:${primary},s3://rebuild/archive?endpoint=${s3.endpoint}`,
      MURAGAT_S3_ACCESS_KEY_ID: 'S3RVER',
      MURAGAT_S3_SECRET_ACCESS_KEY: 'S3RVER',
    });
    const organisation = createOrganisationService({ db: env.db });
    await organisation.save(SYSTEM_ACTOR, { nameKk: '«Мұрағат Үлгі» ЖШС', nameRu: 'ТОО «Мурагат Образец»', bin: '123456789012', fondsNumber: '12' });
    await organisation.addDepartment(SYSTEM_ACTOR, { code: '03', nameKk: 'Кадр бөлімі', nameRu: 'Отдел кадров' });
    ingested = await runIngest(env.deps, { tarPath: await buildFixtureTransfer(env, 'rebuild-s3') });
    // The primary disk's objects are gone with the database; its key area survives.
    // (A new, empty disk in its place: an unreadable location would be a named problem of its own.)
    await rm(path.join(primary, 'objects'), { recursive: true, force: true });
    await mkdir(path.join(primary, 'objects'));
    target = await createTestDatabase('pglite');
    rebuilt = await rebuildCatalog({ db: target.db, storage: env.storage, trustDir: env.config.trustDir, verifySignature: (await loadTools()).verifySignature }, { actor: SYSTEM_ACTOR });
  }, 600_000);
  afterAll(async () => {
    await target?.close();
    await env?.close();
    await s3?.close();
    await rm(primary, { recursive: true, force: true });
  });

  it('rebuilds every dossier from the bucket and counts what the primary lacks', () => {
    expect(rebuilt.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(rebuilt).toMatchObject({ ok: true, written: true, organisation: true });
    expect(rebuilt.dossiers.map((d) => d.index)).toEqual(ingested.dossiers.map((d) => d.index));
    const missing = rebuilt.problems.filter((p) => p.code === 'rebuild.object_missing_in_location');
    expect(missing.map((p) => [p.aipId?.split('/')[1], p.params.location])).toEqual(ingested.dossiers.map((d) => [d.index, `file:${primary}`]));
    expect(missing.every((p) => Number(p.params.count) > 5)).toBe(true);
  });

  it('verify names only the copies missing from the primary', async () => {
    const result = await verifyStoredDossiers({ db: target.db, storage: env.storage, trustDir: env.config.trustDir, tools: await loadTools() });
    const failures = result.dossiers.flatMap((d) => d.failures);
    expect(failures.length).toBeGreaterThan(10);
    expect(failures.filter((f) => f.kind !== 'object-missing' || f.store !== `file:${primary}`)).toEqual([]);
  });
});
