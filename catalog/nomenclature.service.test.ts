import { expect, it } from 'vitest';
import { describeEachDatabase } from '../tests/helpers/db';
import { SYSTEM_ACTOR, listAuditEvents, verifyAuditChain } from '../audit/audit.service';
import { createNomenclatureService } from './nomenclature.service';
import { createOrganisationService } from './organisation.service';

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

  it('numbers items per department, validates retention and freezes on approval', async () => {
    const { db } = getDb();
    const nomenclature = createNomenclatureService({ db });
    await nomenclature.create(SYSTEM_ACTOR, 2026);
    await expect(nomenclature.create(SYSTEM_ACTOR, 2026)).rejects.toMatchObject({ code: 'nomenclature.exists' });
    await expect(nomenclature.create(SYSTEM_ACTOR, 26)).rejects.toMatchObject({ code: 'nomenclature.invalid_year', params: { year: '26' } });
    const a = await nomenclature.addItem(SYSTEM_ACTOR, 2026, { departmentCode: '01', heading: 'Бұйрықтар', retention: { kind: 'permanent', article: '26а' } });
    const b = await nomenclature.addItem(SYSTEM_ACTOR, 2026, { departmentCode: '03', heading: 'Есептер', retention: { kind: 'years_epk', years: 10 } });
    const c = await nomenclature.addItem(SYSTEM_ACTOR, 2026, { departmentCode: '01', heading: 'Хаттар', retention: { kind: 'until_needed' } });
    expect([a.caseIndex, b.caseIndex, c.caseIndex]).toEqual(['01-1', '03-1', '01-2']);
    expect([a.position, b.position, c.position]).toEqual([1, 2, 3]);
    await expect(nomenclature.addItem(SYSTEM_ACTOR, 2026, { departmentCode: '01', number: 2, heading: 'Қайталау', retention: { kind: 'permanent' } })).rejects.toMatchObject({ code: 'nomenclature.index_taken', params: { caseIndex: '01-2' } });
    await expect(nomenclature.addItem(SYSTEM_ACTOR, 2026, { departmentCode: '01', heading: 'X', retention: { kind: 'years' } })).rejects.toMatchObject({ params: { field: 'retention.years', kind: 'years' } });
    await expect(nomenclature.addItem(SYSTEM_ACTOR, 2026, { departmentCode: '01', heading: 'X', retention: { kind: 'permanent', years: 5 } })).rejects.toMatchObject({ params: { field: 'retention.years' } });
    await expect(nomenclature.addItem(SYSTEM_ACTOR, 2026, { departmentCode: '01', heading: 'X', retention: { kind: 'forever' as never } })).rejects.toMatchObject({ params: { field: 'retention.kind', value: 'forever' } });
    await expect(nomenclature.addItem(SYSTEM_ACTOR, 2026, { departmentCode: '07', heading: 'X', retention: { kind: 'permanent' } })).rejects.toMatchObject({ code: 'department.not_found' });
    const clerk = { userId: '00000000-0000-0000-0000-000000000001', username: 'clerk', roles: ['department_clerk' as const] };
    await expect(nomenclature.approve(clerk, 2026, { body: 'ek', protocolNumber: '1', date: '2026-01-10', by: null })).rejects.toMatchObject({ status: 403 });
    const approved = await nomenclature.approve(SYSTEM_ACTOR, 2026, { body: 'ek', protocolNumber: '1', date: '2026-01-10', by: 'Оразбаев Б.С.' });
    expect(approved).toMatchObject({ status: 'approved', approvals: [{ body: 'ek', protocolNumber: '1' }] });
    expect(approved.items).toHaveLength(3);
    await expect(nomenclature.addItem(SYSTEM_ACTOR, 2026, { departmentCode: '01', heading: 'Кеш', retention: { kind: 'permanent' } })).rejects.toMatchObject({ code: 'nomenclature.approved' });
    expect(await nomenclature.findItem(2026, '03-1')).toMatchObject({ heading: 'Есептер', retention: { kind: 'years_epk', years: 10, article: null } });
    expect(await nomenclature.findItem(2025, '03-1')).toBeNull();
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});
