// The retention list over HTTP: the archivist imports a version from CSV, anyone signed in
// reads it with categories and exports it; a bad file is refused whole, every problem named
// by row and field in the request's language.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { DEMO_RETENTION_LIST } from '../../catalog/retention';
import { describeEachDatabase } from '../helpers/db';
import { Client, startTestServer, type TestServer } from './helpers';

const PASSWORD = 'Retention-List-Phrase-42';

describeEachDatabase('retention list over HTTP', (getDb) => {
  let server: TestServer;
  const archivist = () => clients.archivist!;
  const clients: Record<string, Client> = {};

  beforeAll(async () => {
    const { db } = getDb();
    const users = createUsersService({ db });
    await users.add(SYSTEM_ACTOR, { username: 'keeper', password: PASSWORD, fullName: 'Архивист', roles: ['archivist'], language: 'en' });
    await users.add(SYSTEM_ACTOR, { username: 'reader', password: PASSWORD, fullName: 'Зерттеуші', roles: ['researcher'], language: 'en' });
    server = await startTestServer(db);
    clients.archivist = new Client(server.url);
    clients.researcher = new Client(server.url);
    expect((await clients.archivist.login('keeper', PASSWORD)).status).toBe(200);
    expect((await clients.researcher.login('reader', PASSWORD)).status).toBe(200);
  }, 300_000);

  afterAll(async () => {
    if (server) await server.stop();
  });

  it('imports, lists, reads and exports a version', async () => {
    const csv = readFileSync(DEMO_RETENTION_LIST, 'utf8');
    const created = await archivist().request('POST', '/api/retention-lists', { json: { format: 'csv', content: csv, sourceName: 'list.csv', title: 'Demo' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ version: 1, title: 'Demo', articleCount: 10, sourceName: 'list.csv' });
    const reader = clients.researcher!;
    const versions = await reader.request('GET', '/api/retention-lists');
    expect(versions.body.versions.map((v: { version: number }) => v.version)).toEqual([1]);
    const latest = await reader.request('GET', '/api/retention-lists/latest');
    expect(latest.status).toBe(200);
    expect(latest.body.articles.find((a: { article: string }) => a.article === '662')).toMatchObject({ category: 'personnel', retention: { kind: 'years', years: 75 } });
    expect(latest.body.articles.find((a: { article: string }) => a.article === '23')).toMatchObject({ epk: true, category: 'up_to_10' });
    const exported = await reader.request('GET', '/api/retention-lists/1?format=csv');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(exported.text).toBe(csv);
    expect((await reader.request('GET', '/api/retention-lists/2')).body.error).toMatchObject({ code: 'retention.version_not_found', message: 'There is no retention list version 2' });
    expect((await reader.request('GET', '/api/retention-lists/x')).status).toBe(400);
    expect((await reader.request('POST', '/api/retention-lists', { json: { format: 'csv', content: csv } })).status).toBe(403);
  });

  it('refuses a bad file whole, each problem with row, field and words in the request language', async () => {
    const content = 'article,document_type_kk,document_type_ru,retention\n1,Бұйрықтар,Приказы,вечно\n1,Хаттар,,5 лет\n';
    const refused = await archivist().request('POST', '/api/retention-lists?lang=ru', { json: { format: 'csv', content, sourceName: 'bad.csv' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('retention.invalid_list');
    expect(refused.body.error.message).toBe('bad.csv: перечень не загружен, найдено ошибок — 3');
    expect(refused.body.error.details.problems.map((p: { message: string }) => p.message)).toEqual([
      'Строка 2, поле «retention»: срок хранения не распознан: «вечно»; пишется: Постоянно, 5 лет, 5 лет ЭПК, 75 лет, ДМН',
      'Строка 3, поле «article»: статья «1» уже приведена в строке 2',
      'Строка 3, поле «document_type_ru»: обязательно для заполнения',
    ]);
    const versions = await archivist().request('GET', '/api/retention-lists');
    expect(versions.body.versions).toHaveLength(1);
  });
});
