// Over HTTP, a destroyed dossier's content answers 410 in the reader's language, naming the act
// and its date, on every route that returned it (p.186-1). The execution itself (keys, envelopes,
// certificate) is tested end to end in end-to-end.test.ts; here the catalog record it leaves is
// written directly, so the routes' answer is what is judged. PGlite and PostgreSQL.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { runIngest } from '../../ingest';
import { describeEachDatabase } from '../helpers/db';
import { Client, packTextDossier, startTestServer, type TestServer } from '../server/helpers';

const PASSWORD = 'Gone-Dossier-Phrase-19';

describeEachDatabase('destroyed dossier over HTTP', (getDb) => {
  let server: TestServer;
  let work: string;
  let client: Client;
  let dossierId = '';

  beforeAll(async () => {
    const { db } = getDb();
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-gone-'));
    const tar = await packTextDossier(work, { index: '04-11', title: 'Шаруашылық хаттар', kazakhOrder: '8-ш', russianOrder: '12-ш' });
    const keeper = await createUsersService({ db }).add(SYSTEM_ACTOR, { username: 'keeper', password: PASSWORD, fullName: 'Archivist', roles: ['archivist'], language: 'en' });
    server = await startTestServer(db, {}, { MURAGAT_TRUST_DIR: path.join(work, 'trust'), MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    const report = await runIngest({ db, storage: server.deps.storage, config: server.deps.config }, { tarPath: tar });
    dossierId = report.dossiers[0]!.id!;
    client = new Client(server.url);
    expect((await client.login('keeper', PASSWORD)).status).toBe(200);
    // Readable before.
    expect((await client.get(`/api/dossiers/${dossierId}/documents/1/original`)).status).toBe(200);
    await db
      .insertInto('destroyed_dossiers')
      .values({
        dossier_id: dossierId,
        act_id: '00000000-0000-4000-8000-000000000001',
        act_number: '7',
        case_index: '04-11',
        volume: 1,
        heading: 'Шаруашылық хаттар',
        year: 2025,
        department: '04',
        start_date: '2025-02-01',
        end_date: '2025-04-10',
        retention: JSON.stringify({ kind: 'years', years: 10, article: '201' }),
        method: 'crypto-erasure',
        destroyed_at: new Date('2036-01-15T09:00:00Z'),
        executed_by: (keeper as { id: string }).id,
        executed_by_name: 'Archivist',
        final_control: JSON.stringify({}),
      } as never)
      .execute();
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('answers 410 naming the act for the original, the rendition and the internal inventory', async () => {
    for (const url of [`/api/dossiers/${dossierId}/documents/1/original`, `/api/dossiers/${dossierId}/documents/2/rendition`, `/api/dossiers/${dossierId}/inventory?format=json`]) {
      const res = await client.get(url, { headers: { 'accept-language': 'en' } });
      expect(res.status, url).toBe(410);
      expect(res.body.error.code, url).toBe('destruction.dossier_destroyed');
      expect(res.body.error.message, url).toContain('7');
      expect(res.body.error.message, url).toContain('04-11');
      expect(res.text, url).not.toContain('%PDF');
    }
  });
});
