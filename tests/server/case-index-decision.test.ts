// The archivist's case index decision kept with the transfer (issue 10): `ingest --new-volume`
// and the API decision are written on the transfer row and honoured by a later run that is not
// told again; "leave it refused" is recorded too; the department reads what its refused
// transfer collides with (the dossiers kept, to link them) but only the archivist may decide.
// And the signer's identity (name, IIN, certificate) is written into the AIP's dossier.json,
// both when the operator signs at ingest and when a user signs later over the API.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createSignersService } from '../../accounts/signers.service';
import { createUsersService } from '../../accounts/users.service';
import { readJsonObject, readManifest } from '../../ingest/aip';
import { runIngest } from '../../ingest/pipeline/run';
import { caseIndexStep } from '../../ingest/pipeline/steps/case-index';
import type { Ctx } from '../../ingest/pipeline/context';
import { processingIdle } from '../../ingest/intake/transfers.service';
import { signDetached } from '../../validators/signature/index';
import { createTestPki, type TestPki } from '../../validators/signature/testing/test-pki';
import type { DossierMetadata } from '../../validators/schemas/types';
import { describeEachDatabase } from '../helpers/db';
import { Client, startTestServer, type TestServer } from './helpers';
import { buildIndexPackage, PASSWORD, seedSignerUsers } from './signers-fixtures';

