import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import type { Database } from '../../database/database';
import { describeEachDatabase } from '../../tests/helpers/db';
import { SYSTEM_ACTOR, listAuditEvents, verifyAuditChain, type Actor } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import type { AppError } from '../../common/errors';
import { t } from '../../common/i18n';
import { createRetentionService } from '../retention/retention.service';
import { createNomenclatureService } from './nomenclature.service';
import { createOrganisationService } from '../organisation.service';

/** The departments a test needs (the database is shared by the tests of a suite). */
async function departments(db: Kysely<Database>, codes: string[]): Promise<void> {
  const orgs = createOrganisationService({ db });
  const have = new Set((await orgs.listDepartments()).map((d) => d.code));
  for (const code of codes) if (!have.has(code)) await orgs.addDepartment(SYSTEM_ACTOR, { code, nameKk: `Бөлім ${code}`, nameRu: `Отдел ${code}` });
}

describeEachDatabase('organisation, departments and nomenclature', (getDb) => {
  it('registers the organisation once and audits changes field by field', async () => {
    const { db } = getDb();
    const orgs = createOrganisationService({ db });
    expect(await orgs.get()).toBeNull();
    const input = { nameKk: '«Тест» ЖШС', nameRu: 'ТОО «Тест»', bin: '123456789012', fondsNumber: '77' };
    await expect(orgs.save(SYSTEM_ACTOR, { ...input, bin: '12345' })).rejects.toMatchObject({ code: 'catalog.field_invalid', params: { field: 'bin', value: '12345' } });
    await expect(orgs.save(SYSTEM_ACTOR, { ...input, nameRu: '' })).rejects.toMatchObject({ code: 'catalog.field_required', params: { field: 'nameRu' } });
    const created = await orgs.save(SYSTEM_ACTOR, input);
    const updated = await orgs.save(SYSTEM_ACTOR, { ...input, fondsNumber: '78' });
    expect(updated.id).toBe(created.id);
    expect(updated.fondsNumber).toBe('78');
    const [event] = await listAuditEvents(db, { limit: 1, objectType: 'organisation' });
    expect(event).toMatchObject({ action: 'organisation.update', details: { fonds_number: { from: '77', to: '78' } } });
    expect(Object.keys(event!.details)).toEqual(['fonds_number']);
  });

  it('keeps department codes unique and lets names change', async () => {
    const { db } = getDb();
    const orgs = createOrganisationService({ db });
    await orgs.addDepartment(SYSTEM_ACTOR, { code: '01', nameKk: 'Басшылық', nameRu: 'Руководство' });
    await orgs.addDepartment(SYSTEM_ACTOR, { code: '03', nameKk: 'Бухгалтерия', nameRu: 'Бухгалтерия' });
    await expect(orgs.addDepartment(SYSTEM_ACTOR, { code: '01', nameKk: 'X', nameRu: 'X' })).rejects.toMatchObject({ code: 'department.code_taken', status: 409 });
    await expect(orgs.addDepartment(SYSTEM_ACTOR, { code: 'A1', nameKk: 'X', nameRu: 'X' })).rejects.toMatchObject({ code: 'catalog.field_invalid', params: { field: 'code' } });
    const renamed = await orgs.renameDepartment(SYSTEM_ACTOR, '03', { nameKk: 'Қаржы бөлімі', nameRu: 'Финансовый отдел' });
    expect(renamed).toMatchObject({ code: '03', nameRu: 'Финансовый отдел' });
    expect((await orgs.listDepartments()).map((d) => d.code)).toEqual(['01', '03']);
    await expect(orgs.getDepartment('09')).rejects.toMatchObject({ code: 'department.not_found', params: { department: '09' } });
  });

  it('numbers items per department, validates retention and keeps sections in order', async () => {
    const { db } = getDb();
    await departments(db, ['01', '02', '03']);
    const nomenclature = createNomenclatureService({ db });
    await nomenclature.create(SYSTEM_ACTOR, 2026);
    await expect(nomenclature.create(SYSTEM_ACTOR, 2026)).rejects.toMatchObject({ code: 'nomenclature.draft_exists' });
    await expect(nomenclature.create(SYSTEM_ACTOR, 26)).rejects.toMatchObject({ code: 'nomenclature.invalid_year', params: { year: '26' } });
    const a = await nomenclature.addItem(SYSTEM_ACTOR, 2026, { departmentCode: '03', heading: 'Есептер', retention: { kind: 'years_epk', years: 10 } });
    const b = await nomenclature.addItem(SYSTEM_ACTOR, 2026, { departmentCode: '01', heading: 'Бұйрықтар', retention: { kind: 'permanent', article: '26а' } });
    const c = await nomenclature.addItem(SYSTEM_ACTOR, 2026, { departmentCode: '03', heading: 'Хаттар', retention: { kind: 'until_needed' }, documentForm: 'paper' });
    expect([a.caseIndex, b.caseIndex, c.caseIndex]).toEqual(['03-1', '01-1', '03-2']);
    await expect(nomenclature.addItem(SYSTEM_ACTOR, 2026, { departmentCode: '03', number: 2, heading: 'Қайталау', retention: { kind: 'permanent' } })).rejects.toMatchObject({ code: 'nomenclature.index_taken', params: { caseIndex: '03-2' } });
    await expect(nomenclature.addItem(SYSTEM_ACTOR, 2026, { departmentCode: '01', heading: 'X', retention: { kind: 'years' } })).rejects.toMatchObject({ params: { field: 'retention.years', kind: 'years' } });
    await expect(nomenclature.addItem(SYSTEM_ACTOR, 2026, { departmentCode: '01', heading: 'X', retention: { kind: 'permanent', years: 5 } })).rejects.toMatchObject({ params: { field: 'retention.years' } });
    await expect(nomenclature.addItem(SYSTEM_ACTOR, 2026, { departmentCode: '01', heading: 'X', retention: { kind: 'forever' as never } })).rejects.toMatchObject({ params: { field: 'retention.kind', value: 'forever' } });
    await expect(nomenclature.addItem(SYSTEM_ACTOR, 2026, { departmentCode: '07', heading: 'X', retention: { kind: 'permanent' } })).rejects.toMatchObject({ code: 'department.not_found' });
    await expect(nomenclature.addItem(SYSTEM_ACTOR, 2026, { departmentCode: '01', heading: 'X' })).rejects.toMatchObject({ code: 'nomenclature.retention_missing' });
    // Sections in the order first used, then in the approved structure's order.
    expect((await nomenclature.get(2026)).sections.map((s) => s.departmentCode)).toEqual(['03', '01']);
    await expect(nomenclature.orderSections(SYSTEM_ACTOR, 2026, ['01'])).rejects.toMatchObject({ code: 'nomenclature.sections_mismatch' });
    const ordered = await nomenclature.orderSections(SYSTEM_ACTOR, 2026, ['01', '03']);
    expect(ordered.items.map((i) => i.caseIndex)).toEqual(['01-1', '03-1', '03-2']);
    expect(ordered.items[0]).toMatchObject({ category: 'permanent', retentionListVersion: null, documentForm: 'electronic' });
    expect(ordered.items[2]).toMatchObject({ documentForm: 'paper', category: 'up_to_10' });
    const clerk = { userId: '00000000-0000-0000-0000-000000000001', username: 'clerk', roles: ['department_clerk' as const] };
    await expect(nomenclature.addItem(clerk, 2026, { departmentCode: '01', heading: 'X', retention: { kind: 'permanent' } })).rejects.toMatchObject({ status: 403, code: 'nomenclature.forbidden' });
    expect(await nomenclature.findItem(2026, '03-1')).toMatchObject({ heading: 'Есептер', retention: { kind: 'years_epk', years: 10, article: null }, epk: true });
    expect(await nomenclature.findItem(2025, '03-1')).toBeNull();
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('checks the article against the retention list and takes the period from it', async () => {
    const { db } = getDb();
    await departments(db, ['01']);
    await createRetentionService({ db }).importList(SYSTEM_ACTOR, {
      format: 'csv',
      content: 'article,document_type_kk,document_type_ru,retention,note\n26а,Бұйрықтар,Приказы,Постоянно,\n23,Хат алмасу,Переписка,5 лет ЭПК,\n',
    });
    const nomenclature = createNomenclatureService({ db });
    await nomenclature.create(SYSTEM_ACTOR, 2030);
    const item = await nomenclature.addItem(SYSTEM_ACTOR, 2030, { departmentCode: '01', heading: 'Хат алмасу', article: '23' });
    expect(item).toMatchObject({ retention: { kind: 'years_epk', years: 5, article: '23' }, retentionListVersion: 1, epk: true });
    await expect(nomenclature.addItem(SYSTEM_ACTOR, 2030, { departmentCode: '01', heading: 'X', article: '999' })).rejects.toMatchObject({
      code: 'nomenclature.article_unknown',
      params: { article: '999', version: 1 },
    });
    await expect(nomenclature.addItem(SYSTEM_ACTOR, 2030, { departmentCode: '01', heading: 'X', retention: { kind: 'years', years: 3, article: '26а' } })).rejects.toMatchObject({
      code: 'nomenclature.retention_differs',
      params: { article: '26а', given: '3', listed: 'permanent' },
    });
  });

  it('walks the approval chain in order, refuses steps out of order and freezes the approved nomenclature', async () => {
    const { db } = getDb();
    await departments(db, ['01', '02']);
    const users = createUsersService({ db });
    const actors: Record<string, Actor> = {};
    for (const [username, role] of [['records', 'records_head'], ['secretary', 'commission_secretary'], ['director', 'organisation_head'], ['archivist', 'archivist']] as const) {
      const u = await users.add(SYSTEM_ACTOR, { username, password: `${username}-Kilt-Sparrow-94`, fullName: `Тестов ${username}`, position: `Лауазым ${username}`, roles: [role] });
      actors[username] = { userId: u.id, username, roles: [role] };
    }
    const nomenclature = createNomenclatureService({ db, now: () => new Date('2035-12-28T10:00:00Z') });
    await nomenclature.create(actors.archivist!, 2036);
    await expect(nomenclature.recordStep(actors.records!, 2036, { step: 'records_head' })).rejects.toMatchObject({ code: 'nomenclature.empty' });
    await nomenclature.addItem(actors.archivist!, 2036, { departmentCode: '01', heading: 'Бұйрықтар', retention: { kind: 'permanent' } });
    await nomenclature.addItem(actors.records!, 2036, { departmentCode: '02', heading: 'Жеке істер', retention: { kind: 'years', years: 75 } });

    // Out of order: the message names the step that must come first.
    const early = await nomenclature.recordStep(actors.director!, 2036, { step: 'organisation_head' }).catch((e: unknown) => e);
    expect(early).toMatchObject({ status: 409, code: 'nomenclature.step_out_of_order', params: { step: 'organisation_head', missing: 'records_head' } });
    expect(t('en', (early as AppError).messageKey, (early as AppError).params)).toContain('signed by the head of the records service');
    expect(t('ru', (early as AppError).messageKey, (early as AppError).params)).toContain('руководителем службы ДОУ');
    // The wrong role for the step.
    await expect(nomenclature.recordStep(actors.secretary!, 2036, { step: 'records_head' })).rejects.toMatchObject({ status: 403, code: 'nomenclature.forbidden' });

    const signed = await nomenclature.recordStep(actors.records!, 2036, { step: 'records_head' });
    expect(signed).toMatchObject({ status: 'draft', nextStep: 'expert_commission', approvals: [{ step: 'records_head', name: 'Тестов records', position: 'Лауазым records', date: '2035-12-28' }] });
    // A signed draft is no longer edited.
    await expect(nomenclature.addItem(actors.archivist!, 2036, { departmentCode: '01', heading: 'X', retention: { kind: 'permanent' } })).rejects.toMatchObject({ code: 'nomenclature.draft_in_approval' });
    await expect(nomenclature.recordStep(actors.secretary!, 2036, { step: 'expert_commission', date: '2035-12-20' })).rejects.toMatchObject({ params: { field: 'protocolNumber' } });
    await expect(nomenclature.recordStep(actors.secretary!, 2036, { step: 'state_review', protocolNumber: '3', date: '2035-12-28' })).rejects.toMatchObject({
      code: 'nomenclature.step_out_of_order',
      params: { missing: 'expert_commission' },
    });
    await expect(nomenclature.recordStep(actors.secretary!, 2036, { step: 'expert_commission', protocolNumber: '5', date: '2035-11-01' })).rejects.toMatchObject({ code: 'nomenclature.date_before_previous' });
    await expect(nomenclature.recordStep(actors.secretary!, 2036, { step: 'expert_commission', protocolNumber: '5', date: '2036-01-02' })).rejects.toMatchObject({ code: 'nomenclature.date_future' });
    await nomenclature.recordStep(actors.secretary!, 2036, { step: 'expert_commission', protocolNumber: '5', date: '2035-12-28' });
    await expect(nomenclature.recordStep(actors.secretary!, 2036, { step: 'expert_commission', protocolNumber: '5', date: '2035-12-28' })).rejects.toMatchObject({ code: 'nomenclature.step_done' });
    const before = await nomenclature.recordStep(actors.director!, 2036, { step: 'organisation_head' }).catch((e: unknown) => e);
    expect(before).toMatchObject({ code: 'nomenclature.step_out_of_order', params: { missing: 'state_review' } });
    expect(t('kk', (before as AppError).messageKey, (before as AppError).params)).toContain('СТК');
    await nomenclature.recordStep(actors.secretary!, 2036, { step: 'state_review', protocolNumber: '12', date: '2035-12-28' });
    const approved = await nomenclature.recordStep(actors.director!, 2036, { step: 'organisation_head' });
    expect(approved).toMatchObject({ status: 'approved', inForceFrom: '2036-01-01', nextStep: null, revision: 1 });
    expect(approved.approvals.map((a) => a.step)).toEqual(['records_head', 'expert_commission', 'state_review', 'organisation_head']);

    // Immutable: neither the service nor SQL changes it; a change is a new draft (revision 2).
    await expect(nomenclature.addItem(actors.archivist!, 2036, { departmentCode: '01', heading: 'X', retention: { kind: 'permanent' } })).rejects.toMatchObject({ code: 'nomenclature.approved' });
    await expect(nomenclature.recordStep(actors.director!, 2036, { step: 'organisation_head' })).rejects.toMatchObject({ code: 'nomenclature.approved' });
    await expect(db.updateTable('nomenclature_items').set({ heading: 'Changed' }).where('nomenclature_id', '=', approved.id).execute()).rejects.toThrow(/not changed/);
    await expect(db.deleteFrom('nomenclature_items').where('nomenclature_id', '=', approved.id).execute()).rejects.toThrow(/not changed/);
    await expect(db.updateTable('nomenclature').set({ epk_required: false }).where('id', '=', approved.id).execute()).rejects.toThrow(/not changed/);
    const revision = await nomenclature.revise(actors.archivist!, 2036);
    expect(revision).toMatchObject({ status: 'draft', revision: 2, basedOn: approved.id, itemCount: 2 });
    // Until the revision is approved, the one in force stays the year's.
    expect((await nomenclature.get(2036)).id).toBe(approved.id);
    await nomenclature.setEpkRequired(actors.archivist!, 2036, false);
    await nomenclature.addItem(actors.archivist!, 2036, { departmentCode: '02', heading: 'Еңбек шарттары', retention: { kind: 'years', years: 75 } });
    await nomenclature.recordStep(actors.records!, 2036, { step: 'records_head', date: '2035-12-28' });
    await expect(nomenclature.recordStep(actors.secretary!, 2036, { step: 'state_review', protocolNumber: '1', date: '2035-12-28' })).rejects.toMatchObject({ code: 'nomenclature.step_not_required' });
    const back = await nomenclature.returnToDraft(actors.secretary!, 2036, 'Тақырыпты нақтылау керек');
    expect(back.approvals).toEqual([]);
    await nomenclature.recordStep(actors.records!, 2036, { step: 'records_head', date: '2035-12-28' });
    await nomenclature.recordStep(actors.secretary!, 2036, { step: 'expert_commission', protocolNumber: '6', date: '2035-12-28' });
    const second = await nomenclature.recordStep(actors.director!, 2036, { step: 'organisation_head', date: '2035-12-28' });
    expect(second).toMatchObject({ status: 'approved', revision: 2, itemCount: 3, inForceFrom: '2036-01-01' });
    expect((await nomenclature.list()).filter((n) => n.year === 2036).map((n) => [n.revision, n.status])).toEqual([[2, 'approved'], [1, 'superseded']]);
    expect((await nomenclature.get(2036)).id).toBe(second.id);

    const actions = (await listAuditEvents(db, { limit: 100, objectType: 'nomenclature' })).map((e) => e.action);
    for (const action of ['nomenclature.create', 'nomenclature.sign', 'nomenclature.agree_commission', 'nomenclature.agree_state_review', 'nomenclature.approve', 'nomenclature.revise', 'nomenclature.supersede', 'nomenclature.return', 'nomenclature.settings']) {
      expect(actions).toContain(action);
    }
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('copies last year into a draft with carried-over cases and counts the year-end summary', async () => {
    const { db } = getDb();
    await departments(db, ['01', '02']);
    const nomenclature = createNomenclatureService({ db, now: () => new Date('2041-01-20T10:00:00Z') });
    await nomenclature.create(SYSTEM_ACTOR, 2040, { epkRequired: false });
    await nomenclature.addItem(SYSTEM_ACTOR, 2040, { departmentCode: '02', heading: 'Жеке құрам бойынша бұйрықтар', retention: { kind: 'years', years: 75 } });
    await nomenclature.addItem(SYSTEM_ACTOR, 2040, { departmentCode: '02', heading: 'Жеке істер', retention: { kind: 'years', years: 75 } });
    await nomenclature.addItem(SYSTEM_ACTOR, 2040, { departmentCode: '01', heading: 'Бұйрықтар', retention: { kind: 'permanent' } });
    await nomenclature.addItem(SYSTEM_ACTOR, 2040, { departmentCode: '01', heading: 'Хат алмасу', retention: { kind: 'years_epk', years: 5 } });
    await nomenclature.addItem(SYSTEM_ACTOR, 2040, { departmentCode: '01', heading: 'Есептер', retention: { kind: 'years', years: 15 } });
    for (const step of ['records_head', 'expert_commission', 'organisation_head'] as const) {
      await nomenclature.recordStep(SYSTEM_ACTOR, 2040, { step, protocolNumber: step === 'expert_commission' ? '2' : null, date: '2039-12-20', name: 'Оператор' });
    }
    await expect(nomenclature.copyToNextYear(SYSTEM_ACTOR, 2040, { carriedOver: ['09-9'] })).rejects.toMatchObject({ code: 'nomenclature.carried_unknown', params: { indexes: '09-9' } });
    const draft = await nomenclature.copyToNextYear(SYSTEM_ACTOR, 2040, { carriedOver: ['02-2'] });
    expect(draft).toMatchObject({ year: 2041, status: 'draft', revision: 1, epkRequired: false, itemCount: 5 });
    expect(draft.sections.map((s) => s.departmentCode)).toEqual(['02', '01']);
    expect(draft.items.map((i) => [i.caseIndex, i.carriedOver, i.carriedFromYear])).toEqual([
      ['02-1', false, null],
      ['02-2', true, 2040],
      ['01-1', false, null],
      ['01-2', false, null],
      ['01-3', false, null],
    ]);
    await expect(nomenclature.copyToNextYear(SYSTEM_ACTOR, 2040)).rejects.toMatchObject({ code: 'nomenclature.exists' });

    // Year-end: column 3 entered for some cases (the others count as none).
    const summary = await nomenclature.recordCounts(SYSTEM_ACTOR, 2040, { '02-1': 1, '02-2': 14, '01-1': 2, '01-2': 3 });
    expect(summary).toMatchObject({
      year: 2040,
      permanent: { total: 2, carriedOver: 0, withEpkMark: 0 },
      over10: { total: 15, carriedOver: 0, withEpkMark: 0 },
      upTo10: { total: 3, carriedOver: 0, withEpkMark: 3 },
      personnel: { total: 15 },
      totals: { total: 20, carriedOver: 0, withEpkMark: 3 },
      itemsWithoutCount: ['01-3'],
    });
    const next = await nomenclature.recordCounts(SYSTEM_ACTOR, 2041, { '02-2': 12 });
    expect(next.over10).toEqual({ total: 12, carriedOver: 12, withEpkMark: 0 });
    await expect(nomenclature.recordCounts(SYSTEM_ACTOR, 2040, { '05-1': 1 })).rejects.toMatchObject({ code: 'nomenclature.item_not_found' });
    await expect(nomenclature.recordCounts(SYSTEM_ACTOR, 2040, { '01-1': -1 })).rejects.toMatchObject({ code: 'catalog.field_invalid' });
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});
