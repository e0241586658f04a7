// The loaders of App. 31 and App. 33 give the form models F's renderers print: the rendered
// PDF/A of each, in Kazakh and Russian, shows the official headings and the right totals.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../tests/helpers/db';
import { assertConsistent, renderForm } from '../../forms/render';
import { collapse, pdfText } from '../../forms/testing/pdf-text';
import { validateBytes } from '../../validators/pdfa';
import { createOrganisationService } from '../organisation.service';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createScheduleService } from '../schedules/schedules.service';
import { loadScheduleForm } from '../schedules/form';
import { createAcceptanceService } from './acceptance.service';
import { loadAcceptanceActForm } from './form';
import { createAcceptanceFixture, type AcceptanceFixture } from './testing';

describeEachDatabase('App. 31 and App. 33 form models', (getDb) => {
  let fx: AcceptanceFixture;
  beforeAll(async () => {
    fx = await createAcceptanceFixture(getDb().db);
  }, 120_000);
  afterAll(async () => fx?.close());

  it('loads the schedule and the act, which render in kk and ru with their headings and totals', async () => {
    const { db } = getDb();
    await createOrganisationService({ db }).save(SYSTEM_ACTOR, { nameKk: '«Мұрағат Үлгі» ЖШС', nameRu: 'ТОО «Мурагат Пример»', bin: '123456789012', fondsNumber: '12' });
    const schedules = createScheduleService({ db });
    const { archivist, head } = fx.actors;
    const schedule = await schedules.create(archivist, { year: 2026, number: '4', place: 'Астана' });
    await schedules.addRow(archivist, 2026, { department: '02', deadline: '2026-03-10', responsible: 'g-clerk02' });
    await schedules.approve(head, 2026);
    const transfer = await fx.transfer('02');
    const decided = await createAcceptanceService({ db }).accept(archivist, transfer, {});

    const scheduleForm = await loadScheduleForm(db, schedule.id);
    expect(scheduleForm).toMatchObject({ kind: 'schedule', year: 2026, documentNumber: '4', place: 'Астана', rows: [{ number: 1, deadline: '2026-03-10', responsible: { name: 'Әбенова Г. С.' } }] });
    expect(scheduleForm.approval?.signature.person?.name).toBe('Омаров С. Қ.');
    expect(scheduleForm.rows[0]!.note).toMatchObject({ ru: expect.stringContaining('Принято') });

    const actForm = await loadAcceptanceActForm(db, decided.act!.id);
    expect(actForm).toMatchObject({
      kind: 'acceptance-act',
      actNumber: '1',
      years: { from: 2025, to: 2025 },
      handedOverBy: 'Әбенова Г. С.',
      acceptedBy: 'Жұмабаева Ә. Т.',
      rows: [{ number: 1, index: '02-7', documents: 1, files: 2, signed: 0, unsigned: 1, retention: { kind: 'years', years: 75, article: '597' } }],
      totals: { documents: 1, files: 2, signed: 0, unsigned: 1 },
    });
    assertConsistent(actForm);
    assertConsistent(scheduleForm);

    for (const lang of ['kk', 'ru'] as const) {
      const act = await renderForm(actForm, lang, 'pdf');
      expect(validateBytes(act.bytes).compliant).toBe(true);
      const text = collapse((await pdfText(act.bytes))?.text ?? '');
      if (lang === 'ru') {
        expect(text).toContain('Индекс электронных документов');
        expect(text).toContain('Итого принято:');
        expect(text).toContain('1 (один) электронный документ');
      } else {
        expect(text).toContain('Электрондық құжаттар индексі');
        expect(text).toContain('1 (бір) электрондық құжат');
      }
      const plan = await renderForm(scheduleForm, lang, 'pdf');
      expect(validateBytes(plan.bytes).compliant).toBe(true);
      const planText = collapse((await pdfText(plan.bytes))?.text ?? '');
      expect(planText).toContain(lang === 'ru' ? 'Срок приема' : 'Қабылдау мерзімі');
    }
  }, 180_000);
});
