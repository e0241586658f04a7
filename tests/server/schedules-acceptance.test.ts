// Transfer schedules and acceptance over HTTP: a schedule drafted and approved through the API
// with field errors translated, the archivist's accept and return, the act and its PDF read by
// the transfer's own department only (another department's act is "not found" everywhere,
// including the forms route), on PGlite and PostgreSQL.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { processingIdle } from '../../ingest/intake/transfers.service';
import { describeEachDatabase } from '../helpers/db';
import { createDepartmentFixtures, OTHER, OWN, passwordOf, type DepartmentFixtures } from './departments';
import { Client, startTestServer, type TestServer } from './helpers';

describeEachDatabase('transfer schedules and acceptance over HTTP', (getDb) => {
  let server: TestServer;
  let fx: DepartmentFixtures;
  const as: Record<string, Client> = {};

  beforeAll(async () => {
    server = await startTestServer(getDb().db, {}, { MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    fx = await createDepartmentFixtures(server);
    for (const [name, username] of Object.entries({ archivist: fx.users.archivist, head: fx.users.organisation_head, clerk: fx.users.department_clerk, other: fx.otherClerk })) {
      as[name] = new Client(server.url);
      expect((await as[name]!.login(username, passwordOf(username))).status).toBe(200);
    }
  }, 180_000);
  afterAll(async () => {
    await processingIdle(server.deps.db);
    await server?.stop();
  });

  it('drafts a schedule with translated field errors, and the organisation head approves it', async () => {
    const created = await as.archivist!.post('/api/transfer-schedules?lang=ru', { year: 2026 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ year: 2026, recordsYear: 2025, status: 'draft' });
    const bad = await as.archivist!.post('/api/transfer-schedules/2026/rows?lang=ru', { department: OWN, deadline: '2027-01-10', responsible: fx.users.department_clerk });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'schedules.deadline_outside_year', message: 'Срок 2027-01-10 (поле deadline) не в году графика (2026)' });
    const row = await as.archivist!.post('/api/transfer-schedules/2026/rows', { department: OWN, deadline: '2026-12-20', responsible: fx.users.department_clerk });
    expect(row.status).toBe(201);
    expect((await as.clerk!.post('/api/transfer-schedules/2026/approve', {})).status).toBe(403);
    const approved = await as.head!.post('/api/transfer-schedules/2026/approve', {});
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', rows: [{ department: { code: OWN }, state: 'received', transfer: { id: fx.transfers[OWN] } }] });
    const csv = await as.clerk!.get('/api/transfer-schedules/2026?format=csv&lang=kk');
    expect(csv.status).toBe(200);
    expect(csv.text.split('\r\n')[0]).toBe('Р/с,Ұйымның және (немесе) құрылымдық бөлімшенің атауы,Қабылдау мерзімі,Электрондық істі тапсыруға жауапты адам,Ескертпе,Жай-күйі');
    // The archivist is reminded of the transfer awaiting acceptance.
    const reminders = await as.archivist!.get('/api/transfer-schedules/reminders');
    expect(reminders.body.reminders).toEqual([expect.objectContaining({ audience: 'archive', row: expect.objectContaining({ state: 'received' }) })]);
  });

  it('accepts the own transfer with its act and PDFs; another department sees none of it', async () => {
    const transfer = fx.transfers[OWN]!;
    const accepted = await as.archivist!.post(`/api/transfers/${transfer}/accept`, { stateOfDocuments: 'Жақсы' });
    expect(accepted.status).toBe(201);
    const act = accepted.body.decision.act;
    expect(act).toMatchObject({ number: 1, department: { code: OWN }, totals: { dossiers: 1, documents: 1 }, acceptedInWords: { kk: '1 (бір) электрондық құжат', ru: '1 (один) электронный документ' } });
    expect(Object.keys(act.renditions).sort()).toEqual(['kk', 'ru']);

    const own = await as.clerk!.get(`/api/transfers/${transfer}/acceptance`);
    expect(own.body.decision).toMatchObject({ decision: 'accepted', act: { id: act.id } });
    const pdf = await as.clerk!.get(`/api/transfers/${transfer}/acceptance/act.pdf?form=ru`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.text.startsWith('%PDF-')).toBe(true);

    // Another department's clerk: the transfer, its act and the act's form are "not found".
    expect((await as.other!.get(`/api/transfers/${transfer}/acceptance`)).body.error.code).toBe('ingest.transfer_not_found');
    expect((await as.other!.get(`/api/transfers/${transfer}/acceptance/act.pdf?form=kk`)).body.error.code).toBe('ingest.transfer_not_found');
    const form = await as.other!.get(`/api/forms/acceptance-act/${act.id}?format=json`);
    expect(form.status).toBe(404);
    expect((await as.clerk!.get(`/api/forms/acceptance-act/${act.id}?format=json`)).status).toBe(200);

    // Approved by the head; the schedule row shows it accepted.
    expect((await as.head!.post(`/api/acceptance-acts/${act.id}/approve`, {})).body).toMatchObject({ status: 'approved' });
    expect((await as.clerk!.get('/api/transfer-schedules/2026')).body.rows[0]).toMatchObject({ state: 'accepted', acceptedActId: act.id });
  }, 120_000);

  it('returns the other transfer only with a reason', async () => {
    const transfer = fx.transfers[OTHER]!;
    const noReason = await as.archivist!.post(`/api/transfers/${transfer}/return`, { reason: '' });
    expect(noReason.status).toBe(400);
    const returned = await as.archivist!.post(`/api/transfers/${transfer}/return?lang=en`, { reason: 'The internal inventory is not signed' });
    expect(returned.status).toBe(200);
    expect(returned.body.decision).toMatchObject({ decision: 'returned', reason: 'The internal inventory is not signed', act: null });
    const again = await as.archivist!.post(`/api/transfers/${transfer}/accept?lang=en`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe(`Transfer ${transfer} has already been returned`);
    expect((await as.other!.get(`/api/transfers/${transfer}/acceptance`)).body.decision).toMatchObject({ decision: 'returned' });
  });
});
