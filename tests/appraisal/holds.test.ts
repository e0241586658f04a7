// Holds (issue 12): a legal or audit hold on a dossier, a series (case index) or a year; a held
// dossier cannot be put on a destruction act nor executed; lifting is recorded (who, when, why);
// every step audited. On PGlite and (with TEST_DATABASE_URL) PostgreSQL.
import { beforeAll, expect, it } from 'vitest';
import { createActsService, heldDossiers, liftHold, listHolds, loadActForExecution, markActExecuted, placeHold } from '../../appraisal';
import { describeEachDatabase } from '../helpers/db';
import { addDossiers, addPermanentInventory, setUpOrganisation, type People } from './fixtures';

const CLOCK = new Date('2026-12-07T09:00:00Z');

describeEachDatabase('appraisal: holds', (getDb) => {
  let people: People;
  let ids: Record<string, string>;
  const db = () => getDb().db;

  beforeAll(async () => {
    people = await setUpOrganisation(db());
    ids = await addDossiers(db(), [
      { index: '01-5', title: 'Хат алмасу', department: '01', year: 2019, retention: { kind: 'years', years: 5, article: '31' } },
      { index: '01-5', title: 'Хат алмасу', department: '01', year: 2020, retention: { kind: 'years', years: 5, article: '31' } },
      { index: '01-6', title: 'Шарттар', department: '01', year: 2020, retention: { kind: 'years', years: 3, article: '447' } },
      { index: '01-7', title: 'Есептер', department: '01', year: 2018, retention: { kind: 'years', years: 5, article: '40' } },
    ]);
    for (const year of [2018, 2019, 2020]) await addPermanentInventory(db(), year, year - 2017);
  });

  it('holds a dossier, a series and a year; names what is held and why', async () => {
    expect(await heldDossiers(db(), Object.values(ids))).toEqual(new Map());
    const single = await placeHold(db(), people.archivist, { scope: 'dossier', dossierId: ids['01-6/2020']!, kind: 'audit', reason: 'Есеп комитетінің тексеруі' });
    expect(single).toMatchObject({ scope: 'dossier', caseIndex: '01-6', kind: 'audit', placedBy: 'archivist', active: true });
    const series = await placeHold(db(), people.archivist, { scope: 'series', caseIndex: '01-5', kind: 'legal', reason: 'Сот ісі № 2-114/2026' });
    const held = await heldDossiers(db(), Object.values(ids));
    expect([...held.keys()].sort()).toEqual([ids['01-5/2019'], ids['01-5/2020'], ids['01-6/2020']].sort());
    expect(held.get(ids['01-5/2019']!)).toEqual({ reason: 'Сот ісі № 2-114/2026', holdId: series.id });
    const year = await placeHold(db(), people.archivist, { scope: 'year', year: 2018, reason: 'Аудит 2018' });
    expect((await heldDossiers(db(), [ids['01-7/2018']!])).get(ids['01-7/2018']!)?.holdId).toBe(year.id);

    // Bad input names what and where; a clerk may not place holds.
    await expect(placeHold(db(), people.archivist, { scope: 'shelf', reason: 'x' })).rejects.toMatchObject({ code: 'appraisal.hold_scope_invalid', status: 400 });
    await expect(placeHold(db(), people.archivist, { scope: 'series', caseIndex: '99-1', reason: 'x' })).rejects.toMatchObject({ code: 'appraisal.series_not_found', params: { index: '99-1' } });
    await expect(placeHold(db(), people.archivist, { scope: 'year', year: 20, reason: 'x' })).rejects.toMatchObject({ code: 'appraisal.hold_year_invalid' });
    await expect(placeHold(db(), people.archivist, { scope: 'year', year: 2019, reason: '  ' })).rejects.toMatchObject({ code: 'appraisal.reason_required', params: { field: 'reason' } });
    await expect(placeHold(db(), people.clerk, { scope: 'year', year: 2019, reason: 'x' })).rejects.toMatchObject({ code: 'appraisal.forbidden', status: 403 });

    // Lifting the year hold is recorded; lifting twice is refused.
    const lifted = await liftHold(db(), people.archivist, year.id, { reason: 'Аудит аяқталды' });
    expect(lifted).toMatchObject({ active: false, liftedBy: 'archivist', liftReason: 'Аудит аяқталды' });
    expect(lifted.liftedAt).not.toBeNull();
    await expect(liftHold(db(), people.archivist, year.id, { reason: 'again' })).rejects.toMatchObject({ code: 'appraisal.hold_lifted', status: 409 });
    expect((await heldDossiers(db(), [ids['01-7/2018']!])).size).toBe(0);
    expect((await listHolds(db(), { active: true })).map((h) => h.scope).sort()).toEqual(['dossier', 'series']);

    const audit = await db().selectFrom('audit_events').select(['action', 'object_id']).where('action', 'like', 'hold.%').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['hold.place', 'hold.place', 'hold.place', 'hold.lift']);
  });

  it('refuses a held dossier on an act, and refuses executing an act whose dossier became held', async () => {
    const acts = createActsService({ db: db(), now: () => CLOCK });
    const appraiser = { name: 'Ә. Т. Жұмабаева', position: 'архивист' };
    await expect(acts.draft(people.archivist, { dossierIds: [ids['01-5/2019']!, ids['01-7/2018']!], basis: 'Тізбе', appraiser })).rejects.toMatchObject({
      code: 'appraisal.dossier_held',
      status: 400,
      params: { index: '01-5', year: 2019, reason: 'Сот ісі № 2-114/2026' },
    });
    const act = await acts.draft(people.archivist, { dossierIds: [ids['01-7/2018']!], basis: 'Тізбе', appraiser });
    expect(act.status).toBe('draft');
    // Executing is refused before approval.
    await expect(db().transaction().execute((trx) => markActExecuted(trx, act.id, { executedBy: 'executor', executedAt: CLOCK.toISOString(), method: 'crypto-erase' }))).rejects.toMatchObject({
      code: 'appraisal.act_not_approved',
    });
    expect(await loadActForExecution(db(), act.id)).toMatchObject({ status: 'draft', authorId: people.archivist.userId, fondsNumber: '12', rows: [{ dossierId: ids['01-7/2018'], index: '01-7', heading: 'Есептер' }] });
    // Pretend the act went through the commission and the head (covered in acts.test.ts), then a hold arrives.
    await db().updateTable('destruction_acts').set({ status: 'approved' }).where('id', '=', act.id).execute();
    const hold = await placeHold(db(), people.archivist, { scope: 'year', year: 2018, reason: 'Сот ісі № 2-200/2026' });
    await expect(db().transaction().execute((trx) => markActExecuted(trx, act.id, { executedBy: 'executor', executedAt: CLOCK.toISOString(), method: 'crypto-erase' }))).rejects.toMatchObject({
      code: 'appraisal.dossier_held',
      params: { index: '01-7', reason: 'Сот ісі № 2-200/2026' },
    });
    await liftHold(db(), people.archivist, hold.id, { reason: 'Сот шешімі күшіне енді' });
    // The author never executes; another user does.
    await expect(db().transaction().execute((trx) => markActExecuted(trx, act.id, { executedBy: 'archivist', executedAt: CLOCK.toISOString(), method: 'crypto-erase' }))).rejects.toMatchObject({
      code: 'appraisal.executor_is_author',
      status: 403,
    });
    await db().transaction().execute((trx) => markActExecuted(trx, act.id, { executedBy: 'executor', executedAt: CLOCK.toISOString(), method: 'crypto-erase', certificateId: 'cert-1' }));
    const executed = await acts.get(act.id);
    expect(executed).toMatchObject({ status: 'executed', execution: { executedBy: 'executor', method: 'crypto-erase', certificateId: 'cert-1' } });
    const event = await db().selectFrom('audit_events').select(['actor_username', 'details']).where('action', '=', 'destruction_act.execute').executeTakeFirstOrThrow();
    expect(event.actor_username).toBe('executor');
    // An executed act's dossier is never drafted again.
    await expect(acts.draft(people.archivist, { dossierIds: [ids['01-7/2018']!], basis: 'Тізбе', appraiser })).rejects.toMatchObject({ code: 'appraisal.dossier_on_act' });
  });
});
