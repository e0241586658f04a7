// The nomenclature over HTTP: the records service imports a draft from CSV (a bad file refused
// whole, each row named in the request's language), edits it, and the chain is walked by the
// roles of p.133; a step out of order is refused naming the missing step in the request's
// language; the approved nomenclature is exported and no longer edited.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import type { Role } from '../../accounts/roles';
import { createOrganisationService } from '../../catalog/organisation.service';
import { describeEachDatabase } from '../helpers/db';
import { Client, startTestServer, type TestServer } from './helpers';

const PASSWORD = 'Nomenclature-Walk-Phrase-61';
const YEAR = new Date().getFullYear() + 1;
const TODAY = new Date().toISOString().slice(0, 10);

describeEachDatabase('nomenclature over HTTP', (getDb) => {
  let server: TestServer;
  const clients: Record<string, Client> = {};

  beforeAll(async () => {
    const { db } = getDb();
    const orgs = createOrganisationService({ db });
    await orgs.addDepartment(SYSTEM_ACTOR, { code: '01', nameKk: 'Басшылық', nameRu: 'Руководство' });
    await orgs.addDepartment(SYSTEM_ACTOR, { code: '02', nameKk: 'Кадр бөлімі', nameRu: 'Отдел кадров' });
    const users = createUsersService({ db });
    const people: [string, Role, 'kk' | 'ru' | 'en'][] = [['records', 'records_head', 'ru'], ['secretary', 'commission_secretary', 'en'], ['director', 'organisation_head', 'kk'], ['clerk', 'department_clerk', 'en']];
    server = await startTestServer(db);
    for (const [username, role, language] of people) {
      await users.add(SYSTEM_ACTOR, { username, password: PASSWORD, fullName: `Тестов ${username}`, position: role, roles: [role], language });
      clients[username] = new Client(server.url);
      expect((await clients[username]!.login(username, PASSWORD)).status).toBe(200);
    }
  }, 300_000);

  afterAll(async () => {
    if (server) await server.stop();
  });

  it('imports a draft, refusing a bad file row by row in the request language', async () => {
    const records = clients.records!;
    const bad = await records.request('POST', `/api/nomenclatures/${YEAR}/import?lang=ru`, { json: { format: 'csv', content: 'department,index,heading,retention\n01,02-1,Бұйрықтар,Постоянно\n', sourceName: 'n.csv' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('nomenclature.invalid_file');
    expect(bad.body.error.details.problems[0]).toMatchObject({ row: 2, field: 'index', message: 'Строка 2, поле «index»: индекс 02-1 не начинается с кода подразделения строки 01.' });
    const csv = 'department,index,heading,retention\n01,01-1,Бұйрықтар,Постоянно\n02,02-1,Жеке істер,75 лет\n';
    const imported = await records.request('POST', `/api/nomenclatures/${YEAR}/import`, { json: { format: 'csv', content: csv, sourceName: 'n.csv' } });
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({ year: YEAR, status: 'draft', itemCount: 2, nextStep: 'records_head' });
    const added = await records.request('POST', `/api/nomenclatures/${YEAR}/items`, { json: { departmentCode: '02', heading: 'Демалыс', retention: { kind: 'years_epk', years: 5 }, documentForm: 'paper' } });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ caseIndex: '02-2', epk: true, documentForm: 'paper' });
    const clerk = await clients.clerk!.request('POST', `/api/nomenclatures/${YEAR}/items`, { json: { departmentCode: '02', heading: 'X', retention: { kind: 'permanent' } } });
    expect(clerk.status).toBe(403);
    // Everyone signed in reads it.
    expect((await clients.clerk!.get(`/api/nomenclatures/${YEAR}`)).body.items).toHaveLength(3);
  });

  it('walks the chain in order; out of order is refused naming the missing step', async () => {
    const early = await clients.director!.request('POST', `/api/nomenclatures/${YEAR}/steps?lang=ru`, { json: { step: 'organisation_head' } });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('nomenclature.step_out_of_order');
    expect(early.body.error.message).toContain('подписана руководителем службы ДОУ');
    const wrongRole = await clients.secretary!.request('POST', `/api/nomenclatures/${YEAR}/steps`, { json: { step: 'records_head' } });
    expect(wrongRole.status).toBe(403);
    expect((await clients.records!.request('POST', `/api/nomenclatures/${YEAR}/steps`, { json: { step: 'records_head' } })).status).toBe(200);
    const noProtocol = await clients.secretary!.request('POST', `/api/nomenclatures/${YEAR}/steps?lang=en`, { json: { step: 'expert_commission', date: TODAY } });
    expect(noProtocol.status).toBe(400);
    expect((await clients.secretary!.request('POST', `/api/nomenclatures/${YEAR}/steps`, { json: { step: 'expert_commission', protocolNumber: '3', date: TODAY } })).status).toBe(200);
    const skipped = await clients.director!.request('POST', `/api/nomenclatures/${YEAR}/steps?lang=en`, { json: { step: 'organisation_head' } });
    expect(skipped.status).toBe(409);
    expect(skipped.body.error.message).toContain('agreed by the state review commission (ЭПК: protocol number and date)');
    expect((await clients.secretary!.request('POST', `/api/nomenclatures/${YEAR}/steps`, { json: { step: 'state_review', protocolNumber: '8', date: TODAY } })).status).toBe(200);
    const approved = await clients.director!.request('POST', `/api/nomenclatures/${YEAR}/steps`, { json: { step: 'organisation_head' } });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', inForceFrom: `${YEAR}-01-01`, approvals: [{ step: 'records_head', name: 'Тестов records' }, { protocolNumber: '3' }, { protocolNumber: '8' }, { username: 'director' }] });
    const frozen = await clients.records!.request('POST', `/api/nomenclatures/${YEAR}/items`, { json: { departmentCode: '02', heading: 'X', retention: { kind: 'permanent' } } });
    expect(frozen.status).toBe(409);
    expect(frozen.body.error.code).toBe('nomenclature.approved');
  });

  it('exports CSV and gives the year-end summary', async () => {
    const csv = await clients.clerk!.request('GET', `/api/nomenclatures/${YEAR}?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toContain(`nomenclature-${YEAR}-r1.csv`);
    expect(csv.text).toContain('02,02-2,Демалыс,,5 лет ЭПК,,no,,paper,,,');
    const counted = await clients.records!.request('POST', `/api/nomenclatures/${YEAR}/counts`, { json: { counts: { '01-1': 1, '02-1': 12, '02-2': 3 } } });
    expect(counted.status).toBe(200);
    expect(counted.body).toMatchObject({ permanent: { total: 1 }, over10: { total: 12 }, upTo10: { total: 3, withEpkMark: 3 }, totals: { total: 16 } });
    const list = await clients.clerk!.get('/api/nomenclatures');
    expect(list.body.nomenclatures[0]).toMatchObject({ year: YEAR, status: 'approved', itemCount: 3 });
  });
});
