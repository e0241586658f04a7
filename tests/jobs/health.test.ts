// /api/health says, in the reader's language, when files cannot be scanned for malware.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeEachDatabase } from '../helpers/db';
import { Client, startTestServer, type TestServer } from '../server/helpers';
import { findTool } from '../../common/process';

const haveClamscan = !!(await findTool('clamscan'));

describeEachDatabase('malware scanning in /api/health', (getDb) => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'muragat-health-'));
    await mkdir(path.join(dir, 'empty'));
    await mkdir(path.join(dir, 'db'));
    await writeFile(path.join(dir, 'db', 'test.hdb'), '44d88612fea8a8f36de82e1278abb02f:68:Muragat.Test.EICAR\n');
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const health = async (clamavDb: string, lang: string) => {
    const server: TestServer = await startTestServer(getDb().db, {}, { MURAGAT_CLAMAV_DB: clamavDb, MURAGAT_MALWARE_POLICY: 'refuse' });
    try {
      return (await new Client(server.url).request('GET', '/api/health', { headers: { 'accept-language': lang } })).body;
    } finally {
      await server.stop();
    }
  };

  it('warns, translated, when there is no signature database; the archive stays up', async () => {
    const en = await health(path.join(dir, 'empty'), 'en');
    expect(en.status).toBe('ok');
    expect(en.malware).toMatchObject({ database: false, signatureFiles: 0, policy: 'refuse' });
    expect(en.malware.databaseDir).toBeUndefined();
    const code = haveClamscan ? 'ingest.malware_health_no_database' : 'ingest.malware_health_no_engine';
    expect(en.warnings).toEqual([{ code, message: expect.stringMatching(/ClamAV/) }]);
    expect(en.warnings[0].message).toMatch(/refused/);
    expect(en.jobs).toEqual({ queue: 'in-process', depth: {} });
    const ru = await health(path.join(dir, 'empty'), 'ru');
    expect(ru.warnings[0].message).toMatch(/ClamAV/);
    expect(ru.warnings[0].message).not.toBe(en.warnings[0].message);
    expect(ru.warnings[0].message).toMatch(/отклоняются/);
  }, 60_000);

  it.skipIf(!haveClamscan)('has no warning when a database is there', async () => {
    const body = await health(path.join(dir, 'db'), 'en');
    expect(body.malware).toMatchObject({ engine: true, database: true, signatureFiles: 1 });
    expect(body.warnings).toEqual([]);
  }, 60_000);
});
