// A dossier ingested for real carries its retention in the dossier API: the version of the
// retention list it was given when stored (kept when a later version is published), its
// category and its earliest destruction date, computed by catalog/retention.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { createRetentionService } from '../../catalog/retention';
import { runIngest } from '../../ingest';
import { describeEachDatabase } from '../helpers/db';
import { Client, packTextDossier, startTestServer, type TestServer } from './helpers';

const PASSWORD = 'Dossier-Retention-Phrase-7';
// packTextDossier files its dossier as 10 years under article 201, documents of 2025.
const LIST = `article,document_type_kk,document_type_ru,retention,note,personnel
201,Кассалық құжаттар,Кассовые документы,10 лет,,нет
`;

describeEachDatabase('a stored dossier’s retention over HTTP', (getDb) => {
  let server: TestServer;
  let work = '';
  let client: Client;
  let dossierId = '';

  beforeAll(async () => {
    const { db } = getDb();
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-dossier-retention-'));
    const tar = await packTextDossier(work, { index: '04-08', title: 'Кассалық құжаттар', kazakhOrder: '4-н', russianOrder: '10-н' });
    await createRetentionService({ db }).importList(SYSTEM_ACTOR, { content: LIST, format: 'csv', sourceName: 'v1.csv' });
    await createUsersService({ db }).add(SYSTEM_ACTOR, { username: 'keeper', password: PASSWORD, fullName: 'Archivist', roles: ['archivist'], language: 'en' });
    server = await startTestServer(db, {}, { MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    const report = await runIngest({ db, storage: server.deps.storage, config: server.deps.config }, { tarPath: tar });
    dossierId = report.dossiers[0]!.id!;
    expect(dossierId, JSON.stringify(report)).toBeTruthy();
    client = new Client(server.url);
    expect((await client.login('keeper', PASSWORD)).status).toBe(200);
  }, 300_000);

  afterAll(async () => {
    if (server) await server.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('shows category and earliest destruction on the dossier, and keeps the version it was given', async () => {
    const expected = {
      retention: { kind: 'years', years: 10 },
      article: '201',
      listVersion: 1,
      articleInList: true,
      category: 'up_to_10',
      epk: false,
      personnel: false,
      closedYear: 2025,
      earliestDestruction: '2036-01-01',
      destruction: { kind: 'from', date: '2036-01-01', expertReview: false },
    };
    const detail = await client.get(`/api/dossiers/${dossierId}`);
    expect(detail.status).toBe(200);
    expect(detail.body.dossier.retention).toEqual(expected);
    const list = await client.get('/api/dossiers?index=04-08');
    expect(list.body.dossiers[0].retention).toEqual(expected);

    // A later version without article 201: the dossier still answers by the version it was given.
    const { db } = getDb();
    await createRetentionService({ db }).importList(SYSTEM_ACTOR, { content: LIST.replace('201,', '202,'), format: 'csv', sourceName: 'v2.csv' });
    expect((await client.get(`/api/dossiers/${dossierId}`)).body.dossier.retention).toMatchObject({ listVersion: 1, articleInList: true });
  });
});
