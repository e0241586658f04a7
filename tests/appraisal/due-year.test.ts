// The stored year from which a dossier is due for appraisal (dossiers.appraisal_due_year,
// appraisal/migrations/202612090100), which the appraisal list reads first, follows every writer
// on PGlite and PostgreSQL: a dossier stored, its metadata's retention, closing date or year
// changed, a retention change applied by the commission's decision (extend, keep permanently),
// and a direct write of the column itself; after each, it is the retention arithmetic of
// catalog/retention (earliest destruction's year; 0 for ДМН; null when never or unreadable) for
// every dossier, and the list still finds them.
import { beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { appraisalList, applyCommissionDecisions, decide, loadAppraisalDossiers, type AppraisalDossier, type CommissionPort } from '../../appraisal';
import { describeEachDatabase } from '../helpers/db';
import { addDossiers, setUpOrganisation, type People } from './fixtures';

/** What the column must hold, from the in-memory arithmetic. */
function expectedDueYear(d: AppraisalDossier): number | null {
  const destruction = d.assessment?.destruction;
  if (!destruction) return null;
  if (destruction.kind === 'when_no_longer_needed') return 0;
  if (destruction.kind === 'from') return Number(destruction.date.slice(0, 4));
  return null;
}

describeEachDatabase('appraisal: the stored due year follows every writer', (getDb) => {
  const db = () => getDb().db;
  let ids: Record<string, string>;
  let people: People;
  const answers = new Map<string, string>();
  // The commission's side (commission/ implements it; here it adopts every proposal with a signed protocol).
  const commission: CommissionPort = {
    proposeAgendaItem: async (_db, _actor, input) => {
      const id = `item-${answers.size + 1}`;
      answers.set(input.subjectId, id);
      return { id };
    },
    decisionOn: async (_db, _kind, subjectId) => {
      const itemId = answers.get(subjectId);
      return itemId ? { itemId, meetingId: 'm-1', protocolNumber: '4', protocolDate: '2026-05-20', outcome: 'adopted', protocolSigned: true } : null;
    },
  };

  async function stored(): Promise<Map<string, number | null>> {
    const rows = await db().selectFrom('dossiers').select(['id', 'appraisal_due_year as due']).execute();
    return new Map(rows.map((r) => [r.id, r.due === null ? null : Number(r.due)]));
  }

  async function expectFollowsArithmetic(): Promise<Map<string, number | null>> {
    const all = await loadAppraisalDossiers(db());
    const actual = await stored();
    expect(all.length).toBeGreaterThan(0);
    for (const d of all) expect({ index: d.index, due: actual.get(d.id) }).toEqual({ index: d.index, due: expectedDueYear(d) });
    return actual;
  }

  beforeAll(async () => {
    people = await setUpOrganisation(db());
    ids = await addDossiers(db(), [
      { index: '05-01', title: 'Бұйрықтар', department: '05', year: 2018, retention: { kind: 'permanent', article: '26а' } },
      { index: '05-02', title: 'Хаттар', department: '05', year: 2018, retention: { kind: 'years', years: 5, article: '31' } },
      { index: '05-03', title: 'Жоспарлар', department: '05', year: 2019, retention: { kind: 'years_epk', years: 5, article: '23' } },
      { index: '05-04', title: 'Анықтамалар', department: '05', year: 2019, retention: { kind: 'until_needed', article: '120' } },
      { index: '05-05', title: 'Оқылмайтын мерзім', department: '05', year: 2019, retention: { kind: 'years', article: '31' } },
      { index: '05-06', title: 'Шарттар', department: '05', year: 2019, retention: { kind: 'years', years: 10, article: '447' } },
    ]);
  }, 300_000);

  it('is computed when a dossier is stored', async () => {
    // A dossier whose metadata names no year or dates: its year is the transfer's (filled by
    // another trigger of the row before this one computes).
    const { transfer_id } = await db().selectFrom('dossiers').select('transfer_id').where('id', '=', ids['05-03/2019']!).executeTakeFirstOrThrow();
    const row = await db()
      .insertInto('dossiers')
      .values({
        transfer_id,
        case_index: '05-07',
        title: 'Жылы көрсетілмеген',
        status: 'stored',
        aip_manifest_sha256: 'a'.repeat(64),
        inventory_sha256: 'b'.repeat(64),
        integrity_sha256: 'c'.repeat(64),
        metadata: JSON.stringify({ schemaVersion: 'muragat.dossier/1', fonds: '12', index: '05-07', title: 'Жылы көрсетілмеген', retention: { kind: 'years', years: 5, article: '31' } }),
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    ids['05-07/2019'] = (row as { id: string }).id;
    const due = await expectFollowsArithmetic();
    expect(due.get(ids['05-02/2018']!)).toBe(2024);
    expect(due.get(ids['05-03/2019']!)).toBe(2025);
    expect(due.get(ids['05-04/2019']!)).toBe(0);
    expect(due.get(ids['05-01/2018']!)).toBeNull();
    expect(due.get(ids['05-05/2019']!)).toBeNull();
    expect(due.get(ids['05-06/2019']!)).toBe(2030);
    expect(due.get(ids['05-07/2019']!)).toBe(2025);
  });

  it("follows the metadata's retention and closing date, the year, and a direct write of the column", async () => {
    const id = ids['05-02/2018']!;
    const metadata = async () => {
      const row = await db().selectFrom('dossiers').select('metadata').where('id', '=', id).executeTakeFirstOrThrow();
      return (typeof row.metadata === 'string' ? JSON.parse(row.metadata) : row.metadata) as Record<string, unknown>;
    };
    // A later last document: it closes in 2021 (due 2027), so the list of 2026 leaves it out.
    await db().updateTable('dossiers').set({ metadata: JSON.stringify({ ...(await metadata()), endDate: '2021-06-30' }) }).where('id', '=', id).execute();
    expect((await expectFollowsArithmetic()).get(id)).toBe(2027);
    expect((await appraisalList(db(), { by: '2026-12-31' })).groups.flatMap((g) => g.dossiers).map((e) => e.dossierId)).not.toContain(id);
    await db().updateTable('dossiers').set({ metadata: JSON.stringify({ ...(await metadata()), endDate: '2018-06-30', retention: { kind: 'years', years: 3, article: '31' } }) }).where('id', '=', id).execute();
    expect((await expectFollowsArithmetic()).get(id)).toBe(2022);
    await db().updateTable('dossiers').set({ year: 2020 } as never).where('id', '=', id).execute();
    expect((await expectFollowsArithmetic()).get(id)).toBe(2024);
    // Raw SQL: the table type makes the column read-only; the trigger must override a direct write.
    await sql`UPDATE dossiers SET appraisal_due_year = 1900 WHERE id = ${id}`.execute(db());
    expect((await expectFollowsArithmetic()).get(id)).toBe(2024);
    expect((await appraisalList(db(), { by: '2026-12-31' })).groups.flatMap((g) => g.dossiers).map((e) => e.dossierId)).toContain(id);
  });

  it("follows the commission's decisions: extended by N years, moved to permanent keeping", async () => {
    const extended = ids['05-03/2019']!;
    const kept = ids['05-04/2019']!;
    await decide(db(), people.archivist, commission, { dossierId: extended, decision: 'extend', years: 3, reason: 'Тексеру жалғасуда' });
    await decide(db(), people.archivist, commission, { dossierId: kept, decision: 'keep_permanently', reason: 'Тарихи құндылығы бар' });
    // Proposed only: nothing changes yet.
    expect((await expectFollowsArithmetic()).get(extended)).toBe(2025);
    const applied = await applyCommissionDecisions(db(), people.archivist, commission);
    expect(applied.map((a) => a.outcome)).toEqual(['applied', 'applied']);
    const due = await expectFollowsArithmetic();
    expect(due.get(extended)).toBe(2028);
    expect(due.get(kept)).toBeNull();
    const listed = (await appraisalList(db(), { by: '2026-12-31' })).groups.flatMap((g) => g.dossiers).map((e) => e.dossierId);
    expect(listed).not.toContain(extended);
    expect(listed).not.toContain(kept);
  });
});
