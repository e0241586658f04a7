// The transfer state machine over HTTP: a clerk's upload that fails shows the step and reason
// (GET /api/transfers/:id → failure), the same bytes uploaded again answer 409
// transfer.duplicate_failed with the transfer to retry, POST …/retry is the uploader's or an
// archivist's (another clerk gets 404), a retry after the cause is fixed completes, and
// POST …/cancel stops a failed transfer (409 once cancelled).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createOrganisationService } from '../../catalog/organisation.service';
import { packTransfer } from '../../ingest/transfer/index';
import { KAZAKH_TEXT } from '../../ingest/transfer/testing/fixtures';
import { processingIdle } from '../../ingest/intake/transfers.service';
import { describeEachDatabase } from '../helpers/db';
import { Client, startTestServer, type TestServer } from '../server/helpers';
import { UPLOADER_PASSWORDS, loginClients, seedUploaders, stopWhenIdle } from '../helpers/upload-api';

const PASSWORDS = UPLOADER_PASSWORDS;

/** A department folder packed without transfer.json: the organisation must come from the catalog. */
async function buildPackage(dir: string, name: string, text: string, options: { dossierJson?: boolean } = {}): Promise<Buffer> {
  const tree = path.join(dir, `${name}-tree`);
  await mkdir(path.join(tree, '03-12'), { recursive: true });
  if (options.dossierJson !== false) await writeFile(path.join(tree, '03-12', 'dossier.json'), JSON.stringify({ title: 'Жеке құрам бойынша бұйрықтар', retention: { kind: 'permanent' } }));
  await writeFile(path.join(tree, '03-12', '2025-03-01 Бұйрық №12-н.txt'), `${text}\n${KAZAKH_TEXT.join('\n')}\n`);
  const tar = path.join(dir, `${name}.tar`);
  await packTransfer(tree, tar);
  return readFile(tar);
}

async function upload(client: Client, bytes: Buffer, filename: string): Promise<{ status: number; body: any }> {
  const start = await client.post('/api/transfers/uploads', { filename, size: bytes.length });
  expect(start.status, JSON.stringify(start.body)).toBe(201);
  const headers: Record<string, string> = {
    cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    'x-csrf-token': client.cookies.get('muragat_csrf') ?? '',
    'content-type': 'application/octet-stream',
    'content-range': `bytes 0-${bytes.length - 1}/${bytes.length}`,
  };
  const put = await fetch(`${client.base}/api/transfers/uploads/${start.body.id}`, { method: 'PUT', headers, body: new Uint8Array(bytes) });
  expect(put.status).toBe(200);
  const done = await client.post(`/api/transfers/uploads/${start.body.id}/complete`);
  return { status: done.status, body: done.body };
}

