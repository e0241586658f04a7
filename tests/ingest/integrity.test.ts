// Integrity runs: damage and remove stored copies after a real ingest; a run without --repair
// names them, a run with repair restores them from the sound copy and proves it by verifying
// again; when no sound copy exists nothing is touched and the failure stays reported.
import { chmod, readFile, unlink, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIngest, loadTools, type IngestReport } from '../../ingest';
import { runIntegrity } from '../../preservation';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { verifyAuditChain } from '../../audit/audit.service';
import { FsObjectStore } from '../../storage';
import { storedObjectOf } from '../../destruction/content';
import { createIngestEnv, buildFixtureTransfer, type IngestEnv } from './helpers';

async function damage(store: FsObjectStore, sha256: string): Promise<void> {
  const file = store.objectPath(sha256);
  await chmod(file, 0o644);
  const bytes = await readFile(file);
  bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x01;
  await writeFile(file, bytes);
}

describe('integrity runs with repair from replicas', () => {
  let env: IngestEnv;
  let report: IngestReport;
  let primary: FsObjectStore;
  let replica: FsObjectStore;
  const run = async (repair: boolean) =>
    runIntegrity({ db: env.db, storage: env.storage, trustDir: env.config.trustDir, tools: await loadTools() }, { actor: SYSTEM_ACTOR, repair });
  const renditionSha = async (position: number) => {
    const d = report.dossiers[0]!;
    const row = await env.db.selectFrom('dossiers').select('aip_manifest_sha256').where('id', '=', d.id!).executeTakeFirstOrThrow();
    const manifest = JSON.parse((await env.storage.primary.getBytes(row.aip_manifest_sha256)).toString('utf8')) as { files: { path: string; sha256: string }[] };
    const plain = manifest.files.find((f) => f.path === d.documents[position]!.rendition)!.sha256;
    // A dossier that may be destroyed stores its content sealed (docs/destruction.md): the
    // object on disk is the envelope, checked and repaired under its own digest.
    return (await storedObjectOf(env.db, plain)).sha256;
  };

  beforeAll(async () => {
    env = await createIngestEnv({ MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    report = await runIngest(env.deps, { tarPath: await buildFixtureTransfer(env, 'integrity') });
    primary = env.storage.primary as FsObjectStore;
    replica = env.storage.replicas[0] as FsObjectStore;
  }, 300_000);
  afterAll(async () => env?.close());

  it('finds nothing to repair in an intact archive', async () => {
    const r = await run(true);
    expect(r.ok).toBe(true);
    expect(r.repairs).toEqual([]);
    expect(r.verification.objectsChecked).toBeGreaterThan(10);
  });

  it('names a damaged primary copy and a missing replica copy, then repairs both', async () => {
    const first = await renditionSha(0);
    const second = await renditionSha(1);
    await damage(primary, first);
    await unlink(replica.objectPath(second));

    const check = await run(false);
    expect(check.ok).toBe(false);
    const kinds = check.verification.dossiers.flatMap((d) => d.failures).map((f) => `${f.kind}:${f.sha256}`);
    expect(kinds).toContain(`object-corrupt:${first}`);
    expect(kinds).toContain(`object-missing:${second}`);
    expect(check.repairs).toEqual([]);

    const repaired = await run(true);
    expect(repaired.ok).toBe(true);
    expect(repaired.repairs.map((r) => r.sha256).sort()).toEqual([first, second].sort());
    expect(repaired.repairs.find((r) => r.sha256 === first)!.repaired).toEqual([
      expect.objectContaining({ location: primary.location, was: 'damaged' }),
    ]);
    expect(repaired.afterRepair?.ok).toBe(true);
    expect((await primary.verify(first)).ok).toBe(true);
    expect((await replica.verify(second)).ok).toBe(true);

    const actions = (await env.db.selectFrom('audit_events').select(['action', 'object_id']).orderBy('id').execute()).map((e) => `${e.action}:${e.object_id ?? ''}`);
    expect(actions).toContain(`storage.repair:${first}`);
    expect(actions).toContain(`storage.repair:${second}`);
    expect(actions.filter((a) => a.startsWith('integrity.run:'))).toHaveLength(3);
    expect((await verifyAuditChain(env.db)).ok).toBe(true);
  });

  it('leaves both copies alone and keeps failing when no sound copy exists', async () => {
    const sha = await renditionSha(0);
    await damage(primary, sha);
    await damage(replica, sha);
    const r = await run(true);
    expect(r.ok).toBe(false);
    const attempt = r.repairs.find((x) => x.sha256 === sha)!;
    expect(attempt.source).toBeNull();
    expect(attempt.unrepaired.map((u) => u.location).sort()).toEqual([primary.location, replica.location].sort());
    expect((await primary.verify(sha)).ok).toBe(false);
    const failed = await env.db.selectFrom('audit_events').select('action').where('object_id', '=', sha).where('action', '=', 'storage.repair_failed').execute();
    expect(failed).toHaveLength(1);
  });
});
