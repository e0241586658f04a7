// GET /api/dossiers/{id}/export over real HTTP: the archivist downloads a streamed tar holding
// the dossier's E-ARK package (METS.xml meeting the CSIP requirements, every file's checksum as
// stated), or a BagIt bag of it; a researcher is refused by role; a destroyed dossier answers
// 410 naming the act, as JSON, before any byte of a tar. Both engines.
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { runIngest } from '../../ingest';
import { readPackageMets, checkCsipRequirements, checkReferencedFiles, referencedFiles, validateBag } from '../../preservation/exchange';
import { describeEachDatabase } from '../helpers/db';
import { Client, packTextDossier, startTestServer, type TestServer } from '../server/helpers';

const PASSWORD = 'keeper-Secret-1234';

describeEachDatabase('E-ARK export over HTTP', (getDb) => {
  let server: TestServer;
  let work: string;
  let archivist: Client;
  let researcher: Client;
  const ids: Record<'kept' | 'gone', string> = { kept: '', gone: '' };

  async function download(client: Client, url: string): Promise<{ status: number; type: string | null; bytes: Buffer }> {
    const res = await fetch(server.url + url, { headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'accept-language': 'en' } });
    return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
  }

  beforeAll(async () => {
    const { db } = getDb();
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-exchange-http-'));
    const users = createUsersService({ db });
    await users.add(SYSTEM_ACTOR, { username: 'keeper', password: PASSWORD, fullName: 'Archivist', roles: ['archivist'], language: 'en' });
    await users.add(SYSTEM_ACTOR, { username: 'reader', password: PASSWORD, fullName: 'Reader', roles: ['researcher'], language: 'en' });
    server = await startTestServer(db, {}, { MURAGAT_STORAGE: `file:${path.join(work, 'primary')}`, MURAGAT_TRUST_DIR: path.join(work, 'trust'), MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    const deps = { db, storage: server.deps.storage, config: server.deps.config };
    for (const [name, index] of [['kept', '04-08'], ['gone', '04-09']] as const) {
      const tar = await packTextDossier(path.join(work, name), { index, title: `Кассалық құжаттар ${index}`, kazakhOrder: '4-н', russianOrder: '10-н', retention: { kind: 'years', years: 10, article: '19' } });
      const report = await runIngest(deps, { tarPath: tar });
      ids[name] = report.dossiers[0]!.id!;
    }
    const gone = await db.selectFrom('dossiers').selectAll().where('id', '=', ids.gone).executeTakeFirstOrThrow();
    await db
      .insertInto('destroyed_dossiers')
      .values({
        dossier_id: gone.id, act_id: 'act-http', act_number: '7-Ж', case_index: gone.case_index, volume: gone.volume, heading: gone.title, year: gone.year, department: gone.department,
        start_date: null, end_date: null, retention: JSON.stringify({ kind: 'years', years: 10 }), method: 'crypto-erasure', destroyed_at: new Date('2026-12-01T00:00:00Z'),
        executed_by: randomUUID(), executed_by_name: 'Test', final_control: JSON.stringify({}),
      } as never)
      .execute();
    archivist = new Client(server.url);
    expect((await archivist.login('keeper', PASSWORD)).status).toBe(200);
    researcher = new Client(server.url);
    expect((await researcher.login('reader', PASSWORD)).status).toBe(200);
  }, 300_000);

  afterAll(async () => {
    if (server) await server.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const untar = async (bytes: Buffer, name: string): Promise<string> => {
    const dir = path.join(work, `download-${name}`);
    await mkdir(dir);
    await writeFile(`${dir}.tar`, bytes);
    execFileSync('tar', ['-xf', `${dir}.tar`, '-C', dir]);
    return dir;
  };

  it('the archivist downloads the dossier as an E-ARK package in a tar; every file as its METS states', async () => {
    const res = await download(archivist, `/api/dossiers/${ids.kept}/export`);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/x-tar');
    const dir = await untar(res.bytes, 'kept');
    const [objid] = await readdir(dir);
    const pkg = path.join(dir, objid!);
    const { mets, problems } = await readPackageMets(pkg);
    expect(problems).toEqual([]);
    expect(checkCsipRequirements(mets!)).toEqual([]);
    expect(await checkReferencedFiles(pkg, 'METS.xml', referencedFiles(mets!))).toEqual([]);
    expect((await readdir(path.join(pkg, 'representations'))).sort()).toEqual(['original', 'pdfa']);
  }, 120_000);

  it('a BagIt bag of it validates', async () => {
    const res = await download(archivist, `/api/dossiers/${ids.kept}/export?format=bagit`);
    expect(res.status).toBe(200);
    const dir = await untar(res.bytes, 'bag');
    const [bagName] = await readdir(dir);
    const bag = path.join(dir, bagName!);
    expect((await validateBag(bag)).problems).toEqual([]);
    const [objid] = await readdir(path.join(bag, 'data'));
    const pkg = path.join(bag, 'data', objid!);
    const { mets, problems } = await readPackageMets(pkg);
    expect(problems).toEqual([]);
    expect(checkCsipRequirements(mets!)).toEqual([]);
    expect(await checkReferencedFiles(pkg, 'METS.xml', referencedFiles(mets!))).toEqual([]);
  }, 120_000);

  it('refuses a researcher by role, a bad format, and a destroyed dossier with its act (410, JSON)', async () => {
    const refused = await researcher.get(`/api/dossiers/${ids.kept}/export`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('auth.forbidden');
    const format = await archivist.get(`/api/dossiers/${ids.kept}/export?format=zip`);
    expect(format.status).toBe(400);
    const gone = await archivist.get(`/api/dossiers/${ids.gone}/export`);
    expect(gone.status).toBe(410);
    expect(gone.body.error.code).toBe('destruction.dossier_destroyed');
    expect(gone.body.error.message).toContain('7-Ж');
  });
});
