// The expert commission's rules on both engines: members and terms, one vote per member,
// quorum (adopted, rejected, no quorum), a reservation with its dissent (p.48), the decision
// other domains read (`decisionOn`), and an audit event for every change.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../audit/audit.service';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import {
  addAgendaItem,
  addMember,
  castVote,
  closeVoting,
  createMeeting,
  decisionOn,
  getMeeting,
  holdMeeting,
  listProposals,
  outcomeOf,
  proposeAgendaItem,
  putOnAgenda,
  setMemberTermEnd,
  updateSettings,
} from '../../commission';
import { describeEachDatabase } from '../helpers/db';
import { addTestUser } from './helpers';

describe('outcomeOf (quorum rule)', () => {
  it('needs strictly more than the quorum share present, then a majority of those present', () => {
    expect(outcomeOf({ inOffice: 5, present: 3, for: 2, quorumPercent: 50 })).toBe('adopted');
    expect(outcomeOf({ inOffice: 4, present: 2, for: 2, quorumPercent: 50 })).toBe('no_quorum');
    expect(outcomeOf({ inOffice: 5, present: 4, for: 2, quorumPercent: 50 })).toBe('rejected');
    expect(outcomeOf({ inOffice: 3, present: 2, for: 2, quorumPercent: 66 })).toBe('adopted');
    expect(outcomeOf({ inOffice: 3, present: 2, for: 2, quorumPercent: 67 })).toBe('no_quorum');
    expect(outcomeOf({ inOffice: 0, present: 0, for: 0, quorumPercent: 0 })).toBe('no_quorum');
  });
});