describeEachDatabase('case index decision kept with the transfer; signer identity in the AIP', (getDb) => {
  let server: TestServer;
  let work: string;
  let pki: TestPki;
  const clients: Record<string, Client> = {};
  const ids: Record<string, string> = {};
  const deps = () => ({ db: getDb().db, storage: server.deps.storage, config: server.deps.config });
  const decisionRow = (id: string) =>
    getDb().db.selectFrom('transfers').select(['case_index_decision', 'new_volume_indexes', 'case_index_decided_by']).where('id', '=', id).executeTakeFirstOrThrow();

  async function settled(transferId: string): Promise<string> {
    for (let i = 0; i < 600; i++) {
      const row = await getDb().db.selectFrom('transfers').select('status').where('id', '=', transferId).executeTakeFirstOrThrow();
      if (['completed', 'failed', 'cancelled'].includes(row.status)) return row.status;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`transfer ${transferId} did not finish`);
  }

  async function aipMetadata(dossierId: string): Promise<DossierMetadata> {
    const row = await getDb().db.selectFrom('dossiers').select('aip_manifest_sha256').where('id', '=', dossierId).executeTakeFirstOrThrow();
    const manifest = await readManifest(server.deps.storage, row.aip_manifest_sha256);
    const entry = manifest.files.find((f) => f.role === 'dossier-metadata')!;
    return readJsonObject<DossierMetadata>(server.deps.storage, entry.sha256);
  }

  beforeAll(async () => {
    const { db } = getDb();
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-case-decision-'));
    pki = await createTestPki(path.join(work, 'pki'));
    await seedSignerUsers(db);
    server = await startTestServer(db, {}, { MURAGAT_TRUST_DIR: pki.trustDir, MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    for (const name of ['keeper', 'clerk', 'clerk2', 'head']) {
      clients[name] = new Client(server.url);
      expect((await clients[name]!.login(name, PASSWORD)).status).toBe(200);
    }
    ids.first = (await runIngest(deps(), { tarPath: await buildIndexPackage(work, { index: '03-21', tag: 'a' }) })).transfer;
  }, 400_000);

  afterAll(async () => {
    if (server) {
      await processingIdle(server.deps.db);
      await server.stop();
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('keeps `--new-volume` on the transfer row (audited) and a run not told again honours it', async () => {
    const second = await runIngest(deps(), { tarPath: await buildIndexPackage(work, { index: '03-21', tag: 'b' }), options: { newVolumes: true } });
    ids.second = second.transfer;
    expect(second.status).not.toBe('failed');
    expect(await decisionRow(second.transfer)).toEqual({ case_index_decision: 'new-volume', new_volume_indexes: null, case_index_decided_by: 'system' });
    const events = await getDb().db.selectFrom('audit_events').select(['action', 'details']).where('object_id', '=', second.transfer).where('action', '=', 'transfer.new_volume').execute();
    expect(events).toHaveLength(1);
    expect(events[0]!.details).toMatchObject({ indexes: 'all', via: 'ingest' });
    // A retry or resume runs the check again without the option: the row decides.
    const manifest = { transfer: { department: { code: '03' }, year: 2025 }, dossiers: [{ index: '03-21', volume: 1 }] };
    const ctx = { deps: deps(), transferId: second.transfer, options: {}, actor: SYSTEM_ACTOR, manifest } as unknown as Ctx;
    const again = await caseIndexStep.run(ctx);
    expect(again).toEqual({ ok: true });
    // Numbered after the first transfer's volume (its own dossier is not counted against it).
    expect([...ctx.volumes!.entries()]).toEqual([['03-21#1', 2]]);
    // Without any decision the same check refuses.
    const ctx2 = { ...ctx, transferId: ids.first, manifest: { ...manifest }, volumes: undefined } as unknown as Ctx;
    expect((await caseIndexStep.run(ctx2)).ok).toBe(false);
  }, 120_000);

  it('shows the department what a refused transfer collides with; only the archivist decides, and "leave refused" is kept', async () => {
    const third = await runIngest(deps(), { tarPath: await buildIndexPackage(work, { index: '03-21', tag: 'c' }), actor: { userId: null, username: 'clerk', roles: ['department_clerk'] } });
    ids.third = third.transfer;
    expect(third.status).toBe('failed');
    const seen = await clients.clerk!.get(`/api/transfers/${ids.third}/case-index`);
    expect(seen.status, seen.text).toBe(200);
    expect(seen.body).toMatchObject({ refused: true, mayDecide: false, decision: null });
    expect(seen.body.conflicts).toHaveLength(1);
    expect(seen.body.conflicts[0]).toMatchObject({ index: '03-21', department: '03', year: 2025 });
    expect(seen.body.conflicts[0].dossiers.map((d: { volume: number }) => d.volume)).toEqual([1, 2]);
    const kept = await clients.clerk!.get(`/api/dossiers/${seen.body.conflicts[0].dossiers[0].id}`);
    expect(kept.status).toBe(200);
    // Another department's clerk: the transfer does not exist for them.
    expect((await clients.clerk2!.get(`/api/transfers/${ids.third}/case-index`)).status).toBe(404);
    expect((await clients.clerk!.post(`/api/transfers/${ids.third}/keep-refused`)).status).toBe(403);
    expect((await clients.head!.post(`/api/transfers/${ids.third}/new-volume`)).status).toBe(403);
    expect((await clients.keeper!.get(`/api/transfers/${ids.third}/case-index`)).body.mayDecide).toBe(true);

    const left = await clients.keeper!.post(`/api/transfers/${ids.third}/keep-refused`);
    expect(left.status, left.text).toBe(200);
    expect(left.body.decision).toMatchObject({ decision: 'keep-refused', decidedBy: 'keeper' });
    const again = await clients.keeper!.post(`/api/transfers/${ids.third}/keep-refused`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ingest.case_index_already_decided');
    expect(again.body.error.message).toContain(ids.third);
    expect((await clients.clerk!.get(`/api/transfers/${ids.third}/case-index`)).body.decision).toMatchObject({ decision: 'keep-refused', decidedBy: 'keeper' });
    // A retry keeps it refused: the decision is honoured.
    expect((await clients.keeper!.post(`/api/transfers/${ids.third}/retry`)).status).toBe(202);
    expect(await settled(ids.third!)).toBe('failed');
    // The archivist may still change their mind; the dossier becomes volume 3.
    const decided = await clients.keeper!.post(`/api/transfers/${ids.third}/new-volume`);
    expect(decided.status, decided.text).toBe(202);
    expect(await settled(ids.third!)).toBe('completed');
    expect(await decisionRow(ids.third!)).toEqual({ case_index_decision: 'new-volume', new_volume_indexes: ['03-21'], case_index_decided_by: 'keeper' });
    const volume = await getDb().db.selectFrom('dossiers').select('volume').where('transfer_id', '=', ids.third!).executeTakeFirstOrThrow();
    expect(volume.volume).toBe(3);
    const actions = (await getDb().db.selectFrom('audit_events').select('action').where('object_id', '=', ids.third!).execute()).map((e) => e.action);
    expect(actions).toContain('transfer.keep_refused');
    expect(actions).toContain('transfer.new_volume');
  }, 180_000);

  it('writes who signed (name, IIN, certificate) into the AIP, at ingest and when signed later', async () => {
    const { db } = getDb();
    // Someone who signs both statements of department 03 at ingest, with the RSA key.
    const dept = await db.selectFrom('departments').select('id').where('code', '=', '03').executeTakeFirstOrThrow();
    await createUsersService({ db }).add(SYSTEM_ACTOR, { username: 'operator', password: PASSWORD, fullName: 'Сейітов Асқар', roles: ['archivist', 'department_head'], departmentId: dept.id, language: 'en' });
    const signers = createSignersService({ db });
    await signers.addCertificate(SYSTEM_ACTOR, 'operator', new Uint8Array(await readFile(pki.signers.rsa.certPath)), 'rsa.pem');
    const signed = await runIngest(deps(), {
      tarPath: await buildIndexPackage(work, { index: '03-30', tag: 's' }),
      options: { signer: { pkcs12: new Uint8Array(await readFile(pki.signers.rsa.p12Path)), password: pki.password } },
    });
    expect(signed.status, JSON.stringify(signed.failure)).not.toBe('failed');
    const meta = await aipMetadata(signed.dossiers[0]!.id!);
    const records = meta.integrity.signatures ?? [];
    expect(records.map((r) => r.kind).sort()).toEqual(['integrity', 'inventory']);
    for (const r of records) {
      expect(r.verdict).toBe('valid');
      expect(r.signedBy).toMatchObject({ name: 'Сейітов Асқар', username: 'operator', iin: pki.iin });
      expect(r.signedBy.serialNumber).toMatch(/\S/);
      expect(r.signedBy.issuer).toMatch(/\S/);
    }
    expect(records.find((r) => r.kind === 'integrity')!.signedBy.role).toBe('department_head');

    // Signed later over the API: the clerk of 03 signs the inventory with the ECDSA key.
    await signers.addCertificate(SYSTEM_ACTOR, 'clerk', new Uint8Array(await readFile(pki.signers.ecdsa.certPath)), 'ecdsa.pem');
    const later = await runIngest(deps(), { tarPath: await buildIndexPackage(work, { index: '03-31', tag: 'l' }) });
    const dossierId = later.dossiers[0]!.id!;
    const content = await fetch(`${clients.clerk!.base}/api/dossiers/${dossierId}/signing-content?kind=inventory`, { headers: { cookie: [...clients.clerk!.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(content.status).toBe(200);
    const cms = Buffer.from(await signDetached(new Uint8Array(await content.arrayBuffer()), new Uint8Array(await readFile(pki.signers.ecdsa.p12Path)), pki.password)).toString('base64');
    const res = await clients.clerk!.post(`/api/dossiers/${dossierId}/signatures`, { kind: 'inventory', cms });
    expect(res.status, res.text).toBe(201);
    const after = await aipMetadata(dossierId);
    expect(after.integrity.signatures).toHaveLength(1);
    expect(after.integrity.signatures![0]).toMatchObject({ kind: 'inventory', verdict: 'valid', signedBy: { name: 'Aizhan Toleuova', username: 'clerk', role: 'department_clerk', iin: '900202400456' } });
    // The catalog and the AIP agree: verify names no mismatch for it.
    const catalog = await db.selectFrom('dossiers').select('metadata').where('id', '=', dossierId).executeTakeFirstOrThrow();
    expect((catalog.metadata as unknown as DossierMetadata).integrity.signatures).toEqual(after.integrity.signatures);
  }, 240_000);
});
