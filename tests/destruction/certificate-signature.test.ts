// The certificate of destruction signed by its executor too (issue 12: "signed by the executor
// and the system"), over HTTP on PGlite and PostgreSQL. After the execution the certificate
// carries the system's signature only; the executor downloads its statement (the canonical JSON
// naming both PDF/A renditions by digest), signs it with their own registered key as the
// browser does (signDetached, the same module the UI bundles) and posts the CMS. Refused: the
// act's author and any other user (403), a key registered to someone else (403), a CMS over
// other bytes (400), a second signature (409), a malformed body (400). Afterwards the certificate
// names the executor's certificate, the stored CMS verifies over the statement, and the audit
// log holds the signing. The act goes through the commission and the head in
// tests/appraisal/acts.test.ts; here it is set approved directly.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSignersService } from '../../accounts';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createActsService } from '../../appraisal';
import { signDetached, verifySignature } from '../../validators/signature';
import { createTestPki, type TestPki } from '../../validators/signature/testing/test-pki';
import { addDossiers, addPermanentInventory, PASSWORD, setUpOrganisation, type People } from '../appraisal/fixtures';
import { describeEachDatabase } from '../helpers/db';
import { Client, startTestServer, type TestServer } from '../server/helpers';

let pkiPromise: Promise<TestPki> | undefined;
let pkiDir: string | undefined;
function testPki(): Promise<TestPki> {
  pkiPromise ??= (async () => {
    pkiDir = await mkdtemp(path.join(os.tmpdir(), 'muragat-cert-pki-'));
    return createTestPki(pkiDir);
  })();
  return pkiPromise;
}
afterAll(async () => {
  if (pkiDir) await rm(pkiDir, { recursive: true, force: true });
});

const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

