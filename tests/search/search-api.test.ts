// GET /api/search over HTTP: staff and researchers, a translated refusal naming a bad filter,
// paging parameters, and the route in the OpenAPI document.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { createOrganisationService } from '../../catalog';
import { describeEachDatabase } from '../helpers/db';
import { Client, startTestServer, type TestServer } from '../server/helpers';
import { addDossiers } from './fixtures';

const PASSWORD = 'Search-Route-Phrase-58';

describeEachDatabase('search over HTTP', (getDb) => {
  let server: TestServer;
  const clients: Record<string, Client> = {};

  beforeAll(async () => {
    const { db } = getDb();
    const organisations = createOrganisationService({ db });
    await organisations.save(SYSTEM_ACTOR, { nameKk: '«Іздеу» ЖШС', nameRu: 'ТОО «Поиск»', bin: '123456789012', fondsNumber: '12' });
    const dept = await organisations.addDepartment(SYSTEM_ACTOR, { code: '02', nameKk: 'Кеңсе', nameRu: 'Канцелярия' });
    const users = createUsersService({ db });
    await users.add(SYSTEM_ACTOR, { username: 'keeper', password: PASSWORD, fullName: 'Архивист', roles: ['archivist'], language: 'en' });
    await users.add(SYSTEM_ACTOR, { username: 'reader', password: PASSWORD, fullName: 'Зерттеуші', roles: ['researcher'], language: 'en' });
    await users.add(SYSTEM_ACTOR, { username: 'clerk2', password: PASSWORD, fullName: 'Іс жүргізуші', roles: ['department_clerk'], departmentId: dept.id, language: 'en' });
    await users.add(SYSTEM_ACTOR, { username: 'admin1', password: PASSWORD, fullName: 'Әкімші', roles: ['admin'], language: 'en' });
    await addDossiers(db, [
      {
        index: '01-05',
        title: 'Приказы по личному составу',
        department: '01',
        year: 2020,
        retention: { kind: 'years', years: 75 },
        documents: [{ title: 'О приёме на работу', kind: 'Приказ', language: 'ru', text: 'Принять Жумабаева Ерлана Серикулы на должность инженера.' }],
      },
      {
        index: '03-07',
        title: 'Закрытая переписка',
        department: '02',
        year: 2019,
        retention: { kind: 'years', years: 10 },
        access: { kind: 'restricted', until: '2090-01-01' },
        documents: [{ title: 'Письмо', kind: 'Письмо', language: 'ru', text: 'Жумабаев Ерлан командирован.' }],
      },
    ]);
    server = await startTestServer(db);
    for (const name of ['keeper', 'reader', 'clerk2', 'admin1']) {
      clients[name] = new Client(server.url);
      expect((await clients[name]!.login(name, PASSWORD)).status).toBe(200);
    }
  }, 300_000);

  afterAll(async () => {
    if (server) await server.stop();
  });

  it('answers the archivist with highlighted hits, the researcher without what is restricted, the clerk with their department', async () => {
    const all = await clients.keeper!.request('GET', `/api/search?q=${encodeURIComponent('Жумабаев')}`);
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(2);
    const hit = all.body.hits.find((h: { caseIndex: string }) => h.caseIndex === '01-05');
    expect(hit).toMatchObject({ type: 'document', position: 1, kind: 'приказ', year: 2020, department: '01' });
    expect(hit.snippet.some((p: { text: string; hit?: boolean }) => p.hit && p.text === 'Жумабаева')).toBe(true);
    const researcher = await clients.reader!.request('GET', `/api/search?q=${encodeURIComponent('Жумабаев')}`);
    expect(researcher.body.hits.map((h: { caseIndex: string }) => h.caseIndex)).toEqual(['01-05']);
    const clerk = await clients.clerk2!.request('GET', `/api/search?q=${encodeURIComponent('Жумабаев')}`);
    expect(clerk.body.hits.map((h: { caseIndex: string }) => h.caseIndex)).toEqual(['03-07']);
    const paged = await clients.keeper!.request('GET', `/api/search?q=${encodeURIComponent('Жумабаев')}&limit=1&offset=1`);
    expect(paged.body).toMatchObject({ total: 2, limit: 1, offset: 1 });
    expect(paged.body.hits).toHaveLength(1);
  });

  it('refuses a bad filter value in the request language, naming the filter and the value', async () => {
    const ru = await clients.keeper!.request('GET', `/api/search?q=x&year=20x1&lang=ru`);
    expect(ru.status).toBe(400);
    expect(ru.body.error.code).toBe('search.bad_filter');
    expect(ru.body.error.message).toBe('Фильтр «year» не принимает значение «20x1»: год (ГГГГ) или диапазон (ГГГГ-ГГГГ) от 1800 до 2200.');
    expect(ru.body.error.details).toMatchObject({ field: 'year', value: '20x1' });
    const unknown = await clients.keeper!.request('GET', `/api/search?q=x&yaer=2019`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('yaer');
  });

  it('is for readers of the catalog only, and documented', async () => {
    expect((await clients.admin1!.request('GET', '/api/search?q=x')).status).toBe(403);
    expect((await new Client(server.url).request('GET', '/api/search?q=x')).status).toBe(401);
    const doc = await clients.keeper!.request('GET', '/api/openapi.json');
    expect(doc.body.paths['/api/search'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['q', 'fonds', 'year', 'department', 'kind', 'language', 'retention', 'type', 'limit', 'offset']);
  });
});
