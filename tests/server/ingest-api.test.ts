// The ingest HTTP API end to end over real HTTP: a transfer package packed from a small
// department folder is uploaded in pieces (with a connection cut half-way and a resume),
// ingested by the real pipeline, reported, and read back as a stored e-dossier with its PDF/A
// renditions, inventory and a department head's signature verified against a test PKI.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createSignersService } from '../../accounts/signers.service';
import { signDetached } from '../../validators/signature/index';
import { createTestPki, type TestPki } from '../../validators/signature/testing/test-pki';
import { describeEachDatabase } from '../helpers/db';
import { Client, startTestServer, type TestServer } from './helpers';
import { KAZAKH_ORDER, RUSSIAN_ORDER, packDepartmentFolder } from '../helpers/department-folder';
import { UPLOADER_PASSWORDS, loginClients, seedUploaders, stopWhenIdle } from '../helpers/upload-api';

const LIMIT = 2_000_000;
const PASSWORDS = { ...UPLOADER_PASSWORDS, head: 'head-Secret-1234', reader: 'reader-Secret-1234' };
const ORDER_1 = '03-12/2025-03-01 Бұйрық №12-н.txt';
const ORDER_2 = '03-12/2025-06-15 Приказ №40-н.txt';

/** A department folder with one dossier of two text documents, packed as a transfer tar. */
function buildPackage(dir: string): Promise<string> {
  return packDepartmentFolder(dir, {
    tree: 'tree',
    tar: 'transfer.tar',
    department: { code: '03', name: 'Кадр бөлімі' },
    year: 2025,
    index: '03-12',
    dossier: { title: 'Жеке құрам бойынша бұйрықтар', retention: { kind: 'years', years: 75, article: '597' } },
    documents: { [path.basename(ORDER_1)]: KAZAKH_ORDER, [path.basename(ORDER_2)]: RUSSIAN_ORDER },
  });
}

interface RawAnswer {
  status: number;
  headers: Headers;
  bytes: Buffer;
  json: any;
}

