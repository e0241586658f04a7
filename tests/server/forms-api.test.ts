// The forms API over real HTTP on a real pipeline's dossiers: App. 32 rendered in Kazakh and in
// Russian as PDF/A-1b with the seed's headings, number row and totals, as CSV; the Russian
// inventory stored at ingest served for a Russian request; a rendition kept in the store,
// downloaded, signed by its own signer with a test PKI, once; a certificate of another user
// and a CMS over other bytes refused; each step audited.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createSignersService } from '../../accounts/signers.service';
import { collapse, pdfText } from '../../forms/testing/pdf-text';
import { signDetached } from '../../validators/signature/index';
import { createTestPki, type TestPki } from '../../validators/signature/testing/test-pki';
import { validateBytes } from '../../validators/pdfa';
import { describeEachDatabase } from '../helpers/db';
import { createDepartmentFixtures, OWN, passwordOf, type DepartmentFixtures } from './departments';
import { Client, startTestServer, type TestServer } from './helpers';

interface RawAnswer {
  status: number;
  headers: Headers;
  bytes: Buffer;
  json: any;
}

async function raw(client: Client, method: string, url: string, json?: unknown): Promise<RawAnswer> {
  const headers: Record<string, string> = { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  const csrf = client.cookies.get('muragat_csrf');
  if (csrf) headers['x-csrf-token'] = csrf;
  if (json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(client.base + url, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  const bytes = Buffer.from(await res.arrayBuffer());
  const body = (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(bytes.toString('utf8')) : undefined;
  return { status: res.status, headers: res.headers, bytes, json: body };
}

describeEachDatabase('forms API', (getDb) => {
  let server: TestServer;
  let fx: DepartmentFixtures;
  let pki: TestPki;
  let work: string;
  let archivist: Client;
  let clerk: Client;
  let dossierId: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-forms-api-'));
    pki = await createTestPki(path.join(work, 'pki'));
    server = await startTestServer(getDb().db, {}, { MURAGAT_TRUST_DIR: pki.trustDir, MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    fx = await createDepartmentFixtures(server);
    dossierId = fx.dossiers[OWN]!.id;
    // The test signer's certificate belongs to the archivist.
    await createSignersService({ db: getDb().db }).addCertificate(SYSTEM_ACTOR, fx.users.archivist, new Uint8Array(await readFile(pki.signers.rsa.certPath)));
    archivist = new Client(server.url);
    expect((await archivist.login(fx.users.archivist, passwordOf(fx.users.archivist))).status).toBe(200);
    clerk = new Client(server.url);
    expect((await clerk.login(fx.users.department_clerk, passwordOf(fx.users.department_clerk))).status).toBe(200);
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('renders App. 32 of a stored dossier as PDF/A-1b in Kazakh and in Russian, with the seed headings and totals', async () => {
    const index = fx.dossiers[OWN]!.index;
    const expected = {
      kk: [`№ ${index} электрондық істің электрондық түрдегі құжаттарының ішкі тізімдемесі`, 'Электрондық түрдегі құжаттың тақырыбы', 'Сақтау объектілерінің жалпы көлемі (байтта)', '1 2 3 4 5 6 7', 'Барлығы: 1 (бір) электрондық түрдегі құжат'],
      ru: [`Внутренняя опись документов в электронном виде электронного дела № ${index}`, 'Заголовок документа в электронном виде', 'Общий объем объектов хранения в (байтах)', '1 2 3 4 5 6 7', 'Итого: 1 (один) документ в электронном виде'],
    };
    for (const lang of ['kk', 'ru'] as const) {
      const answer = await raw(clerk, 'GET', `/api/forms/internal-inventory/${dossierId}?lang=${lang}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('application/pdf');
      expect(validateBytes(answer.bytes).compliant).toBe(true);
      const read = await pdfText(answer.bytes);
      if (read) for (const text of expected[lang]) expect(read.text).toContain(collapse(text));
    }
    const csv = await raw(clerk, 'GET', `/api/forms/internal-inventory/${dossierId}?lang=ru&format=csv`);
    expect(csv.status).toBe(200);
    const text = csv.bytes.toString('utf8');
    expect(text.startsWith('\uFEFF№ п/п,Дата документа в электронном виде,Заголовок документа в электронном виде,')).toBe(true);
    const json = await raw(clerk, 'GET', `/api/forms/internal-inventory/${dossierId}?format=json`);
    expect(json.json).toMatchObject({ kind: 'internal-inventory', appendix: 32, language: 'kk', model: { id: dossierId, totals: { documents: 1 } } });
  }, 120_000);

  it('serves the inventory stored at ingest in the language asked for', async () => {
    for (const [lang, title] of [['ru', 'Внутренняя опись документов в электронном виде электронного дела'], ['kk', 'электрондық істің электрондық түрдегі құжаттарының ішкі тізімдемесі']] as const) {
      const answer = await raw(clerk, 'GET', `/api/dossiers/${dossierId}/inventory?format=pdf&lang=${lang}`);
      expect(answer.status).toBe(200);
      const read = await pdfText(answer.bytes);
      if (read) expect(read.text).toContain(title);
    }
  }, 60_000);

  it('names an unknown form in the request language', async () => {
    const answer = await raw(clerk, 'GET', `/api/forms/passport/${dossierId}?lang=ru`);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ code: 'forms.kind_unknown' });
    expect(answer.json.error.message).toContain('Неизвестная форма «passport»');
  });

  it('keeps a rendition in the store and signs it once, by its own signer, over its exact bytes', async () => {
    const stored = await raw(archivist, 'POST', `/api/forms/internal-inventory/${dossierId}/renditions`, { lang: 'ru', format: 'pdf' });
    expect(stored.status).toBe(201);
    const rendition = stored.json.rendition;
    expect(rendition).toMatchObject({ kind: 'internal-inventory', subjectId: dossierId, language: 'ru', format: 'pdf', signature: null });
    const content = await raw(archivist, 'GET', `/api/form-renditions/${rendition.id}?content=1`);
    expect(createHash('sha256').update(content.bytes).digest('hex')).toBe(rendition.sha256);
    expect(validateBytes(content.bytes).compliant).toBe(true);

    const p12 = new Uint8Array(await readFile(pki.signerP12Path));
    // A CMS over other bytes does not verify: refused, nothing recorded.
    const wrong = await signDetached(new TextEncoder().encode('other bytes'), p12, pki.password);
    const refused = await raw(archivist, 'POST', `/api/form-renditions/${rendition.id}/signature`, { cms: Buffer.from(wrong).toString('base64') });
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe('forms.signature_invalid');

    const cms = await signDetached(new Uint8Array(content.bytes), p12, pki.password);
    // The archivist's certificate does not sign for the clerk.
    const notYours = await raw(clerk, 'POST', `/api/form-renditions/${rendition.id}/signature`, { cms: Buffer.from(cms).toString('base64') });
    expect(notYours.status).toBe(403);
    expect(notYours.json.error.code).toBe('forms.signature_not_yours');

    const signed = await raw(archivist, 'POST', `/api/form-renditions/${rendition.id}/signature`, { cms: Buffer.from(cms).toString('base64') });
    expect(signed.status).toBe(200);
    expect(signed.json.rendition.signature).toMatchObject({ verdict: 'valid', signedBy: fx.users.archivist });
    const again = await raw(archivist, 'POST', `/api/form-renditions/${rendition.id}/signature`, { cms: Buffer.from(cms).toString('base64') });
    expect(again.status).toBe(409);

    const events = await getDb().db.selectFrom('audit_events').select(['action', 'object_id']).where('object_type', '=', 'form_rendition').where('object_id', '=', rendition.id).execute();
    expect(events.map((e) => e.action).sort()).toEqual(['form.sign', 'form.store']);
  }, 120_000);
});
