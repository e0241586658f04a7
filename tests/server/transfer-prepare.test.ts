// A transfer prepared in the browser, over HTTP: the files as a plain tar of dossier folders
// through the resumable upload, the form's metadata as JSON; the checks of `transfer pack`
// named per file and field in the request language; corrected and received from one upload.
import { afterAll, beforeAll, expect, it } from 'vitest';
import tar from 'tar-stream';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { processingIdle } from '../../ingest/intake/transfers.service';
import { seedDemo } from '../../demo/seed';
import { describeEachDatabase } from '../helpers/db';
import { OWN, passwordOf, seedDepartments } from './departments';
import { Client, startTestServer, type TestServer } from './helpers';

async function treeTar(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const [name, content] of Object.entries(files)) pack.entry({ name }, Buffer.from(content));
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

describeEachDatabase('transfer prepared in the browser', (getDb) => {
  let server: TestServer;
  let clerk: Client;

  beforeAll(async () => {
    server = await startTestServer(getDb().db, {}, { MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    const departments = await seedDepartments(server.deps.db);
    await createUsersService({ db: server.deps.db }).add(SYSTEM_ACTOR, { username: 'clerk02', password: passwordOf('clerk02'), fullName: 'Clerk', roles: ['department_clerk'], departmentId: departments[OWN]!, language: 'en' });
    clerk = new Client(server.url);
    expect((await clerk.login('clerk02', passwordOf('clerk02'))).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    if (server) {
      await processingIdle(server.deps.db);
      await server.stop();
    }
  });

  async function upload(bytes: Buffer): Promise<string> {
    const start = await clerk.post('/api/transfers/uploads', { filename: 'prepared.tar', size: bytes.length });
    expect(start.status).toBe(201);
    const put = await clerk.request('PUT', `/api/transfers/uploads/${start.body.id}?offset=0`, { body: bytes as never, headers: { 'content-type': 'application/octet-stream' } });
    expect(put.status).toBe(200);
    return start.body.id as string;
  }

  const base = { year: 2025, department: { code: OWN }, compiledBy: { name: 'Clerk' }, dossiers: { [`${OWN}-07`]: { title: 'Бұйрықтар', retention: { kind: 'permanent' } } } };

  it('infers metadata as transfer pack does, names every problem per file and field, and receives the corrected transfer from the same upload', async () => {
    const files = {
      [`${OWN}-07/Бұйрық №12-н 2025-03-01.txt`]: 'Бұйрық мәтіні: қызметкерлерді іссапарға жіберу туралы, өңірлік бөлімше',
      [`${OWN}-07/Бұйрық №12-н 2025-03-01.txt.p7s`]: 'signature bytes',
      [`${OWN}-07/Хат.txt.p7s`]: 'a signature of no file',
    };
    const id = await upload(await treeTar(files));
    // The orphan signature is refused, named by its file, in English (the request language).
    const orphan = await clerk.post(`/api/transfers/uploads/${id}/prepare?lang=en`, { ...base, check: true, documents: {} });
    expect(orphan.status).toBe(200);
    expect(orphan.body.ok).toBe(false);
    expect(orphan.body.problems).toEqual([expect.objectContaining({ where: `${OWN}-07/Хат.txt.p7s`, code: 'transfer.pack_orphan_signature' })]);
    expect(orphan.body.problems[0].message).toContain('Хат.txt');

    const id2 = await upload(await treeTar({ [`${OWN}-07/Бұйрық №12-н 2025-03-01.txt`]: files[`${OWN}-07/Бұйрық №12-н 2025-03-01.txt`]!, [`${OWN}-07/Бұйрық №12-н 2025-03-01.txt.p7s`]: 'signature bytes' }));
    const doc = `${OWN}-07/Бұйрық №12-н 2025-03-01.txt`;
    const checked = await clerk.post(`/api/transfers/uploads/${id2}/prepare?lang=en`, { ...base, check: true, documents: {} });
    expect(checked.body.ok).toBe(true);
    const inferred = checked.body.manifest.dossiers[0].documents[0];
    expect(inferred).toMatchObject({ path: doc, title: 'Бұйрық', date: '2025-03-01', number: '12-н', language: 'kk', signatures: [expect.objectContaining({ path: `${doc}.p7s` })] });
    expect(checked.body.manifest.transfer).toMatchObject({ year: 2025, department: { code: OWN } });

    // A date that is no date is refused naming the document and the field; nothing is received.
    const bad = await clerk.post(`/api/transfers/uploads/${id2}/prepare?lang=en`, { ...base, documents: { [doc]: { title: 'Іссапар туралы бұйрық', date: '2025-02-30' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('transfer.prepare_refused');
    // Named at the document's metadata and the field (the dossier's dates follow from it too).
    const wheres = (bad.body.error.details.problems as { where: string }[]).map((p) => p.where);
    expect(wheres).toContain(`${doc}.meta.json (manifest.json#/dossiers/0/documents/0/date)`);
    expect(await server.deps.db.selectFrom('transfers').select('id').execute()).toEqual([]);

    // Corrected: received from the same upload, the clerk's title in the manifest.
    const sent = await clerk.post(`/api/transfers/uploads/${id2}/prepare?lang=en`, { ...base, documents: { [doc]: { title: 'Іссапар туралы бұйрық', date: '2025-03-01' } } });
    expect(sent.status).toBe(202);
    const transfer = await server.deps.db.selectFrom('transfers').selectAll().where('id', '=', sent.body.transferId).executeTakeFirstOrThrow();
    expect(transfer).toBeTruthy();
    const progress = await clerk.get(`/api/transfers/${sent.body.transferId}`);
    expect(progress.status).toBe(200);
    expect(progress.body.transfer).toMatchObject({ id: sent.body.transferId });
    const received = await server.deps.db.selectFrom('audit_events').select('action').where('object_id', '=', sent.body.transferId).execute();
    expect(received.map((e) => e.action)).toContain('transfer.receive');
  }, 120_000);

  it('refuses a case index outside the approved nomenclature of the year (p.156), naming the index and the year', async () => {
    // The demo's nomenclature of this year, approved; department 02 has cases 02-1…02-3 in it.
    const year = new Date().getUTCFullYear();
    await seedDemo(server.deps.db, { year });
    const id = await upload(await treeTar({ [`${OWN}-99/Хат ${year}-01-10.txt`]: 'Хат мәтіні' }));
    const answer = await clerk.post(`/api/transfers/uploads/${id}/prepare?lang=en`, { year, department: { code: OWN }, check: true, dossiers: {}, documents: {} });
    expect(answer.body.ok).toBe(false);
    expect(answer.body.problems).toEqual([expect.objectContaining({ where: `${OWN}-99`, code: 'nomenclature.ingest_index_not_in_nomenclature', clause: 'p.156' })]);
    expect(answer.body.problems[0].message).toContain(String(year));
    expect(answer.body.problems[0].message).not.toContain('nomenclature.');
  }, 120_000);

  it('refuses another department and metadata files sent among the files', async () => {
    const id = await upload(await treeTar({ [`${OWN}-07/a.txt`]: 'text', [`${OWN}-07/a.txt.meta.json`]: '{}' }));
    const other = await clerk.post(`/api/transfers/uploads/${id}/prepare?lang=en`, { ...base, department: { code: '03' }, check: true, documents: {} });
    expect(other.status).toBe(403);
    const meta = await clerk.post(`/api/transfers/uploads/${id}/prepare?lang=ru`, { ...base, check: true, documents: {} });
    expect(meta.body.problems).toEqual([expect.objectContaining({ where: `${OWN}-07/a.txt.meta.json`, code: 'transfer.prepare_metadata_file' })]);
    expect(meta.body.problems[0].message).toContain('метаданных');
  }, 60_000);
});