async function settled(client: Client, server: TestServer, id: string): Promise<any> {
  await processingIdle(server.deps.db);
  const end = Date.now() + 120_000;
  for (;;) {
    const res = await client.get(`/api/transfers/${id}`);
    if (['completed', 'failed', 'cancelled'].includes(res.body.transfer?.status)) return res.body.transfer;
    if (Date.now() > end) throw new Error(`transfer ${id} did not settle: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describeEachDatabase('transfer failure, retry and cancel over HTTP', (getDb) => {
  let server: TestServer;
  let work: string;
  const clients: Record<keyof typeof PASSWORDS, Client> = {} as never;

  beforeAll(async () => {
    const { db } = getDb();
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-transfer-api-'));
    await seedUploaders(db);
    server = await startTestServer(db, {}, { MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    Object.assign(clients, await loginClients(server, PASSWORDS));
  }, 120_000);

  afterAll(async () => {
    await stopWhenIdle(server);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('a failed upload shows its reason, is offered again as 409, and completes after a retry once the cause is fixed', async () => {
    const tar = await buildPackage(work, 'first', 'Бірінші бұйрық');
    const first = await upload(clients.clerk, tar, 'кадр.tar');
    expect(first.status).toBe(202);
    const id: string = first.body.transferId;
    const failed = await settled(clients.clerk, server, id);
    expect(failed.status).toBe('failed');
    expect(failed.failure).toMatchObject({ step: 'manifest', code: 'ingest.metadata_missing' });
    expect(failed.failure.message).toContain('organisation');
    expect(failed.failure.message).not.toContain('{');
    const report = await clients.clerk.get(`/api/transfers/${id}/report`);
    expect(report.body).toMatchObject({ status: 'failed', failure: { step: 'manifest', code: 'ingest.metadata_missing' } });

    // The same bytes again: 409 naming the failed transfer.
    const again = await upload(clients.clerk, tar, 'кадр-қайта.tar');
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('transfer.duplicate_failed');
    expect(again.body.error.details).toEqual({ transferId: id, status: 'failed' });
    expect(again.body.error.message).toContain(id);

    // Another department's clerk cannot see or retry it.
    expect((await clients.clerk2.post(`/api/transfers/${id}/retry`)).status).toBe(404);

    // The archivist fills in the organisation; the uploading clerk retries.
    await createOrganisationService({ db: getDb().db }).save(SYSTEM_ACTOR, { nameKk: '«Мұрағат Үлгі» ЖШС', nameRu: 'ТОО «Мурагат Пример»', bin: '123456789012', fondsNumber: '12' });
    const retry = await clients.clerk.post(`/api/transfers/${id}/retry`);
    expect(retry.status, JSON.stringify(retry.body)).toBe(202);
    expect(retry.body).toMatchObject({ transferId: id, status: 'queued' });
    const done = await settled(clients.clerk, server, id);
    expect(done.status).toBe('completed');
    expect(done.failure).toBeNull();
    expect(done.documents).toMatchObject({ total: 1, accepted: 1 });

    const accepted = await upload(clients.clerk, tar, 'кадр-үшінші.tar');
    expect(accepted.status).toBe(409);
    expect(accepted.body.error.code).toBe('transfer.duplicate_accepted');
    expect(accepted.body.error.details).toEqual({ transferId: id, status: 'completed' });
    expect((await clients.clerk.post(`/api/transfers/${id}/retry`)).body.error.code).toBe('transfer.not_retryable');
  }, 300_000);

  it('the uploading clerk cancels a failed transfer; a completed or cancelled one cannot be cancelled (409)', async () => {
    // No dossier.json and no nomenclature item: the dossier title is missing, known to nobody.
    const tar = await buildPackage(work, 'untitled', 'Атаусыз іс', { dossierJson: false });
    const first = await upload(clients.clerk, tar, 'атаусыз.tar');
    const id: string = first.body.transferId;
    const failed = await settled(clients.clerk, server, id);
    expect(failed.status).toBe('failed');
    expect(failed.failure).toMatchObject({ step: 'manifest', code: 'ingest.metadata_missing' });
    expect(failed.failure.message).toContain('dossiers/0/title');
    expect((await clients.clerk2.post(`/api/transfers/${id}/cancel`)).status).toBe(404);
    const cancel = await clients.clerk.post(`/api/transfers/${id}/cancel`);
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    expect(cancel.body).toEqual({ transferId: id, status: 'cancelled' });
    const view = (await clients.keeper.get(`/api/transfers/${id}`)).body.transfer;
    expect(view.status).toBe('cancelled');
    expect(view.failure).toBeNull();
    const twice = await clients.keeper.post(`/api/transfers/${id}/cancel`);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('transfer.not_cancellable');
    expect(twice.body.error.details).toEqual({ transferId: id, status: 'cancelled' });
    // Uploading it again offers the cancelled transfer.
    const again = await upload(clients.clerk, tar, 'атаусыз-2.tar');
    expect(again.status).toBe(409);
    expect(again.body.error.details).toEqual({ transferId: id, status: 'cancelled' });
  }, 300_000);
});
