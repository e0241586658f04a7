// Appraisal, holds and destruction acts over HTTP (issue 12), on both engines: roles checked
// (the archivist appraises and drafts, the commission reads, a researcher is refused), refusals
// translated into the request's language and naming the dossier, the act rendered as PDF/A-1b,
// the OpenAPI document carrying the routes.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { validateBytes } from '../../validators/pdfa';
import { describeEachDatabase } from '../helpers/db';
import { Client, startTestServer, type TestServer } from '../server/helpers';
import { addDossiers, addPermanentInventory, PASSWORD, setUpOrganisation } from './fixtures';

const CLOCK = new Date('2026-12-07T09:00:00Z');

describeEachDatabase('appraisal and destruction acts over HTTP', (getDb) => {
  let server: TestServer;
  let ids: Record<string, string>;
  const clients: Record<string, Client> = {};

  beforeAll(async () => {
    const { db } = getDb();
    await setUpOrganisation(db);
    await createUsersService({ db }).add(SYSTEM_ACTOR, { username: 'reader', password: PASSWORD, fullName: 'Зерттеуші', roles: ['researcher'], language: 'en' });
    ids = await addDossiers(db, [
      { index: '01-5', title: 'Азаматтармен хат алмасу', department: '01', year: 2019, retention: { kind: 'years', years: 5, article: '31' } },
      { index: '01-6', title: 'Жұмыс жоспарлары', department: '01', year: 2019, retention: { kind: 'years_epk', years: 5, article: '23' } },
      { index: '01-7', title: 'Есептер', department: '01', year: 2019, retention: { kind: 'years', years: 3, article: '40' } },
    ]);
    await addPermanentInventory(db, 2019, 1);
    server = await startTestServer(db, { now: () => CLOCK });
    for (const name of ['archivist', 'member', 'director', 'reader']) {
      clients[name] = new Client(server.url);
      expect((await clients[name]!.login(name, PASSWORD)).status).toBe(200);
    }
  }, 300_000);

  afterAll(async () => {
    if (server) await server.stop();
  });

  it('lists, decides, holds and drafts with roles checked and refusals translated', async () => {
    const archivist = clients.archivist!;
    const list = await clients.member!.request('GET', '/api/appraisal?by=2026-12-31&lang=ru');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 3, needsReview: 1 });
    expect((await clients.reader!.request('GET', '/api/appraisal?by=2026-12-31')).status).toBe(403);
    expect((await archivist.request('GET', '/api/appraisal?by=31.12.2026')).status).toBe(400);
    const second = await archivist.request('GET', '/api/appraisal?by=2026-12-31&page=2&pageSize=2');
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ total: 3, page: 2, pageSize: 2, pages: 2 });
    expect((second.body as { groups: { dossiers: unknown[] }[] }).groups.flatMap((g) => g.dossiers)).toHaveLength(1);
    const tooBig = await archivist.request('GET', '/api/appraisal?by=2026-12-31&pageSize=5000&lang=ru');
    expect(tooBig.status).toBe(400);
    expect(JSON.stringify(tooBig.body)).toContain('pageSize');

    const hold = await archivist.request('POST', '/api/holds', { json: { scope: 'dossier', dossierId: ids['01-7/2019'], kind: 'legal', reason: 'Сот ісі № 2-7/2026' } });
    expect(hold.status).toBe(201);
    expect((await clients.member!.request('POST', '/api/holds', { json: { scope: 'year', year: 2019, reason: 'x' } })).status).toBe(403);
    const holds = await clients.member!.request('GET', '/api/holds?active=1&lang=kk');
    expect(holds.body.holds).toHaveLength(1);

    // An ЭПК dossier needs the appraiser's decision first; a held one is refused, in Russian.
    const draft = (dossierIds: string[], lang = 'en') =>
      archivist.request('POST', `/api/destruction-acts?lang=${lang}`, { json: { dossierIds, basis: 'Перечень 2017 г.', appraiser: { name: 'Ә. Т. Жұмабаева', position: 'архивист' } } });
    const needsReview = await draft([ids['01-6/2019']!]);
    expect(needsReview.status).toBe(400);
    expect(needsReview.body.error).toMatchObject({ code: 'appraisal.dossier_needs_review' });
    expect(needsReview.body.error.message).toContain('01-6 (2019)');
    const held = await draft([ids['01-7/2019']!], 'ru');
    expect(held.status).toBe(400);
    expect(held.body.error.message).toBe('На дело 01-7 (2019) наложен запрет: Сот ісі № 2-7/2026; его нельзя включить в акт и уничтожить');
    const decided = await archivist.request('POST', '/api/appraisal/decisions', { json: { dossierId: ids['01-6/2019'], decision: 'destroy', reason: 'Жоспарлар есептерде көрсетілген' } });
    expect(decided.status).toBe(201);
    expect((await clients.director!.request('POST', '/api/appraisal/decisions', { json: { dossierId: ids['01-5/2019'], decision: 'destroy', reason: 'x' } })).status).toBe(403);

    const created = await draft([ids['01-5/2019']!, ids['01-6/2019']!]);
    expect(created.status).toBe(201);
    const act = created.body.act;
    expect(act).toMatchObject({ number: '1', status: 'draft', totals: { dossiers: 2, years: [2019] } });
    expect((await clients.member!.request('GET', `/api/destruction-acts/${act.id}`)).body.act.rows).toHaveLength(2);
    expect((await clients.member!.request('GET', '/api/destruction-acts?lang=en')).body.acts).toEqual([expect.objectContaining({ id: act.id, dossiers: 2 })]);
    const member = clients.member!;
    const pdf = await fetch(`${server.url}/api/destruction-acts/${act.id}/pdf?form=ru`, { headers: { cookie: [...member.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(validateBytes(new Uint8Array(await pdf.arrayBuffer())).compliant).toBe(true);
    expect((await clients.director!.request('POST', `/api/destruction-acts/${act.id}/approval`, { json: { renditionId: act.id, cms: 'A'.repeat(20) } })).body.error.code).toBe('appraisal.act_not_agreed');
    const submitted = await archivist.request('POST', `/api/destruction-acts/${act.id}/submit`);
    expect(submitted.body.act.status).toBe('submitted');
    const proposals = await clients.member!.request('GET', '/api/commission/proposals');
    expect(proposals.body.proposals.map((p: { kind: string; subjectId: string }) => [p.kind, p.subjectId])).toContainEqual(['destruction_act_approval', act.id]);
    const undecided = await archivist.request('POST', `/api/destruction-acts/${act.id}/refresh`);
    expect(undecided.status).toBe(409);

    const lifted = await archivist.request('POST', `/api/holds/${hold.body.hold.id}/lift`, { json: { reason: 'Сот шешімі' } });
    expect(lifted.body.hold).toMatchObject({ active: false, liftedBy: 'archivist', liftReason: 'Сот шешімі' });
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = await clients.reader!.request('GET', '/api/openapi.json');
    expect(doc.status).toBe(200);
    for (const p of ['/api/appraisal', '/api/holds', '/api/holds/{id}/lift', '/api/destruction-acts', '/api/destruction-acts/{id}/approval']) expect(Object.keys(doc.body.paths)).toContain(p);
  });
});