describeEachDatabase('commission: members, votes, quorum, dissent, decisions', (getDb) => {
  const who: Record<string, Actor> = {};
  const member: Record<string, string> = {};

  beforeAll(async () => {
    const { db } = getDb();
    who.chair = await addTestUser(db, 'chair1', 'Жумабаев Ерлан', ['commission_chair']);
    who.secretary = await addTestUser(db, 'secretary1', 'Ахметова Айгуль', ['commission_secretary']);
    who.m1 = await addTestUser(db, 'member1', 'Ким Ольга', ['commission_member']);
    who.m2 = await addTestUser(db, 'member2', 'Бекова Сауле', ['commission_member']);
    who.m3 = await addTestUser(db, 'member3', 'Иванов Пётр', ['commission_member']);
    who.clerk = await addTestUser(db, 'clerk1', 'Сериков Арман', ['department_clerk']);
    for (const [key, role] of [['chair', 'chair'], ['secretary', 'secretary'], ['m1', 'member'], ['m2', 'member']] as const) {
      member[key] = (await addMember(db, SYSTEM_ACTOR, { user: who[key]!.username, role, termFrom: '2026-01-01', termTo: '2028-12-31' })).id;
    }
    // member3's term ends before the meetings below.
    member.m3 = (await addMember(db, SYSTEM_ACTOR, { user: who.m3!.username, role: 'member', termFrom: '2025-01-01', termTo: '2026-02-28' })).id;
  });

  it('refuses a user without the commission account role, overlapping terms and a second chair', async () => {
    const { db } = getDb();
    await expect(addMember(db, SYSTEM_ACTOR, { user: 'clerk1', role: 'member', termFrom: '2026-01-01' })).rejects.toMatchObject({ code: 'commission.user_lacks_role' });
    await expect(addMember(db, SYSTEM_ACTOR, { user: 'member1', role: 'member', termFrom: '2027-01-01' })).rejects.toMatchObject({ code: 'commission.term_overlaps' });
    const other = await addTestUser(db, 'chair2', 'Абаев Нурлан', ['commission_chair']);
    await expect(addMember(db, SYSTEM_ACTOR, { user: other.username, role: 'chair', termFrom: '2027-06-01' })).rejects.toMatchObject({ code: 'commission.role_taken' });
    await expect(addMember(db, SYSTEM_ACTOR, { user: 'member1', role: 'member', termFrom: '2026-13-01' })).rejects.toMatchObject({ code: 'commission.invalid_date', params: { field: 'termFrom' } });
    await expect(addMember(db, who.m1!, { user: 'member1', role: 'member', termFrom: '2030-01-01' })).rejects.toMatchObject({ code: 'commission.members_forbidden' });
    // After the chair's term is cut short, the second chair fits.
    await setMemberTermEnd(db, SYSTEM_ACTOR, member.chair!, '2027-05-31');
    const second = await addMember(db, SYSTEM_ACTOR, { user: other.username, role: 'chair', termFrom: '2027-06-01' });
    expect(second).toMatchObject({ role: 'chair', termFrom: '2027-06-01', termTo: null });
  });

  it('votes once per present member in office; reservation needs a dissent; outcomes adopted, rejected and no quorum', async () => {
    const { db } = getDb();
    // Another domain proposes; proposing again returns the same open question.
    const proposed = await proposeAgendaItem(db, who.clerk!, { kind: 'destruction_act_approval', subjectId: 'act-1', title: 'Акт № 1 о выделении к уничтожению', details: { dossiers: 3 } });
    expect((await proposeAgendaItem(db, who.clerk!, { kind: 'destruction_act_approval', subjectId: 'act-1', title: 'again' })).id).toBe(proposed.id);
    expect((await listProposals(db)).map((p) => p.id)).toContain(proposed.id);
    await expect(proposeAgendaItem(db, who.clerk!, { kind: 'bogus' as never, subjectId: 'x', title: 'x' })).rejects.toMatchObject({ code: 'commission.invalid_kind' });

    await expect(createMeeting(db, who.m1!, { number: '1', date: '2026-03-10', place: 'Астана' })).rejects.toMatchObject({ code: 'commission.secretary_only' });
    const meeting = await createMeeting(db, who.secretary!, { number: '1', date: '2026-03-10', place: 'Астана, зал 2' });
    await expect(createMeeting(db, who.secretary!, { number: '1', date: '2026-05-10', place: 'Астана' })).rejects.toMatchObject({ code: 'commission.meeting_number_taken' });
    // member3's term ended: not in office on the meeting date.
    expect(meeting.inOffice.map((m) => m.username).sort()).toEqual(['chair1', 'member1', 'member2', 'secretary1']);
    await putOnAgenda(db, who.secretary!, meeting.id, proposed.id);
    await addAgendaItem(db, who.secretary!, meeting.id, { kind: 'move_to_permanent', subjectId: 'dossier-7', title: 'Дело 01-07 в постоянное хранение' });
    const withAgenda = await getMeeting(db, meeting.id);
    expect(withAgenda.agenda.map((i) => [i.position, i.kind])).toEqual([[1, 'destruction_act_approval'], [2, 'move_to_permanent']]);
    const [actItem, moveItem] = withAgenda.agenda;

    // Voting opens only when the meeting is held.
    await expect(castVote(db, who.chair!, actItem!.id, { vote: 'for' })).rejects.toMatchObject({ code: 'commission.voting_not_open' });
    await expect(holdMeeting(db, who.secretary!, meeting.id, { present: ['member3'] })).rejects.toMatchObject({ code: 'commission.not_in_office' });
    await holdMeeting(db, who.secretary!, meeting.id, { present: ['chair1', 'secretary1', 'member1'] });

    await castVote(db, who.chair!, actItem!.id, { vote: 'for' });
    await expect(castVote(db, who.chair!, actItem!.id, { vote: 'against' })).rejects.toMatchObject({ code: 'commission.already_voted' });
    await expect(castVote(db, who.m2!, actItem!.id, { vote: 'for' })).rejects.toMatchObject({ code: 'commission.not_present' });
    await expect(castVote(db, who.m3!, actItem!.id, { vote: 'for' })).rejects.toMatchObject({ code: 'commission.not_a_member' });
    await expect(castVote(db, who.m1!, actItem!.id, { vote: 'for', reservation: true })).rejects.toMatchObject({ code: 'commission.dissent_required' });
    await castVote(db, who.m1!, actItem!.id, { vote: 'for', reservation: true, dissent: 'Дело 01-05 следует проверить повторно.' });
    await castVote(db, who.secretary!, actItem!.id, { vote: 'abstain' });
    await expect(closeVoting(db, who.m1!, actItem!.id)).rejects.toMatchObject({ code: 'commission.secretary_only' });
    const act = await closeVoting(db, who.secretary!, actItem!.id);
    expect(act.outcome).toBe('adopted');
    expect(act.tally).toEqual({ for: 2, against: 0, abstain: 1, present: 3, inOffice: 4 });
    expect(act.votes.find((v) => v.username === 'member1')).toMatchObject({ reservation: true, dissent: 'Дело 01-05 следует проверить повторно.' });
    await expect(castVote(db, who.m2!, actItem!.id, { vote: 'for' })).rejects.toMatchObject({ code: 'commission.voting_closed' });

    await castVote(db, who.chair!, moveItem!.id, { vote: 'for' });
    await castVote(db, who.m1!, moveItem!.id, { vote: 'against', dissent: 'Дело не имеет исторической ценности.' });
    const move = await closeVoting(db, who.secretary!, moveItem!.id);
    expect(move.outcome).toBe('rejected');

    // Decided, but not yet effective: the protocol is not signed.
    expect(await decisionOn(db, 'destruction_act_approval', 'act-1')).toMatchObject({ itemId: actItem!.id, meetingId: meeting.id, outcome: 'adopted', protocolSigned: false, protocolNumber: '1', protocolDate: '2026-03-10' });
    expect(await decisionOn(db, 'move_to_permanent', 'dossier-7')).toMatchObject({ outcome: 'rejected' });
    expect(await decisionOn(db, 'extend_retention', 'dossier-7')).toBeNull();
  });

  it('no quorum with the quorum raised; the question stays undecided and may be proposed again', async () => {
    const { db } = getDb();
    await expect(updateSettings(db, who.m1!, { quorumPercent: 60 })).rejects.toMatchObject({ code: 'commission.settings_forbidden' });
    await expect(updateSettings(db, SYSTEM_ACTOR, { quorumPercent: 100 })).rejects.toMatchObject({ code: 'commission.invalid_quorum' });
    await updateSettings(db, SYSTEM_ACTOR, { quorumPercent: 75 });
    const meeting = await createMeeting(db, who.secretary!, { number: '2', date: '2026-04-01', place: 'Астана' });
    await addAgendaItem(db, who.secretary!, meeting.id, { kind: 'extend_retention', subjectId: 'dossier-9', title: 'Продление срока хранения дела 01-09' });
    const held = await holdMeeting(db, who.secretary!, meeting.id, { present: [member.chair!, member.secretary!, member.m1!] });
    const item = held.agenda[0]!;
    for (const actor of [who.chair!, who.secretary!, who.m1!]) await castVote(db, actor, item.id, { vote: 'for' });
    const closed = await closeVoting(db, who.secretary!, item.id);
    expect(closed.outcome).toBe('no_quorum');
    expect(await decisionOn(db, 'extend_retention', 'dossier-9')).toBeNull();
    const again = await proposeAgendaItem(db, who.clerk!, { kind: 'extend_retention', subjectId: 'dossier-9', title: 'Продление срока хранения дела 01-09' });
    expect(again.id).not.toBe(item.id);
    await updateSettings(db, SYSTEM_ACTOR, { quorumPercent: 50 });

    const actions = (await db.selectFrom('audit_events').select('action').execute()).map((r) => r.action);
    for (const action of ['commission.member_add', 'commission.member_term', 'commission.settings_update', 'commission.meeting_create', 'commission.item_propose', 'commission.item_schedule', 'commission.meeting_hold', 'commission.vote', 'commission.voting_close']) {
      expect(actions).toContain(action);
    }
  });
});
