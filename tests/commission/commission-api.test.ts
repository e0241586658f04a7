// The commission over HTTP on both engines: the secretary plans and holds a meeting with a
// question, members vote (a reservation without its dissent is a translated 400 naming the
// field), a member cannot close voting (403 in words), the secretary closes it and drafts the
// protocol, whose stored PDF/A copies download as PDF/A-1b; the decision is readable by the
// archive, not yet in force; every answer's error is translated to the request's language.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import type { Role } from '../../accounts/roles';
import { addMember } from '../../commission';
import { validateBytes } from '../../validators/pdfa';
import { describeEachDatabase } from '../helpers/db';
import { Client, startTestServer, type TestServer } from '../server/helpers';

const PASSWORD = 'Commission-Api-Phrase-58';

describeEachDatabase('commission HTTP API', (getDb) => {
  let server: TestServer;
  const as: Record<string, Client> = {};

  beforeAll(async () => {
    const { db } = getDb();
    server = await startTestServer(db);
    const users = createUsersService({ db });
    const people: [string, Role][] = [['chair', 'commission_chair'], ['secretary', 'commission_secretary'], ['member', 'commission_member'], ['archivist', 'archivist']];
    for (const [username, role] of people) {
      await users.add(SYSTEM_ACTOR, { username, password: PASSWORD, fullName: `Тестов ${username}`, position: null, roles: [role], language: 'ru' });
      as[username] = new Client(server.url);
      expect((await as[username]!.login(username, PASSWORD)).status).toBe(200);
    }
    for (const [username, role] of [['chair', 'chair'], ['secretary', 'secretary'], ['member', 'member']] as const) {
      await addMember(db, SYSTEM_ACTOR, { user: username, role, termFrom: '2026-01-01' });
    }
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('runs a meeting from planning to the drafted protocol, with translated refusals', async () => {
    expect((await as.member!.request('POST', '/api/commission/meetings', { json: { number: '1', date: '2026-05-05', place: 'Астана' } })).status).toBe(403);
    const created = await as.secretary!.request('POST', '/api/commission/meetings', { json: { number: '1', date: '2026-05-05', place: 'Астана' } });
    expect(created.status).toBe(201);
    const meetingId = created.body.meeting.id as string;
    const bad = await as.secretary!.request('POST', `/api/commission/meetings/${meetingId}/agenda?lang=ru`, { json: { kind: 'inventory_approval', subjectId: 'inv-1' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('Поле «title» не заполнено.');
    const agenda = await as.secretary!.request('POST', `/api/commission/meetings/${meetingId}/agenda`, { json: { kind: 'inventory_approval', subjectId: 'inv-1', title: 'Опись № 3 дел постоянного хранения за 2025 год' } });
    expect(agenda.status).toBe(200);
    const itemId = agenda.body.meeting.agenda[0].id as string;
    const held = await as.secretary!.request('POST', `/api/commission/meetings/${meetingId}/hold`, { json: { present: ['chair', 'secretary', 'member'] } });
    expect(held.body.meeting.status).toBe('held');

    const noDissent = await as.member!.request('POST', `/api/commission/items/${itemId}/votes?lang=ru`, { json: { vote: 'for', reservation: true } });
    expect(noDissent.status).toBe(400);
    expect(noDissent.body.error.message).toContain('нужен текст особого мнения');
    expect((await as.member!.request('POST', `/api/commission/items/${itemId}/votes`, { json: { vote: 'against', dissent: 'Опись неполна.' } })).status).toBe(200);
    expect((await as.chair!.request('POST', `/api/commission/items/${itemId}/votes`, { json: { vote: 'for' } })).status).toBe(200);
    expect((await as.secretary!.request('POST', `/api/commission/items/${itemId}/votes`, { json: { vote: 'for' } })).status).toBe(200);
    const archivistVote = await as.archivist!.request('POST', `/api/commission/items/${itemId}/votes`, { json: { vote: 'for' } });
    expect(archivistVote.status).toBe(403);

    const memberClose = await as.member!.request('POST', `/api/commission/items/${itemId}/close?lang=ru`);
    expect(memberClose.status).toBe(403);
    expect(memberClose.body.error.code).toBe('auth.forbidden');
    expect(memberClose.body.error.message).toMatch(/^Недостаточно прав/);
    const closed = await as.secretary!.request('POST', `/api/commission/items/${itemId}/close`);
    expect(closed.body.item).toMatchObject({ outcome: 'adopted', tally: { for: 2, against: 1, abstain: 0, present: 3, inOffice: 3 } });

    const drafted = await as.secretary!.request('POST', `/api/commission/meetings/${meetingId}/protocol`, { json: {} });
    expect(drafted.status).toBe(200);
    expect(drafted.body.meeting.status).toBe('protocol_drafted');
    for (const r of drafted.body.meeting.protocol as { id: string; sha256: string }[]) {
      const res = await fetch(`${server.url}/api/commission/protocol-renditions/${r.id}`, { headers: { cookie: [...as.archivist!.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(validateBytes(Buffer.from(await res.arrayBuffer())).compliant).toBe(true);
    }
    const decision = await as.archivist!.get('/api/commission/decisions?kind=inventory_approval&subjectId=inv-1');
    expect(decision.body.decision).toMatchObject({ outcome: 'adopted', protocolSigned: false, protocolNumber: '1' });
    const meetings = await as.member!.get('/api/commission/meetings');
    expect(meetings.body.meetings[0]).toMatchObject({ id: meetingId, status: 'protocol_drafted', items: 1 });
  }, 120_000);
});
