// The appraisal list as one SQL query, paged and grouped (appraisal/appraisal.ts), on PGlite and
// PostgreSQL: it lists exactly the dossiers the retention arithmetic of catalog/retention says are
// due (computed here in TypeScript from every dossier, as the list did before it became SQL) —
// the retention in force after a commission's change, a carried-over dossier's later closing
// year, ДМН, an unreadable period, a dossier of another fonds; groups come in the same order
// with the same counts; the pages, read one after another, give the whole list in order, a group
// cut by a page boundary says it continues; a page past the end is empty; bad paging is refused
// with a translated error naming the field, over HTTP too (tests/appraisal/api.test.ts).
import { beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { appraisalList, loadAppraisalDossiers, type AppraisalDossier, type AppraisalEntry, type AppraisalList } from '../../appraisal';
import { describeEachDatabase } from '../helpers/db';
import { addDossiers, setUpOrganisation } from './fixtures';

const BY = '2026-12-31';

/** The list's selection and order, from every dossier in memory (the pre-SQL algorithm). */
function expectedDue(all: AppraisalDossier[], by: string): AppraisalDossier[] {
  const due = all.filter((d) => {
    const a = d.assessment;
    return !!a && ((a.destruction.kind === 'from' && a.destruction.date <= by) || a.destruction.kind === 'when_no_longer_needed');
  });
  const cmp = <T extends string | number>(a: T | null, b: T | null) =>
    a === b ? 0 : a === null ? 1 : b === null ? -1 : typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b), 'en', { numeric: true });
  return due.sort(
    (a, b) =>
      cmp(a.fonds, b.fonds) ||
      cmp(a.year, b.year) ||
      cmp(a.department, b.department) ||
      cmp(a.retention.article ?? null, b.retention.article ?? null) ||
      a.index.localeCompare(b.index, 'en', { numeric: true }),
  );
}

const entriesOf = (list: AppraisalList): AppraisalEntry[] => list.groups.flatMap((g) => g.dossiers);