/** fetch with the client's cookies and CSRF token, for binary bodies and answers. */
async function raw(client: Client, method: string, url: string, options: { body?: Uint8Array; headers?: Record<string, string> } = {}): Promise<RawAnswer> {
  const headers: Record<string, string> = { ...options.headers, cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  const csrf = client.cookies.get('muragat_csrf');
  if (csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch(client.base + url, { method, headers, body: options.body as BodyInit | undefined });
  const bytes = Buffer.from(await res.arrayBuffer());
  const json = (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(bytes.toString('utf8')) : undefined;
  return { status: res.status, headers: res.headers, bytes, json };
}

/** Sends `part` as a piece starting at `offset`, but cuts the connection after `sendBytes`. */
function interruptedPut(client: Client, url: string, offset: number, part: Buffer, sendBytes: number, total: number): Promise<void> {
  const target = new URL(client.base + url);
  return new Promise((resolve) => {
    const req = http.request({
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: 'PUT',
      headers: {
        cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'x-csrf-token': client.cookies.get('muragat_csrf') ?? '',
        'content-type': 'application/octet-stream',
        'content-length': String(part.length),
        'content-range': `bytes ${offset}-${offset + part.length - 1}/${total}`,
      },
    });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.write(part.subarray(0, sendBytes), () => {
      // Give the server a moment to store what arrived, then pull the plug.
      setTimeout(() => req.destroy(), 300);
    });
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describeEachDatabase('ingest HTTP API', (getDb) => {
  let server: TestServer;
  let work: string;
  let pki: TestPki;
  let tar: Buffer;
  const clients: Record<keyof typeof PASSWORDS, Client> = {} as never;
  let transferId = '';
  let dossierId = '';

  beforeAll(async () => {
    const { db } = getDb();
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-ingest-api-'));
    pki = await createTestPki(path.join(work, 'pki'));
    tar = await readFile(await buildPackage(work));
    // The package is department 03's: its clerks (department scoping) and its head, whose
    // test certificate is registered to them, belong there.
    const { department, users } = await seedUploaders(db);
    await users.add(SYSTEM_ACTOR, { username: 'head', password: PASSWORDS.head, fullName: 'Head', roles: ['department_head'], departmentId: department.id, language: 'en' });
    await createSignersService({ db }).addCertificate(SYSTEM_ACTOR, 'head', new Uint8Array(await readFile(pki.signers.rsa.certPath)));
    await users.add(SYSTEM_ACTOR, { username: 'reader', password: PASSWORDS.reader, fullName: 'Researcher', roles: ['researcher'], language: 'en' });
    // Test machines have no ClamAV signature database; the policy says what that means.
    server = await startTestServer(db, {}, { MURAGAT_TRANSFER_MAX_BYTES: String(LIMIT), MURAGAT_TRUST_DIR: pki.trustDir, MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    Object.assign(clients, await loginClients(server, PASSWORDS));
  }, 120_000);

  afterAll(async () => {
    await stopWhenIdle(server);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('refuses uploads to roles other than clerk and archivist (403) and to anonymous users (401)', async () => {
    const res = await clients.reader.post('/api/transfers/uploads', { filename: 't.tar', size: 100 });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('auth.forbidden');
    expect((await clients.head.post('/api/transfers/uploads', { filename: 't.tar', size: 100 })).status).toBe(403);
    const anonymous = new Client(server.url);
    await anonymous.get('/api/session');
    expect((await anonymous.post('/api/transfers/uploads', { filename: 't.tar', size: 100 })).status).toBe(401);
  });

  it('refuses a package over MURAGAT_TRANSFER_MAX_BYTES with 413 and a message naming the limit', async () => {
    const res = await clients.clerk.post('/api/transfers/uploads', { filename: 'big.tar', size: LIMIT + 1 });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('ingest.transfer_too_large');
    expect(res.body.error.message).toContain(String(LIMIT));
    expect(res.body.error.details).toEqual({ size: LIMIT + 1, limit: LIMIT });
  });

  it('refuses bytes beyond the announced size and keeps nothing of that piece', async () => {
    const start = await clients.clerk.post('/api/transfers/uploads', { filename: 'small.tar', size: 10 });
    expect(start.status).toBe(201);
    const put = await raw(clients.clerk, 'PUT', `/api/transfers/uploads/${start.body.id}?offset=0`, { body: new Uint8Array(20), headers: { 'content-type': 'application/octet-stream' } });
    expect(put.status).toBe(400);
    expect(put.json.error.code).toBe('ingest.upload_past_end');
    expect((await clients.clerk.get(`/api/transfers/uploads/${start.body.id}`)).body.offset).toBe(0);
    // Another clerk cannot touch it.
    expect((await clients.clerk2.get(`/api/transfers/uploads/${start.body.id}`)).status).toBe(403);
  });

  it('uploads in pieces, resumes after a cut connection, completes and ingests', async () => {
    const sha256 = createHash('sha256').update(tar).digest('hex');
    const start = await clients.clerk.post('/api/transfers/uploads', { filename: 'кадр-2025.tar', size: tar.length, sha256 });
    expect(start.status).toBe(201);
    expect(start.body).toMatchObject({ offset: 0, size: tar.length });
    const id: string = start.body.id;
    const url = `/api/transfers/uploads/${id}`;
    const piece = Math.ceil(tar.length / 4);

    // First piece with Content-Range.
    const first = await raw(clients.clerk, 'PUT', url, {
      body: tar.subarray(0, piece),
      headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes 0-${piece - 1}/${tar.length}` },
    });
    expect(first.status).toBe(200);
    expect(first.json.offset).toBe(piece);

    // Second piece: the connection dies after 1000 of its bytes.
    await interruptedPut(clients.clerk, url, piece, tar.subarray(piece, 2 * piece), 1000, tar.length);
    const resumeAt = await until(
      'the server to keep the bytes of the cut piece',
      async () => {
        const s = await clients.clerk.get(url);
        return s.body.offset > piece ? (s.body.offset as number) : undefined;
      },
      10_000,
    );
    expect(resumeAt).toBe(piece + 1000);

    // Resending from the old offset is refused with where to continue. Until the server has
    // finished with the cut request the piece is "busy" (a transient answer the UI retries).
    const stale = await until(
      'the server to finish with the cut piece',
      async () => {
        const res = await raw(clients.clerk, 'PUT', url, {
          body: tar.subarray(piece, 2 * piece),
          headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes ${piece}-${2 * piece - 1}/${tar.length}` },
        });
        return res.json?.error?.code === 'ingest.upload_busy' ? undefined : res;
      },
      10_000,
    );
    expect(stale.status).toBe(409);
    expect(stale.json.error.code).toBe('ingest.upload_offset_mismatch');
    expect(stale.json.error.details.offset).toBe(resumeAt);

    // Completing early says how much is missing.
    const early = await clients.clerk.post(`${url}/complete`);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('ingest.upload_incomplete');

    // The rest, with ?offset= this time.
    const rest = await raw(clients.clerk, 'PUT', `${url}?offset=${resumeAt}`, { body: tar.subarray(resumeAt), headers: { 'content-type': 'application/octet-stream' } });
    expect(rest.status).toBe(200);
    expect(rest.json.offset).toBe(tar.length);

    const done = await clients.clerk.post(`${url}/complete`);
    expect(done.status).toBe(202);
    expect(done.body.sha256).toBe(sha256);
    transferId = done.body.transferId;
    expect(transferId).toMatch(/^[0-9a-f-]{36}$/);
    // Completing again (a retried request) names the same transfer.
    expect((await clients.clerk.post(`${url}/complete`)).body.transferId).toBe(transferId);

    const seen = new Set<string>();
    const finished = await until(
      'the ingest to finish',
      async () => {
        const p = await clients.clerk.get(`/api/transfers/${transferId}`);
        expect(p.status).toBe(200);
        const tr = p.body.transfer;
        expect(tr.percent).toBeGreaterThanOrEqual(0);
        expect(tr.percent).toBeLessThanOrEqual(100);
        if (tr.currentStep) seen.add(tr.currentStep);
        return tr.status === 'completed' || tr.status === 'failed' ? tr : undefined;
      },
      240_000,
    );
    const why = JSON.stringify((await clients.clerk.get(`/api/transfers/${transferId}/report`)).body);
    expect(finished.status, why).toBe('completed');
    expect(finished.percent).toBe(100);
    expect(finished.currentStep).toBeNull();
    expect(finished.stepsDone).toBe(finished.stepsTotal);
    expect(finished.steps.map((s: { step: string }) => s.step)).toEqual(['unpack', 'manifest', 'identify', 'scan', 'signatures', 'convert', 'validate', 'reproducibility', 'store', 'index', 'complete']);
    expect(finished.documents, why).toMatchObject({ total: 2, accepted: 2, rejected: 0 });
    expect(finished.dossiers).toBe(1);
    expect(finished.sourceName).toBe('кадр-2025.tar');
    expect(finished.submittedBy).toBe('clerk');
  }, 300_000);

  it("lists transfers with their status; a clerk of another department sees none of 03's", async () => {
    const mine = await clients.clerk.get('/api/transfers');
    expect(mine.status).toBe(200);
    expect(mine.body.transfers.map((t: { id: string }) => t.id)).toContain(transferId);
    expect(mine.body.transfers.find((t: { id: string }) => t.id === transferId).status).toBe('completed');
    expect((await clients.clerk2.get('/api/transfers')).body.transfers).toEqual([]);
    expect((await clients.clerk2.get(`/api/transfers/${transferId}`)).status).toBe(404);
    expect((await clients.keeper.get('/api/transfers?status=completed')).body.total).toBe(1);
    expect((await clients.reader.get('/api/transfers')).status).toBe(403);
  });

  it('reports every document in the `muragat ingest --json` shape', async () => {
    const res = await clients.keeper.get(`/api/transfers/${transferId}/report`);
    expect(res.status).toBe(200);
    expect(res.body.transfer).toBe(transferId);
    expect(res.body.problems).toBeUndefined();
    expect(res.body.dossiers).toHaveLength(1);
    const [d] = res.body.dossiers;
    expect(d).toMatchObject({ index: '03-12', title: 'Жеке құрам бойынша бұйрықтар' });
    dossierId = d.id;
    expect(d.documents.map((x: { source: string }) => x.source).sort()).toEqual([ORDER_1, ORDER_2].sort());
    for (const doc of d.documents) {
      expect(Object.keys(doc).sort()).toEqual(['format', 'malware', 'problems', 'rendition', 'signature', 'source', 'status']);
      expect(doc.status).toBe('accepted');
      expect(doc.rendition).toMatch(/\.pdf$/);
      expect(Array.isArray(doc.problems)).toBe(true);
    }
  });

  it('shows the dossier: documents in order, metadata, an intact chain and the missing signatures', async () => {
    const list = await clients.reader.get(`/api/dossiers?q=${encodeURIComponent('құрам')}`);
    expect(list.status).toBe(200);
    expect(list.body.dossiers.map((x: { id: string }) => x.id)).toEqual([dossierId]);
    expect((await clients.reader.get('/api/dossiers?index=99-99')).body.total).toBe(0);

    const res = await clients.reader.get(`/api/dossiers/${dossierId}`);
    expect(res.status).toBe(200);
    const d = res.body.dossier;
    expect(d).toMatchObject({ id: dossierId, index: '03-12', transferId, chain: { ok: true, breaks: [] } });
    expect(d.documents.map((x: { position: number }) => x.position)).toEqual([1, 2]);
    // Ordered by date: the March order first.
    expect(d.documents[0].date).toBe('2025-03-01');
    expect(d.documents[1].previous).toBe(d.documents[0].controlCharacteristic);
    expect(d.documents.every((x: { chainOk: boolean; hasRendition: boolean }) => x.chainOk && x.hasRendition)).toBe(true);
    expect(d.metadata.index).toBe('03-12');
    expect(d.awaitingSignature).toBe(d.status === 'awaiting-signature');
    expect(d.missingSignatures).toEqual(['inventory', 'integrity']);
    expect(d.inventory).toEqual({ json: true, pdf: true });
  });

  it('serves the rendition inline as a PDF and the original as an attachment with its UTF-8 name', async () => {
    const pdf = await raw(clients.reader, 'GET', `/api/dossiers/${dossierId}/documents/1/rendition`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.headers.get('content-disposition')).toMatch(/^inline; filename="[^"]+\.pdf"; filename\*=UTF-8''/);
    expect(pdf.headers.get('x-frame-options')).toBe('SAMEORIGIN');

    const original = await raw(clients.clerk, 'GET', `/api/dossiers/${dossierId}/documents/1/original`);
    expect(original.status).toBe(200);
    expect(original.bytes.toString('utf8')).toBe(KAZAKH_ORDER);
    const disposition = original.headers.get('content-disposition') ?? '';
    expect(disposition.startsWith('attachment; ')).toBe(true);
    const encoded = /filename\*=UTF-8''(.+)$/.exec(disposition)?.[1] ?? '';
    expect(decodeURIComponent(encoded)).toContain('Бұйрық');

    // Researchers read renditions, not originals; positions outside the dossier are 404.
    expect((await raw(clients.reader, 'GET', `/api/dossiers/${dossierId}/documents/1/original`)).status).toBe(403);
    expect((await raw(clients.reader, 'GET', `/api/dossiers/${dossierId}/documents/3/rendition`)).status).toBe(404);
    expect((await raw(clients.reader, 'GET', `/api/dossiers/${dossierId}/documents/0/rendition`)).status).toBe(400);
  });

  it('serves the internal inventory as JSON and as PDF/A', async () => {
    const json = await raw(clients.keeper, 'GET', `/api/dossiers/${dossierId}/inventory`);
    expect(json.status).toBe(200);
    expect(json.json.rows).toHaveLength(2);
    const pdf = await raw(clients.keeper, 'GET', `/api/dossiers/${dossierId}/inventory?format=pdf`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('accepts a signature only from the right role and only over the signed content', async () => {
    const content = await raw(clients.head, 'GET', `/api/dossiers/${dossierId}/signing-content?kind=integrity`);
    expect(content.status).toBe(200);
    const p12 = new Uint8Array(await readFile(pki.signerP12Path));
    const cms = await signDetached(new Uint8Array(content.bytes), p12, pki.password);
    const body = { kind: 'integrity', cms: Buffer.from(cms).toString('base64') };

    // A clerk may not sign the integrity statement.
    const clerk = await clients.clerk.post(`/api/dossiers/${dossierId}/signatures`, body);
    expect(clerk.status).toBe(403);
    // A signature over other bytes is refused before anything is stored.
    const wrong = await signDetached(new TextEncoder().encode('something else'), p12, pki.password);
    const refused = await clients.head.post(`/api/dossiers/${dossierId}/signatures`, { kind: 'integrity', cms: Buffer.from(wrong).toString('base64') });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('ingest.uploaded_signature_invalid');

    const signed = await clients.head.post(`/api/dossiers/${dossierId}/signatures`, body);
    expect(signed.status).toBe(201);
    expect(signed.body.signature.verdict).toBe('valid');
    expect(signed.body.dossier.missingSignatures).toEqual(['inventory']);
    expect(signed.body.dossier.signatures.map((s: { kind: string }) => s.kind)).toEqual(['integrity']);
  });

  it('documents every route it mounts in the OpenAPI document', async () => {
    const doc = (await clients.keeper.get('/api/openapi.json')).body;
    for (const p of ['/api/transfers/uploads', '/api/transfers/uploads/{id}', '/api/transfers/uploads/{id}/complete', '/api/transfers/{id}/report', '/api/dossiers/{id}/documents/{n}/rendition', '/api/dossiers/{id}/signatures']) {
      expect(doc.paths[p], p).toBeDefined();
    }
  });
});
