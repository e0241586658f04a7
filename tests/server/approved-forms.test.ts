// The organisation head's approval keeps the form: approving a nomenclature (App. 26) and a
// transfer schedule (App. 31) stores the form in Kazakh and Russian as PDF/A-1b renditions,
// listed by GET /api/forms/{kind}/{id}/renditions; the approving head signs a stored rendition
// with a detached CMS over its downloaded bytes (accepted, audited form.sign, listed as signed),
// and a signature made with a key registered to another user is refused. Both engines.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createSignersService } from '../../accounts/signers.service';
import { createUsersService } from '../../accounts/users.service';
import type { Role } from '../../accounts/roles';
import { createOrganisationService } from '../../catalog/organisation.service';
import { createScheduleService } from '../../catalog/schedules/schedules.service';
import { cliActor } from '../../cli/database';
import { signDetached } from '../../validators/signature/index';
import { createTestPki, type TestPki } from '../../validators/signature/testing/test-pki';
import { validateBytes } from '../../validators/pdfa';
import { describeEachDatabase } from '../helpers/db';
import { Client, startTestServer, type TestServer } from './helpers';

const PASSWORD = 'Approved-Forms-Phrase-73';
const YEAR = new Date().getFullYear() + 1;
const SCHEDULE_YEAR = new Date().getFullYear();
const TODAY = new Date().toISOString().slice(0, 10);

