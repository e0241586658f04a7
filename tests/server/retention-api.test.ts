// The retention list over HTTP: the archivist imports a version from CSV, anyone signed in
// reads it with categories and exports it; a bad file is refused whole, every problem named
// by row and field in the request's language.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { DEMO_RETENTION_LIST } from '../../catalog/retention';
import { describeEachDatabase } from '../helpers/db';
import { insertStoredDossier } from '../helpers/retention';
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

  it('previews a file, drafts it, edits the draft article by article and publishes the next version', async () => {
    const reader = clients.researcher!;
    const bad = 'article,document_type_kk,document_type_ru,retention,note,personnel\n12,Актілер,Акты,10 лет ЭПК,,нет\n13,Хаттар,Письма,7 лет,,может быть\n';
    const preview = await archivist().request('POST', '/api/retention-lists/preview?lang=en', { json: { format: 'csv', content: bad, sourceName: 'next.csv' } });
    expect(preview.status).toBe(200);
    expect(preview.body.articles.map((a: { article: string }) => a.article)).toEqual(['12']);
    expect(preview.body.problems).toEqual([
      { row: 3, field: 'personnel', code: 'retention.problem_personnel_format', params: { value: 'может быть' }, message: 'Row 3, field "personnel": personnel mark not understood: "может быть"; write yes or no' },
    ]);
    expect((await reader.request('POST', '/api/retention-lists/preview', { json: { format: 'csv', content: bad } })).status).toBe(403);
    expect((await archivist().request('POST', '/api/retention-lists/draft', { json: { format: 'csv', content: bad } })).status).toBe(400);
    expect((await archivist().request('GET', '/api/retention-lists/draft')).body.error.code).toBe('retention.no_draft');

    const created = await archivist().request('POST', '/api/retention-lists/draft', { json: { fromVersion: 1 } });
    expect(created.status).toBe(201);
    expect(created.body.draft).toMatchObject({ basedOnVersion: 1, createdBy: 'keeper' });
    expect((await archivist().request('POST', '/api/retention-lists/draft', { json: {} })).status).toBe(409);
    expect((await reader.request('GET', '/api/retention-lists/draft')).status).toBe(403);

    const refused = await archivist().request('POST', '/api/retention-lists/draft/articles?lang=ru', { json: { article: '12', documentTypeKk: 'Актілер', documentTypeRu: '', retention: { kind: 'years', years: 500 } } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.problems.map((p: { field: string }) => p.field)).toEqual(['documentTypeRu', 'retention']);
    expect(refused.body.error.details.problems[0].message).toBe('Поле «documentTypeRu»: обязательно для заполнения');
    const added = await archivist().request('POST', '/api/retention-lists/draft/articles', { json: { article: '12', documentTypeKk: 'Актілер', documentTypeRu: 'Акты', retention: '10 лет ЭПК', note: 'жаңа' } });
    expect(added.status).toBe(201);
    expect(added.body.article).toMatchObject({ article: '12', epk: true, category: 'up_to_10' });
    const draft = (await archivist().request('GET', '/api/retention-lists/draft')).body.draft;
    const letters = draft.articles.find((a: { article: string }) => a.article === '700');
    const changed = await archivist().request('PUT', `/api/retention-lists/draft/articles/${letters.id}`, { json: { article: '700', documentTypeKk: letters.documentTypeKk, documentTypeRu: letters.documentTypeRu, retention: { kind: 'years', years: 3 }, personnel: false } });
    expect(changed.status).toBe(200);
    expect(changed.body.article).toMatchObject({ retention: { kind: 'years', years: 3 } });
    expect((await archivist().request('PUT', '/api/retention-lists/draft/articles/not-an-id', { json: {} })).status).toBe(400);
    const removed = draft.articles.find((a: { article: string }) => a.article === '147');
    expect((await archivist().request('DELETE', `/api/retention-lists/draft/articles/${removed.id}`)).status).toBe(204);
    expect((await archivist().request('PATCH', '/api/retention-lists/draft', { json: { title: 'Тізбе, 2-нұсқа' } })).body.draft.title).toBe('Тізбе, 2-нұсқа');

    const published = await archivist().request('POST', '/api/retention-lists/draft/publish');
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({ version: 2, title: 'Тізбе, 2-нұсқа', sourceFormat: 'editor', basedOnVersion: 1, articleCount: 10 });
    const latest = (await reader.request('GET', '/api/retention-lists/latest')).body;
    expect(latest.version).toBe(2);
    expect(latest.articles.map((a: { article: string }) => a.article)).toContain('12');
    expect(latest.articles.map((a: { article: string }) => a.article)).not.toContain('147');
    expect((await reader.request('GET', '/api/retention-lists/1')).body.articles.find((a: { article: string }) => a.article === '700')).toMatchObject({ retention: { kind: 'until_needed' } });
    const exported = await reader.request('GET', '/api/retention-lists/2?format=json');
    expect(JSON.parse(exported.text).articles.find((a: { article: string }) => a.article === '12')).toMatchObject({ retention: { kind: 'years_epk', years: 10 }, personnel: false, note: 'жаңа' });
    expect((await archivist().request('DELETE', '/api/retention-lists/draft')).status).toBe(404);
  });

  it('returns each dossier with its category and earliest destruction date in the dossier list', async () => {
    const { db } = getDb();
    const transfer = await db.insertInto('transfers').values({ status: 'completed', department: '02', year: 2024, source_name: 't.tar' } as never).returning('id').executeTakeFirstOrThrow();
    const insert = (caseIndex: string, metadata: Record<string, unknown>) => insertStoredDossier(db, transfer.id, caseIndex, metadata, `Іс ${caseIndex}`);
    await insert('02-91', { year: 2024, endDate: '2024-11-30', retention: { kind: 'years', years: 75, article: '662' } });
    await insert('02-92', { year: 2024, endDate: '2024-03-01', retention: { kind: 'years_epk', years: 5, article: '23' } });
    await insert('02-93', { year: 2024, retention: { kind: 'until_needed', article: '700' } });
    const answer = await archivist().request('GET', '/api/dossiers?year=2024');
    expect(answer.status).toBe(200);
    const byIndex = Object.fromEntries(answer.body.dossiers.map((d: { index: string; retention: unknown }) => [d.index, d.retention]));
    expect(byIndex['02-91']).toMatchObject({ category: 'personnel', personnel: true, listVersion: 2, articleInList: true, earliestDestruction: '2100-01-01', destruction: { kind: 'from', date: '2100-01-01', expertReview: false } });
    expect(byIndex['02-92']).toMatchObject({ category: 'up_to_10', epk: true, earliestDestruction: '2030-01-01', destruction: { kind: 'from', expertReview: true } });
    // Version 2 made article 700 a 3-year period; the dossier's own metadata (ДМН) is what it was filed with.
    expect(byIndex['02-93']).toMatchObject({ category: 'up_to_10', earliestDestruction: null, destruction: { kind: 'when_no_longer_needed' }, listVersion: 2 });
  });
});