describeEachDatabase('certificate of destruction signed by the executor', (getDb) => {
  const db = () => getDb().db;
  let pki: TestPki;
  let people: People;
  let server: TestServer;
  const clients: Record<string, Client> = {};
  let certificateId = '';
  let actId = '';

  beforeAll(async () => {
    pki = await testPki();
    people = await setUpOrganisation(db());
    const ids = await addDossiers(db(), [{ index: '01-5', title: 'Азаматтармен хат алмасу', department: '01', year: 2019, retention: { kind: 'years', years: 5, article: '31' } }]);
    await addPermanentInventory(db(), 2019, 1);
    const signers = createSignersService({ db: db() });
    await signers.addCertificate(SYSTEM_ACTOR, 'executor', new Uint8Array(await readFile(pki.signers.rsa.certPath)));
    await signers.addCertificate(SYSTEM_ACTOR, 'archivist', new Uint8Array(await readFile(pki.signers.ecdsa.certPath)));
    server = await startTestServer(db(), {}, { MURAGAT_TRUST_DIR: pki.trustDir });
    const act = await createActsService({ db: db(), storage: server.deps.storage }).draft(people.archivist, {
      dossierIds: [ids['01-5/2019']!],
      basis: 'Типтік тізбе',
      appraiser: { name: 'Ә. Т. Жұмабаева', position: 'архивист' },
    });
    actId = act.id;
    await db().updateTable('destruction_acts').set({ status: 'approved' }).where('id', '=', act.id).execute();
    for (const name of ['executor', 'archivist', 'member', 'clerk'] as const) {
      clients[name] = new Client(server.url);
      expect((await clients[name].login(name, PASSWORD)).status).toBe(200);
    }
    const executed = await clients.executor!.post(`/api/destruction/acts/${act.id}/execute`, { confirm: `${act.number}/${act.year}` });
    expect(executed.status, executed.text).toBe(200);
    certificateId = executed.body.execution.certificate.id;
  }, 300_000);

  afterAll(async () => {
    if (server) await server.stop();
  });

  const statementOf = async () => {
    const answer = await clients.member!.get(`/api/destruction/certificates/${certificateId}/statement`);
    expect(answer.status).toBe(200);
    return new Uint8Array(Buffer.from(answer.text, 'utf8'));
  };

  it('is signed by the system at execution and waits for the executor', async () => {
    // The UI's client adds ?lang= to every call and asks for JSON: it gets JSON; a link gets the PDF.
    const view = await clients.member!.get(`/api/destruction/certificates/${certificateId}?lang=kk`, { headers: { accept: 'application/json' } });
    expect(view.status).toBe(200);
    const pdf = await clients.member!.get(`/api/destruction/certificates/${certificateId}?lang=kk`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(view.body.certificate).toMatchObject({ id: certificateId, actId, executedBy: people.executor.userId, executorSignature: null });
    const statement = JSON.parse(Buffer.from(await statementOf()).toString('utf8'));
    expect(statement).toMatchObject({ type: 'muragat.destruction-certificate/1', act: { id: actId }, executor: { username: 'executor' } });
    expect(statement.renditions.kk).toMatch(/^[0-9a-f]{64}$/);
    expect((await clients.member!.get(`/api/destruction/certificates/${certificateId}/signature?lang=ru`)).status).toBe(404);
  });

  it('refuses anyone but the executor, a key of someone else, other bytes and a malformed body', async () => {
    const statement = await statementOf();
    const executorKey = new Uint8Array(await readFile(pki.signers.rsa.p12Path));
    const archivistKey = new Uint8Array(await readFile(pki.signers.ecdsa.p12Path));
    const url = `/api/destruction/certificates/${certificateId}/signature?lang=ru`;
    // The act's author, with their own registered key: not the executor.
    const author = await clients.archivist!.post(url, { cms: toBase64(await signDetached(statement, archivistKey, pki.password)) });
    expect(author.status).toBe(403);
    expect(author.body.error).toMatchObject({ code: 'destruction.certificate_signer_not_executor', params: { user: 'archivist' } });
    expect(author.body.error.message).toMatch(/исполнивший/);
    // A commission member may read it but not sign it.
    expect((await clients.member!.post(url, { cms: toBase64(await signDetached(statement, executorKey, pki.password)) })).status).toBe(403);
    // The executor with a key registered to the archivist.
    const foreign = await clients.executor!.post(url, { cms: toBase64(await signDetached(statement, archivistKey, pki.password)) });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('destruction.certificate_signature_not_yours');
    // Over other bytes.
    const other = await clients.executor!.post(url, { cms: toBase64(await signDetached(new TextEncoder().encode('басқа мәтін'), executorKey, pki.password)) });
    expect(other.status).toBe(400);
    expect(other.body.error.code).toBe('destruction.certificate_signature_invalid');
    expect((await clients.executor!.post(url, { cms: 'not base64 at all!' })).status).toBe(400);
    expect((await clients.executor!.post(`/api/destruction/certificates/00000000-0000-4000-8000-000000000000/signature`, { cms: toBase64(await signDetached(statement, executorKey, pki.password)) })).status).toBe(404);
    expect((await clients.member!.get(`/api/destruction/certificates/${certificateId}`)).body.certificate.executorSignature).toBeNull();
  });

  it('the executor signs the statement with their own key once; the CMS verifies and the signing is audited', async () => {
    const statement = await statementOf();
    const cms = await signDetached(statement, new Uint8Array(await readFile(pki.signers.rsa.p12Path)), pki.password);
    const signed = await clients.executor!.post(`/api/destruction/certificates/${certificateId}/signature`, { cms: toBase64(cms) });
    expect(signed.status, signed.text).toBe(200);
    expect(signed.body.certificate.executorSignature).toMatchObject({ signedBy: 'executor', signer: { subject: expect.stringContaining('Сейітов'), serialNumber: expect.any(String) } });
    expect(signed.body.certificate.executorSignature.cmsSha256).toMatch(/^[0-9a-f]{64}$/);
    // Once only.
    const again = await clients.executor!.post(`/api/destruction/certificates/${certificateId}/signature`, { cms: toBase64(cms) });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('destruction.certificate_signed_already');
    // The stored CMS is downloadable and verifies over the statement on its own.
    const res = await fetch(`${server.url}/api/destruction/certificates/${certificateId}/signature`, { headers: { cookie: [...clients.member!.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(res.status).toBe(200);
    const stored = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.from(stored).equals(Buffer.from(cms))).toBe(true);
    const check = await verifySignature({ signature: stored, content: statement, trustDir: pki.trustDir });
    expect(check.verdict).toBe('valid');
    const event = await db()
      .selectFrom('audit_events')
      .select(['actor_username', 'object_id', 'details'])
      .where('action', '=', 'destruction.certificate_sign')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ actor_username: 'executor', object_id: actId });
    expect(event.details).toMatchObject({ certificate: certificateId, cms: signed.body.certificate.executorSignature.cmsSha256 });
  });
});
