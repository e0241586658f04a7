import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../tests/helpers/db';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createOrganisationService } from '../organisation.service';
import { initialsAndSurname, loadNomenclatureForm } from './form';
import { createNomenclatureService } from './nomenclature.service';

describeEachDatabase('App. 26 form model', (getDb) => {
  it('gives sections, columns 1–5, the signatures and protocols, and the year-end record once the year is over', async () => {
    const { db } = getDb();
    const orgs = createOrganisationService({ db });
    await orgs.save(SYSTEM_ACTOR, { nameKk: '«Тест» ЖШС', nameRu: 'ТОО «Тест»', bin: '123456789012', fondsNumber: '77' });
    await orgs.addDepartment(SYSTEM_ACTOR, { code: '01', nameKk: 'Басшылық', nameRu: 'Руководство' });
    await orgs.addDepartment(SYSTEM_ACTOR, { code: '02', nameKk: 'Кадр бөлімі', nameRu: 'Отдел кадров' });
    const during = () => new Date('2025-06-01T00:00:00Z');
    const service = createNomenclatureService({ db, now: during });
    const draft = await service.create(SYSTEM_ACTOR, 2025);
    await service.addItem(SYSTEM_ACTOR, 2025, { departmentCode: '01', heading: 'Бұйрықтар', headingRu: 'Приказы', retention: { kind: 'permanent', article: '26а' } });
    await service.addItem(SYSTEM_ACTOR, 2025, { departmentCode: '01', heading: 'Хат алмасу', retention: { kind: 'years_epk', years: 5, article: '23' }, medium: 'ЭА АЖ сервері' });
    await service.addItem(SYSTEM_ACTOR, 2025, { departmentCode: '02', heading: 'Жеке істер', retention: { kind: 'years', years: 75 }, carriedOver: true, documentForm: 'paper' });
    await service.recordStep(SYSTEM_ACTOR, 2025, { step: 'records_head', date: '2024-12-01', name: 'Нұрланова Салтанат Ерболқызы', position: 'БҚҚ қызметінің басшысы' });
    await service.recordStep(SYSTEM_ACTOR, 2025, { step: 'expert_commission', protocolNumber: '7', date: '2024-12-05' });
    await service.recordStep(SYSTEM_ACTOR, 2025, { step: 'state_review', protocolNumber: '12', date: '2024-12-12' });
    await service.recordStep(SYSTEM_ACTOR, 2025, { step: 'organisation_head', date: '2024-12-20', name: 'Серікбаев Арман Болатұлы', position: 'Басшы' });

    const form = await loadNomenclatureForm(db, draft.id, { now: during });
    expect(form).toMatchObject({
      kind: 'nomenclature',
      year: 2025,
      organisation: { name: { kk: '«Тест» ЖШС', ru: 'ТОО «Тест»' }, fondsNumber: '77' },
      approval: { signature: { person: { name: 'А. Б. Серікбаев', position: 'Басшы' }, date: '2024-12-20', signed: true } },
      recordsHead: { person: { name: 'С. Е. Нұрланова' }, signed: true },
      expertCommission: { number: '7', date: '2024-12-05' },
      stateReviewCommission: { number: '12', date: '2024-12-12' },
      summary: null,
    });
    expect(form.rows.map((r) => [r.section, r.index])).toEqual([
      [{ kk: '01 Басшылық', ru: '01 Руководство' }, '01-1'],
      [null, '01-2'],
      [{ kk: '02 Кадр бөлімі', ru: '02 Отдел кадров' }, '02-1'],
    ]);
    expect(form.rows[0]!.heading).toEqual({ kk: 'Бұйрықтар', ru: 'Приказы' });
    expect(form.rows[1]!.note).toEqual({ kk: 'СТК; Электрондық, тасығыш: ЭА АЖ сервері', ru: 'ЭПК; Электронное, носитель: ЭА АЖ сервері' });
    expect(form.rows[2]!.note).toEqual({ kk: '2024 жылдан өтпелі; Қағаз', ru: 'Переходящее с 2024 г.; Бумажное' });
    expect(form.rows[2]!.retention).toEqual({ kind: 'years', years: 75, article: null });

    await service.recordCounts(SYSTEM_ACTOR, 2025, { '01-1': 2, '01-2': 4, '02-1': 30 });
    const after = await loadNomenclatureForm(db, draft.id, { now: () => new Date('2026-01-10T00:00:00Z') });
    expect(after.summary).toMatchObject({ year: 2025, permanent: { total: 2 }, over10: { total: 30, carriedOver: 30 }, upTo10: { total: 4, withEpkMark: 4 }, totals: { total: 36, carriedOver: 30, withEpkMark: 4 } });
    expect(after.rows.map((r) => r.dossierCount)).toEqual([2, 4, 30]);
    await expect(loadNomenclatureForm(db, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'nomenclature.not_found' });
  });

  it('prints initials before the surname', () => {
    expect(initialsAndSurname('Сейітова Динара Маратқызы')).toBe('Д. М. Сейітова');
    expect(initialsAndSurname('Оразбаев Б.С.')).toBe('Оразбаев Б.С.');
  });
});