describeEachDatabase('appraisal list in SQL: selection, groups and pages', (getDb) => {
  const db = () => getDb().db;
  let ids: Record<string, string>;

  beforeAll(async () => {
    await setUpOrganisation(db());
    ids = await addDossiers(db(), [
      { index: '01-01', title: 'Бұйрықтар', department: '01', year: 2018, retention: { kind: 'permanent', article: '26а' } },
      { index: '01-02', title: 'Хаттар', department: '01', year: 2018, retention: { kind: 'years', years: 5, article: '31' } },
      { index: '01-03', title: 'Хаттар', department: '01', year: 2019, retention: { kind: 'years', years: 5, article: '31' } },
      { index: '01-04', title: 'Жоспарлар', department: '01', year: 2019, retention: { kind: 'years_epk', years: 5, article: '23' } },
      { index: '01-05', title: 'Есептер', department: '01', year: 2019, retention: { kind: 'years_epk', years: 5, article: '23' } },
      { index: '01-06', title: 'Анықтамалар', department: '01', year: 2019, retention: { kind: 'until_needed', article: '120' } },
      { index: '01-07', title: 'Шарттар', department: '01', year: 2019, retention: { kind: 'years', years: 10, article: '447' } },
      { index: '01-08', title: 'Кестелер', department: '01', year: 2020, retention: { kind: 'years', years: 3, article: '120' } },
      { index: '01-09', title: 'Кестелер', department: '01', year: 2020, retention: { kind: 'years', years: 3, article: '120' } },
      { index: '01-10', title: 'Өтініштер', department: '01', year: 2020, retention: { kind: 'years', years: 3, article: '120' } },
      { index: '02-01', title: 'Хаттар', department: '02', year: 2019, retention: { kind: 'years', years: 5, article: '31' } },
      { index: '02-02', title: 'Ауыспалы іс', department: '02', year: 2019, retention: { kind: 'years', years: 5, article: '31' } },
      { index: '02-03', title: 'Оқылмайтын мерзім', department: '02', year: 2019, retention: { kind: 'years', article: '31' } },
      { index: '02-04', title: 'Тұрақтыға ауысқан', department: '02', year: 2019, retention: { kind: 'years_epk', years: 5, article: '23' } },
      { index: '02-05', title: 'Ұзартылған', department: '02', year: 2019, retention: { kind: 'years', years: 3, article: '31' } },
      { index: '03-01', title: 'Басқа қор', department: '01', year: 2017, retention: { kind: 'years', years: 3, article: '31' } },
    ]);
    // A carried-over dossier: its last document is of 2022, so it closes in 2022 (due 2028).
    await db()
      .updateTable('dossiers')
      .set({ metadata: JSON.stringify({ ...(await metadataOf(ids['02-02/2019']!)), endDate: '2022-03-01' }) })
      .where('id', '=', ids['02-02/2019']!)
      .execute();
    // Another fonds, to check its own group and the fonds filter.
    await db()
      .updateTable('dossiers')
      .set({ metadata: JSON.stringify({ ...(await metadataOf(ids['03-01/2017']!)), fonds: '7' }) })
      .where('id', '=', ids['03-01/2017']!)
      .execute();
    // The commission moved one ЭПК dossier to permanent keeping and extended another: the
    // retention in force is the latest change.
    await changeRetention(ids['02-04/2019']!, { kind: 'permanent', years: null, article: '23' });
    await changeRetention(ids['02-05/2019']!, { kind: 'years', years: 4, article: '31' });
    await changeRetention(ids['02-05/2019']!, { kind: 'years', years: 10, article: '31' });
  }, 300_000);

  async function metadataOf(id: string): Promise<Record<string, unknown>> {
    const row = await db().selectFrom('dossiers').select('metadata').where('id', '=', id).executeTakeFirstOrThrow();
    return (typeof row.metadata === 'string' ? JSON.parse(row.metadata) : row.metadata) as Record<string, unknown>;
  }

  let changes = 0;
  async function changeRetention(dossierId: string, retention: { kind: string; years: number | null; article: string }) {
    changes += 1;
    await db().updateTable('appraisal_decisions').set({ current: false }).where('dossier_id', '=', dossierId).execute();
    const decision = await db()
      .insertInto('appraisal_decisions')
      .values({ dossier_id: dossierId, decision: 'keep_permanently', reason: 'ЭПК шешімі', status: 'applied', decided_by: 'archivist' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db()
      .insertInto('appraisal_retention_changes')
      .values({
        dossier_id: dossierId,
        decision_id: decision.id,
        previous: JSON.stringify({ kind: 'years', years: 5 }),
        retention: JSON.stringify(retention),
        protocol: JSON.stringify({ number: String(changes), date: '2026-03-01' }),
        applied_by: SYSTEM_ACTOR.username,
        applied_at: new Date(Date.UTC(2026, 2, changes)),
      })
      .execute();
  }

  it('lists exactly the dossiers the retention arithmetic finds due, grouped and ordered as before', async () => {
    const expected = expectedDue(await loadAppraisalDossiers(db()), BY);
    const list = await appraisalList(db(), { by: BY });
    expect(entriesOf(list).map((e) => e.dossierId)).toEqual(expected.map((d) => d.id));
    expect(entriesOf(list).map((e) => `${e.index}/${e.year}`)).toEqual([
      '03-01/2017', '01-02/2018', '01-04/2019', '01-05/2019', '01-03/2019', '01-06/2019', '02-01/2019', '01-08/2020', '01-09/2020', '01-10/2020',
    ]);
    // Not listed: permanent, 10 years (due 2030), carried over (closes 2022), unreadable period,
    // moved to permanent by the commission, extended to 10 years; 01-02/2018 (due 2024) is listed.
    expect(list.groups.map((g) => [g.fonds, g.year, g.department, g.article, g.count, g.epk, g.continued])).toEqual([
      ['7', 2017, '01', '31', 1, 0, false],
      ['12', 2018, '01', '31', 1, 0, false],
      ['12', 2019, '01', '23', 2, 2, false],
      ['12', 2019, '01', '31', 1, 0, false],
      ['12', 2019, '01', '120', 1, 1, false],
      ['12', 2019, '02', '31', 1, 0, false],
      ['12', 2020, '01', '120', 3, 0, false],
    ]);
  });

  it('agrees with the dossier view on each entry and counts the whole list', async () => {
    const list = await appraisalList(db(), { by: BY });
    expect(list).toMatchObject({ by: BY, total: 10, needsReview: 3, decided: 0, page: 1, pageSize: 100, pages: 1 });
    const epk = entriesOf(list).find((e) => e.index === '01-04')!;
    expect(epk).toMatchObject({ epk: true, needsReview: true, earliestDestruction: '2025-01-01', retention: { kind: 'years_epk', years: 5, article: '23' }, originalRetention: null, category: 'up_to_10' });
    const dmn = entriesOf(list).find((e) => e.index === '01-06')!;
    expect(dmn).toMatchObject({ epk: false, needsReview: true, earliestDestruction: null });
    // Filters narrow the same query; the fonds filter finds the other fonds' dossier.
    expect((await appraisalList(db(), { by: BY, fonds: '7' })).total).toBe(1);
    expect((await appraisalList(db(), { by: BY, year: 2019, department: '01' })).total).toBe(4);
    expect((await appraisalList(db(), { by: BY, article: '120' })).total).toBe(4);
    // By a later day the extended one (2019 + 10 + 1 = 2030) and the carried-over one (2028) come due.
    const later = entriesOf(await appraisalList(db(), { by: '2030-01-01', pageSize: 1000 }));
    expect(later.map((e) => e.index)).toEqual(expect.arrayContaining(['02-02', '02-05', '01-07']));
    expect(later.find((e) => e.index === '02-05')).toMatchObject({ retention: { kind: 'years', years: 10 }, originalRetention: { kind: 'years', years: 3 } });
    expect(later.map((e) => e.index)).not.toContain('02-04');
  });

  it('pages through the list: every page in order gives the whole list, a cut group says it continues', async () => {
    const wholeList = entriesOf(await appraisalList(db(), { by: BY }));
    const whole = wholeList.map((e) => e.dossierId);
    const keyOf = (g: { fonds: string | null; year: number | null; department: string | null; article: string | null }) => JSON.stringify([g.fonds, g.year, g.department, g.article]);
    const groupOfId = (id: string) => keyOf(wholeList.find((e) => e.dossierId === id)!);
    for (const pageSize of [1, 2, 3, 4]) {
      const first = await appraisalList(db(), { by: BY, pageSize });
      expect(first.pages).toBe(Math.ceil(10 / pageSize));
      const seen: string[] = [];
      for (let page = 1; page <= first.pages; page++) {
        const list = await appraisalList(db(), { by: BY, page, pageSize });
        expect(list).toMatchObject({ page, pageSize, total: 10, needsReview: 3 });
        expect(entriesOf(list).length).toBe(Math.min(pageSize, 10 - (page - 1) * pageSize));
        for (const g of list.groups) expect(g.dossiers.length).toBeLessThanOrEqual(g.count);
        // A group continues when its first dossier was on an earlier page.
        for (const g of list.groups) expect(g.continued).toBe(seen.some((id) => groupOfId(id) === keyOf(g)));
        seen.push(...entriesOf(list).map((e) => e.dossierId));
      }
      expect(seen).toEqual(whole);
    }
    const cut = await appraisalList(db(), { by: BY, page: 2, pageSize: 8 });
    expect(cut.groups[0]).toMatchObject({ year: 2020, article: '120', count: 3, continued: true });
    expect(cut.groups[0]!.dossiers.map((d) => d.index)).toEqual(['01-09', '01-10']);
    const past = await appraisalList(db(), { by: BY, page: 5, pageSize: 8 });
    expect(past).toMatchObject({ total: 10, page: 5, pages: 2, groups: [] });
  });

  it('refuses bad paging naming the field', async () => {
    await expect(appraisalList(db(), { by: BY, page: 0 })).rejects.toMatchObject({ code: 'appraisal.page_invalid', params: { field: 'page', value: '0' } });
    await expect(appraisalList(db(), { by: BY, pageSize: 1001 })).rejects.toMatchObject({ code: 'appraisal.page_invalid', params: { field: 'pageSize', max: 1000 } });
    await expect(appraisalList(db(), { by: BY, pageSize: 2.5 })).rejects.toMatchObject({ code: 'appraisal.page_invalid', params: { field: 'pageSize' } });
  });

});