describeEachDatabase('approved forms stored and signed', (getDb) => {
  let server: TestServer;
  let pki: TestPki;
  let work: string;
  const as: Record<string, Client> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const { db } = getDb();
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-approved-forms-'));
    pki = await createTestPki(path.join(work, 'pki'));
    await createOrganisationService({ db }).addDepartment(SYSTEM_ACTOR, { code: '01', nameKk: 'Басшылық', nameRu: 'Руководство' });
    const users = createUsersService({ db });
    server = await startTestServer(db, {}, { MURAGAT_TRUST_DIR: pki.trustDir });
    const people: [string, Role][] = [['records', 'records_head'], ['secretary', 'commission_secretary'], ['director', 'organisation_head'], ['archivist', 'archivist']];
    for (const [username, role] of people) {
      const user = await users.add(SYSTEM_ACTOR, { username, password: PASSWORD, fullName: `Тестов ${username}`, position: role, roles: [role], language: 'kk' });
      ids[username] = (user as { id: string }).id;
      as[username] = new Client(server.url);
      expect((await as[username]!.login(username, PASSWORD)).status).toBe(200);
    }
    // The RSA test key is the director's; the ECDSA one is the archivist's.
    const signers = createSignersService({ db });
    await signers.addCertificate(SYSTEM_ACTOR, 'director', new Uint8Array(await readFile(pki.signers.rsa.certPath)));
    await signers.addCertificate(SYSTEM_ACTOR, 'archivist', new Uint8Array(await readFile(pki.signers.ecdsa.certPath)));
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function expectStoredPdfa(kind: string, subjectId: string, createdBy = 'director'): Promise<{ id: string; language: string }[]> {
    const listed = await as.archivist!.get(`/api/forms/${kind}/${subjectId}/renditions`);
    expect(listed.status).toBe(200);
    const renditions = listed.body.renditions as { id: string; language: string; format: string; signature: unknown }[];
    expect(renditions.map((r) => r.language).sort()).toEqual(['kk', 'ru']);
    for (const r of renditions) {
      expect(r).toMatchObject({ format: 'pdf', signature: null, createdBy });
      const content = await fetch(`${server.url}/api/form-renditions/${r.id}?content=1`, { headers: { cookie: [...as.archivist!.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
      expect(content.status).toBe(200);
      expect(validateBytes(Buffer.from(await content.arrayBuffer())).compliant).toBe(true);
    }
    return renditions;
  }

  async function bytesOf(client: Client, id: string): Promise<Uint8Array> {
    const res = await fetch(`${server.url}/api/form-renditions/${id}?content=1`, { headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    return new Uint8Array(await res.arrayBuffer());
  }

  it('stores App. 26 in kk and ru on the head\'s approval; the head signs it, another user\'s key is refused', async () => {
    const csv = 'department,index,heading,retention\n01,01-1,Бұйрықтар,Постоянно\n01,01-2,Хаттар,5 лет\n';
    expect((await as.records!.request('POST', `/api/nomenclatures/${YEAR}/import`, { json: { format: 'csv', content: csv, sourceName: 'n.csv' } })).status).toBe(201);
    expect((await as.records!.request('POST', `/api/nomenclatures/${YEAR}/steps`, { json: { step: 'records_head' } })).status).toBe(200);
    expect((await as.secretary!.request('POST', `/api/nomenclatures/${YEAR}/steps`, { json: { step: 'expert_commission', protocolNumber: '3', date: TODAY } })).status).toBe(200);
    expect((await as.secretary!.request('POST', `/api/nomenclatures/${YEAR}/steps`, { json: { step: 'state_review', protocolNumber: '8', date: TODAY } })).status).toBe(200);
    // Nothing is stored before the approval.
    const draft = await as.records!.get(`/api/nomenclatures/${YEAR}`);
    expect((await as.archivist!.get(`/api/forms/nomenclature/${draft.body.id}/renditions`)).body.renditions).toEqual([]);
    const approved = await as.director!.request('POST', `/api/nomenclatures/${YEAR}/steps`, { json: { step: 'organisation_head' } });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('approved');
    const renditions = await expectStoredPdfa('nomenclature', approved.body.id);

    const kk = renditions.find((r) => r.language === 'kk')!;
    const bytes = await bytesOf(as.director!, kk.id);
    const others = await signDetached(bytes, new Uint8Array(await readFile(pki.signers.ecdsa.p12Path)), pki.password);
    const refused = await as.director!.request('POST', `/api/form-renditions/${kk.id}/signature?lang=ru`, { json: { cms: Buffer.from(others).toString('base64') } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forms.signature_not_yours');
    // The archivist signing the nomenclature with their own registered key: not the approver's role.
    const byArchivist = await as.archivist!.request('POST', `/api/form-renditions/${kk.id}/signature`, { json: { cms: Buffer.from(others).toString('base64') } });
    expect(byArchivist.status).toBe(403);
    expect(byArchivist.body.error.code).toBe('forms.signature_role');
    const own = await signDetached(bytes, new Uint8Array(await readFile(pki.signers.rsa.p12Path)), pki.password);
    // A key registered to nobody is refused until the administrator registers it.
    await getDb().db.updateTable('signer_bindings').set({ status: 'removed' }).where('user_id', '=', (await getDb().db.selectFrom('users').select('id').where('username', '=', 'director').executeTakeFirstOrThrow()).id).execute();
    const unregistered = await as.director!.request('POST', `/api/form-renditions/${kk.id}/signature`, { json: { cms: Buffer.from(own).toString('base64') } });
    expect(unregistered.status).toBe(403);
    expect(unregistered.body.error.code).toBe('forms.signature_unregistered');
    await getDb().db.updateTable('signer_bindings').set({ status: 'active' }).where('user_id', '=', (await getDb().db.selectFrom('users').select('id').where('username', '=', 'director').executeTakeFirstOrThrow()).id).execute();
    const signed = await as.director!.request('POST', `/api/form-renditions/${kk.id}/signature`, { json: { cms: Buffer.from(own).toString('base64') } });
    expect(signed.status).toBe(200);
    expect(signed.body.rendition.signature).toMatchObject({ signedBy: 'director', verdict: 'valid' });
    const listed = (await as.archivist!.get(`/api/forms/nomenclature/${approved.body.id}/renditions`)).body.renditions as { id: string; signature: { signedBy: string } | null }[];
    expect(listed.find((r) => r.id === kk.id)!.signature).toMatchObject({ signedBy: 'director' });
    const audit = await getDb().db.selectFrom('audit_events').select(['action', 'object_id']).where('action', '=', 'form.sign').execute();
    expect(audit).toEqual([expect.objectContaining({ object_id: kk.id })]);
  });

  it('stores App. 31 in kk and ru on the head\'s approval; the head signs the ru rendition, another user\'s key is refused', async () => {
    expect((await as.archivist!.post('/api/transfer-schedules', { year: SCHEDULE_YEAR })).status).toBe(201);
    expect((await as.archivist!.post(`/api/transfer-schedules/${SCHEDULE_YEAR}/rows`, { department: '01', deadline: `${SCHEDULE_YEAR}-12-20`, responsible: 'archivist' })).status).toBe(201);
    const approved = await as.director!.post(`/api/transfer-schedules/${SCHEDULE_YEAR}/approve`, {});
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('approved');
    const renditions = await expectStoredPdfa('schedule', approved.body.id);

    const ru = renditions.find((r) => r.language === 'ru')!;
    const bytes = await bytesOf(as.director!, ru.id);
    const others = await signDetached(bytes, new Uint8Array(await readFile(pki.signers.ecdsa.p12Path)), pki.password);
    expect((await as.director!.request('POST', `/api/form-renditions/${ru.id}/signature`, { json: { cms: Buffer.from(others).toString('base64') } })).status).toBe(403);
    const own = await signDetached(bytes, new Uint8Array(await readFile(pki.signers.rsa.p12Path)), pki.password);
    const signed = await as.director!.request('POST', `/api/form-renditions/${ru.id}/signature`, { json: { cms: Buffer.from(own).toString('base64') } });
    expect(signed.status).toBe(200);
    expect(signed.body.rendition.signature).toMatchObject({ signedBy: 'director' });
  });

  it('keeps App. 31 when the local operator records the head\'s approval (`muragat schedule approve`), as the web does', async () => {
    const year = SCHEDULE_YEAR + 1;
    const { db } = getDb();
    expect((await as.archivist!.post('/api/transfer-schedules', { year })).status).toBe(201);
    expect((await as.archivist!.post(`/api/transfer-schedules/${year}/rows`, { department: '01', deadline: `${year}-12-20`, responsible: 'archivist' })).status).toBe(201);
    // What the CLI command does: the service with the configured storage, acting as the local operator.
    const approved = await createScheduleService({ db, storage: server.deps.storage }).approve(cliActor(), String(year), { onBehalfOf: 'director' });
    expect(approved.status).toBe('approved');
    const operator = cliActor();
    await expectStoredPdfa('schedule', approved.id, operator.username);
  });
});
