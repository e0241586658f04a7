// Case index uniqueness (issue 10): one dossier per case index, department and year. A second
// transfer of an index already kept is refused naming the index and the earlier transfer; the
// archivist may add it as a new volume (API, or `ingest --new-volume`); a lookup by index never
// silently picks the newest; the database itself holds the rule, and the migration numbers
// dossiers already duplicated as volumes.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runIngest } from '../../ingest/pipeline/run';
import { findDossier } from '../../ingest/dossier/queries';
import { processingIdle } from '../../ingest/intake/transfers.service';
import { numberDuplicateVolumes } from '../../ingest/migrations/202612066001_case_index_volumes';
import { createTestPki } from '../../validators/signature/testing/test-pki';
import { describeEachDatabase } from '../helpers/db';
import { Client, startTestServer, type TestServer } from './helpers';
import { buildIndexPackage, PASSWORD, seedSignerUsers } from './signers-fixtures';

describeEachDatabase('case index uniqueness and volumes', (getDb) => {
  let server: TestServer;
  let work: string;
  const clients: Record<string, Client> = {};
  const ids: Record<string, string> = {};
  const deps = () => ({ db: getDb().db, storage: server.deps.storage, config: server.deps.config });
  const volumes = async () =>
    (await getDb().db.selectFrom('dossiers').select(['transfer_id', 'volume', 'department', 'year']).where('case_index', '=', '03-12').orderBy('volume').execute()).map((r) => ({ ...r }));

  async function settled(transferId: string): Promise<string> {
    for (let i = 0; i < 600; i++) {
      const row = await getDb().db.selectFrom('transfers').select('status').where('id', '=', transferId).executeTakeFirstOrThrow();
      if (['completed', 'failed', 'cancelled'].includes(row.status)) return row.status;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`transfer ${transferId} did not finish`);
  }

  beforeAll(async () => {
    const { db } = getDb();
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-case-index-'));
    const pki = await createTestPki(path.join(work, 'pki'));
    await seedSignerUsers(db);
    server = await startTestServer(db, {}, { MURAGAT_TRUST_DIR: pki.trustDir, MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    for (const name of ['keeper', 'clerk']) {
      clients[name] = new Client(server.url);
      expect((await clients[name]!.login(name, PASSWORD)).status).toBe(200);
    }
    const first = await runIngest(deps(), { tarPath: await buildIndexPackage(work, { index: '03-12', tag: 'a' }) });
    ids.first = first.transfer;
    expect(first.dossiers.map((d) => d.index)).toEqual(['03-12']);
  }, 400_000);

  afterAll(async () => {
    if (server) {
      await processingIdle(server.deps.db);
      await server.stop();
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('refuses a second transfer of the same index, department and year, naming the index and the earlier transfer', async () => {
    const second = await runIngest(deps(), { tarPath: await buildIndexPackage(work, { index: '03-12', tag: 'b' }), actor: { userId: null, username: 'clerk', roles: ['department_clerk'] } });
    ids.second = second.transfer;
    expect(second.status).toBe('failed');
    const problem = second.problems!.find((p) => p.code === 'ingest.case_index_exists')!;
    expect(problem.message).toContain('03-12');
    expect(problem.message).toContain(ids.first);
    expect(problem.message).toContain('2025');
    expect(second.dossiers.every((d) => !d.id)).toBe(true);
    expect(await volumes()).toEqual([{ transfer_id: ids.first, volume: 1, department: '03', year: 2025 }]);
    // The same index in another year or department is another dossier.
    const nextYear = await runIngest(deps(), { tarPath: await buildIndexPackage(work, { index: '03-12', year: 2026, tag: 'c' }) });
    expect(nextYear.status).not.toBe('failed');
    expect(nextYear.dossiers, JSON.stringify(nextYear)).toHaveLength(1);
    expect(nextYear.dossiers[0]!.id, JSON.stringify(nextYear)).toBeTruthy();
  }, 120_000);

  it('adds it as a new volume by the archivist’s decision only, and the lookup by index then asks which volume', async () => {
    const refused = await clients.clerk!.post(`/api/transfers/${ids.second}/new-volume`);
    expect(refused.status).toBe(403);
    expect((await clients.keeper!.post(`/api/transfers/${ids.first}/new-volume`)).status).toBe(409);
    const decided = await clients.keeper!.post(`/api/transfers/${ids.second}/new-volume`);
    expect(decided.status, decided.text).toBe(202);
    expect(decided.body.indexes).toEqual(['03-12']);
    expect(await settled(ids.second!)).toBe('completed');
    expect((await volumes()).filter((v) => v.year === 2025)).toEqual([
      { transfer_id: ids.first, volume: 1, department: '03', year: 2025 },
      { transfer_id: ids.second, volume: 2, department: '03', year: 2025 },
    ]);
    const audit = await getDb().db.selectFrom('audit_events').select(['action', 'details']).where('action', '=', 'transfer.new_volume').execute();
    expect(audit).toHaveLength(1);
    // The index names two dossiers of 2025 and one of 2026: never silently the newest.
    await expect(findDossier(getDb().db, '03-12')).rejects.toMatchObject({ code: 'ingest.dossier_index_ambiguous' });
    await expect(findDossier(getDb().db, '03-12@2025')).rejects.toMatchObject({ code: 'ingest.dossier_index_ambiguous' });
    expect((await findDossier(getDb().db, '03-12@2025.v2')).transfer_id).toBe(ids.second);
    expect((await findDossier(getDb().db, '03-12@2026')).year).toBe(2026);
    const ambiguous = await clients.keeper!.get('/api/dossiers/03-12');
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body.error.message).toContain('03-12@2025.v1');
    expect(ambiguous.body.error.message).toContain('03-12@2025.v2');
    const listed = await clients.keeper!.get('/api/dossiers?index=03-12');
    expect(listed.body.total).toBe(3);
  }, 120_000);

  it('takes the decision up front with the ingest option, numbering after the kept volumes', async () => {
    const third = await runIngest(deps(), { tarPath: await buildIndexPackage(work, { index: '03-12', tag: 'd' }), options: { newVolumes: true } });
    expect(third.status).not.toBe('failed');
    expect((await volumes()).filter((v) => v.year === 2025).map((v) => v.volume)).toEqual([1, 2, 3]);
  }, 120_000);

  it('holds the rule in the database, and the migration numbers existing duplicates as volumes', async () => {
    const { db } = getDb();
    const kept = await db.selectFrom('dossiers').selectAll().where('transfer_id', '=', ids.second!).executeTakeFirstOrThrow();
    await expect(db.updateTable('dossiers').set({ volume: 1 }).where('id', '=', kept.id).execute()).rejects.toThrow();
    // What the archive held before the rule: two dossiers «03-12» of 2025 both volume 1.
    await sql`DROP INDEX dossiers_case_volume`.execute(db);
    await db.updateTable('dossiers').set({ volume: 1 }).where('id', '=', kept.id).execute();
    const renumbered = await numberDuplicateVolumes(db);
    await sql`CREATE UNIQUE INDEX dossiers_case_volume ON dossiers (department, year, case_index, volume)`.execute(db);
    expect(renumbered).toBeGreaterThanOrEqual(1);
    const after = (await volumes()).filter((v) => v.year === 2025);
    expect(after.map((v) => [v.transfer_id, v.volume])).toEqual([[ids.first, 1], [ids.second, 2], [after[2]!.transfer_id, 3]]);
    const events = await db.selectFrom('audit_events').select('action').where('action', '=', 'dossier.renumber_volume').execute();
    expect(events.length).toBe(renumbered);
  });
});
