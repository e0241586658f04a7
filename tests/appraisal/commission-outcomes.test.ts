// The commission's other answers, with a commission stand-in (the real one is exercised in
// acts.test.ts): an act the commission rejects goes back to draft and is submitted again as a new
// question; an adopted decision counts only with the protocol signed and only for the act's own
// agenda item; extending a retention by N years moves the earliest destruction date; a draft's
// dossiers are changed with the same checks. On PGlite and (with TEST_DATABASE_URL) PostgreSQL.
import { beforeAll, expect, it } from 'vitest';
import { createAppraisalService, type AppraisalService, type CommissionDecision, type CommissionPort } from '../../appraisal';
import { describeEachDatabase } from '../helpers/db';
import { addDossiers, addPermanentInventory, setUpOrganisation, type People } from './fixtures';

const CLOCK = new Date('2026-12-07T09:00:00Z');

describeEachDatabase('appraisal: rejected acts, unsigned protocols, extended retention', (getDb) => {
  let people: People;
  let ids: Record<string, string>;
  let service: AppraisalService;
  const proposed: { id: string; kind: string; subjectId: string }[] = [];
  const answers = new Map<string, CommissionDecision>();
  const commission: CommissionPort = {
    async proposeAgendaItem(_db, _actor, input) {
      const item = { id: `00000000-0000-4000-8000-${String(proposed.length + 1).padStart(12, '0')}`, kind: input.kind, subjectId: input.subjectId };
      proposed.push(item);
      return { id: item.id };
    },
    async decisionOn(_db, kind, subjectId) {
      return answers.get(`${kind}|${subjectId}`) ?? null;
    },
  };
  const decision = (itemId: string, outcome: 'adopted' | 'rejected', protocolSigned: boolean): CommissionDecision => ({ itemId, meetingId: 'm-1', protocolNumber: '7', protocolDate: '2026-12-05', outcome, protocolSigned });
  const appraiser = { name: 'Ә. Т. Жұмабаева', position: 'архивист' };
  const db = () => getDb().db;

  beforeAll(async () => {
    people = await setUpOrganisation(db());
    ids = await addDossiers(db(), [
      { index: '01-5', title: 'Хат алмасу', department: '01', year: 2019, retention: { kind: 'years', years: 5, article: '31' } },
      { index: '01-6', title: 'Жоспарлар', department: '01', year: 2019, retention: { kind: 'years', years: 5, article: '23' } },
      { index: '01-7', title: 'Есептер', department: '01', year: 2019, retention: { kind: 'years_epk', years: 5, article: '40' } },
    ]);
    await addPermanentInventory(db(), 2019, 1);
    service = createAppraisalService({ db: db(), commission, now: () => CLOCK });
  });

  it('sends a rejected act back to draft and submits it again as a new question; an unsigned protocol never agrees', async () => {
    const act = await service.acts.draft(people.archivist, { dossierIds: [ids['01-5/2019']!], basis: 'Тізбе', appraiser });
    // A draft's dossiers change with the same checks.
    const changed = await service.acts.update(people.archivist, act.id, { dossierIds: [ids['01-5/2019']!, ids['01-6/2019']!] });
    expect(changed.rows.map((r) => r.index)).toEqual(['01-5', '01-6']);
    await expect(service.acts.update(people.archivist, act.id, { dossierIds: [ids['01-7/2019']!] })).rejects.toMatchObject({ code: 'appraisal.dossier_needs_review', params: { index: '01-7' } });
    const first = await service.acts.submit(people.archivist, act.id);
    expect(first.agendaItemId).toBe(proposed[0]!.id);
    answers.set(`destruction_act_approval|${act.id}`, decision(first.agendaItemId!, 'rejected', true));
    const back = await service.acts.refresh(people.secretary, act.id);
    expect(back).toMatchObject({ status: 'draft', agendaItemId: null, protocol: null });
    const second = await service.acts.submit(people.archivist, act.id);
    expect(second.agendaItemId).toBe(proposed[1]!.id);
    // The old rejection is not an answer to the new question; an adoption without a signed protocol is not either.
    await expect(service.acts.refresh(people.archivist, act.id)).rejects.toMatchObject({ code: 'appraisal.act_not_decided' });
    answers.set(`destruction_act_approval|${act.id}`, decision(second.agendaItemId!, 'adopted', false));
    await expect(service.acts.refresh(people.archivist, act.id)).rejects.toMatchObject({ code: 'appraisal.act_not_decided' });
    answers.set(`destruction_act_approval|${act.id}`, decision(second.agendaItemId!, 'adopted', true));
    expect(await service.acts.refresh(people.director, act.id)).toMatchObject({ status: 'agreed', protocol: { number: '7', date: '2026-12-05' } });
    // No storage: storing renditions is refused, translated, not a crash.
    await expect(service.acts.storeRenditions(people.director, act.id)).rejects.toMatchObject({ code: 'appraisal.storage_unavailable' });
    const actions = await db().selectFrom('audit_events').select('action').where('object_id', '=', act.id).orderBy('id').execute();
    expect(actions.map((a) => a.action)).toEqual(['destruction_act.draft', 'destruction_act.update', 'destruction_act.submit', 'destruction_act.reject', 'destruction_act.submit', 'destruction_act.agree']);
  });

  it('extends a retention by N years once the commission adopts it with a signed protocol; a rejection is recorded', async () => {
    const extend = await service.decide(people.archivist, { dossierId: ids['01-7/2019']!, decision: 'extend', years: 3, reason: 'Тексеру жалғасуда' });
    expect(extend).toMatchObject({ status: 'proposed', extendYears: 3 });
    expect(proposed.at(-1)).toMatchObject({ kind: 'extend_retention', subjectId: ids['01-7/2019'] });
    answers.set(`extend_retention|${ids['01-7/2019']}`, decision(extend.agendaItemId!, 'adopted', false));
    expect(await service.applyCommissionDecisions(people.archivist)).toEqual([]);
    answers.set(`extend_retention|${ids['01-7/2019']}`, decision(extend.agendaItemId!, 'adopted', true));
    const applied = await service.applyCommissionDecisions(people.archivist);
    expect(applied).toEqual([expect.objectContaining({ outcome: 'applied', retention: { kind: 'years_epk', years: 8, article: '40' } })]);
    // 2019 + 8 + 1: no longer due by the end of 2026; due by 2028.
    expect((await service.list({ by: '2026-12-31' })).groups.flatMap((g) => g.dossiers.map((d) => d.index))).not.toContain('01-7');
    const later = (await service.list({ by: '2028-01-01' })).groups.flatMap((g) => g.dossiers).find((d) => d.index === '01-7');
    expect(later).toMatchObject({ earliestDestruction: '2028-01-01', retention: { years: 8 }, originalRetention: { years: 5 }, decision: { status: 'applied', protocol: { number: '7' } } });

    // A keep-permanently proposal the commission rejects: recorded, and the appraiser decides again.
    const keep = await service.decide(people.archivist, { dossierId: ids['01-7/2019']!, decision: 'keep_permanently', reason: 'Тарихи құнды' });
    answers.set(`move_to_permanent|${ids['01-7/2019']}`, decision(keep.agendaItemId!, 'rejected', true));
    expect(await service.applyCommissionDecisions(people.archivist)).toEqual([expect.objectContaining({ outcome: 'rejected', retention: null })]);
    expect((await service.decisionsOf(ids['01-7/2019']!)).map((d) => [d.decision, d.status])).toEqual([['keep_permanently', 'rejected'], ['extend', 'applied']]);
    expect(await service.decide(people.archivist, { dossierId: ids['01-7/2019']!, decision: 'destroy', reason: 'Комиссия тұрақты сақтауды қабылдамады' })).toMatchObject({ status: 'decided' });
    const events = await db().selectFrom('audit_events').select('action').where('object_id', '=', ids['01-7/2019']!).orderBy('id').execute();
    expect(events.map((e) => e.action)).toEqual(['appraisal.decide', 'appraisal.retention_change', 'appraisal.decide', 'appraisal.proposal_rejected', 'appraisal.decide']);
  });
});
