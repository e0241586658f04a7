import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyAuditChain } from '../../audit/audit.service';
import { describeEachDatabase } from '../../tests/helpers/db';
import { createScheduleService } from '../schedules/schedules.service';
import { dossierAccepted } from './accepted';
import { acceptedInWords, createAcceptanceService } from './acceptance.service';
import { createAcceptanceFixture, type AcceptanceFixture } from './testing';

it('writes "accepted N e-documents" in digits and words in both form languages', () => {
  expect(acceptedInWords(1)).toEqual({ kk: '1 (бір) электрондық құжат', ru: '1 (один) электронный документ' });
  expect(acceptedInWords(2)).toEqual({ kk: '2 (екі) электрондық құжат', ru: '2 (два) электронных документа' });
  expect(acceptedInWords(5).ru).toBe('5 (пять) электронных документов');
  expect(acceptedInWords(21).ru).toBe('21 (двадцать один) электронный документ');
});

describeEachDatabase('acceptance of transfers (App. 33)', (getDb) => {
  let fx: AcceptanceFixture;
  let t02: string;
  let t03: string;
  beforeAll(async () => {
    fx = await createAcceptanceFixture(getDb().db);
    t02 = await fx.transfer('02', 7);
    t03 = await fx.transfer('03', 7);
  }, 180_000);
  afterAll(async () => fx?.close());

  it('accepts a stored transfer with an act holding its dossiers, counts, words and people', async () => {
    const { db } = getDb();
    const acceptance = createAcceptanceService({ db, now: () => new Date('2026-03-05T06:00:00Z') });
    const { archivist, clerk02 } = fx.actors;
    expect(await acceptance.decision(t02)).toBeNull();
    await expect(acceptance.accept(clerk02, t02)).rejects.toMatchObject({ code: 'acceptance.forbidden', status: 403 });

    const decided = await acceptance.accept(archivist, t02, { stateOfDocuments: 'Құжаттар оқылады, қолтаңбалар тексерілді' });
    expect(decided).toMatchObject({ transferId: t02, decision: 'accepted', reason: null, decidedBy: { userId: archivist.userId, name: 'Жұмабаева Ә. Т.' } });
    const act = decided.act!;
    expect(act).toMatchObject({
      number: 1,
      actYear: 2026,
      department: { code: '02', nameRu: 'Отдел 02' },
      recordsYears: '2025',
      status: 'accepted',
      stateOfDocuments: 'Құжаттар оқылады, қолтаңбалар тексерілді',
      // The clerk who handed the transfer in; the archivist who accepted it.
      handedOver: { userId: clerk02.userId, name: 'Әбенова Г. С.', position: 'іс жүргізуші' },
      accepted: { userId: archivist.userId, name: 'Жұмабаева Ә. Т.', position: 'архивист' },
      approved: null,
    });
    // One dossier 02-7 of one text document: the original and its PDF/A rendition, no signature.
    const dossier = await db.selectFrom('dossiers').select(['id', 'metadata']).where('transfer_id', '=', t02).executeTakeFirstOrThrow();
    const meta = dossier.metadata as { sizeBytes: number; fileCount: number };
    expect(act.rows).toEqual([
      {
        position: 1,
        dossierId: dossier.id,
        index: '02-7',
        volume: 1,
        title: 'Бөлім 02 бұйрықтары',
        documents: 1,
        files: meta.fileCount,
        signed: 0,
        unsigned: 1,
        bytes: meta.sizeBytes,
        retention: { kind: 'years', years: 75, article: '597' },
      },
    ]);
    expect(meta.fileCount).toBe(2);
    expect(act.totals).toEqual({ dossiers: 1, documents: 1, files: 2, signed: 0, unsigned: 1, bytes: meta.sizeBytes });
    expect(act.acceptedInWords).toEqual({ kk: '1 (бір) электрондық құжат', ru: '1 (один) электронный документ' });

    // Decided once: neither accepted again nor returned.
    await expect(acceptance.accept(archivist, t02)).rejects.toMatchObject({ code: 'acceptance.already_decided', status: 409, params: { decision: 'accepted' } });
    await expect(acceptance.returnTransfer(archivist, t02, { reason: 'late' })).rejects.toMatchObject({ code: 'acceptance.already_decided' });

    // The organisation head approves the act, once.
    await expect(acceptance.approveAct(archivist, act.id)).rejects.toMatchObject({ code: 'acceptance.forbidden' });
    const approved = await acceptance.approveAct(fx.actors.head, act.id);
    expect(approved).toMatchObject({ status: 'approved', approved: { userId: fx.actors.head.userId, name: 'Омаров С. Қ.', position: 'директор' } });
    await expect(acceptance.approveAct(fx.actors.head, act.id)).rejects.toMatchObject({ code: 'acceptance.act_already_approved' });

    const events = await db.selectFrom('audit_events').select(['action', 'object_id', 'details']).where('action', 'in', ['transfer.accept', 'acceptance_act.approve']).orderBy('id').execute();
    expect(events.map((e) => [e.action, e.object_id])).toEqual([
      ['transfer.accept', t02],
      ['acceptance_act.approve', act.id],
    ]);
    expect(events[0]!.details).toMatchObject({ number: 1, documents: 1, dossiers: 1 });
  });

  it('returns a transfer with its reason (required), and numbers the next act after the last', async () => {
    const { db } = getDb();
    const acceptance = createAcceptanceService({ db, now: () => new Date('2026-03-06T06:00:00Z') });
    const { archivist, clerk03 } = fx.actors;
    await expect(acceptance.returnTransfer(archivist, t03, { reason: '   ' })).rejects.toMatchObject({ code: 'acceptance.field_required', status: 400, params: { field: 'reason' } });
    const returned = await acceptance.returnTransfer(archivist, t03, { reason: 'Ішкі тізімдеме қол қойылмаған' });
    expect(returned).toMatchObject({ decision: 'returned', reason: 'Ішкі тізімдеме қол қойылмаған', act: null });
    await expect(acceptance.accept(archivist, t03)).rejects.toMatchObject({ code: 'acceptance.already_decided', params: { decision: 'returned' } });
    const event = await db.selectFrom('audit_events').select(['details']).where('action', '=', 'transfer.return').where('object_id', '=', t03).executeTakeFirstOrThrow();
    expect(event.details).toMatchObject({ reason: 'Ішкі тізімдеме қол қойылмаған' });

    // The department's corrected transfer of the same dossier is taken without a new-volume
    // decision (the returned one keeps volume 1) and accepted as act No. 2.
    const corrected = await fx.transfer('03', 7, 1);
    expect(await db.selectFrom('transfers').select('status').where('id', '=', corrected).executeTakeFirstOrThrow()).toEqual({ status: 'completed' });
    const second = await acceptance.accept(archivist, corrected, { handedOverBy: 'g-clerk03' });
    expect(second.act).toMatchObject({ number: 2, handedOver: { userId: clerk03.userId }, rows: [{ index: '03-7', volume: 2, title: 'Бөлім 03 бұйрықтары (түзетілген 1)' }] });
    // A handed-over person from another department is refused, naming the field.
    const third = await fx.transfer('03', 9);
    await expect(acceptance.accept(archivist, third, { handedOverBy: 'g-clerk02' })).rejects.toMatchObject({ code: 'acceptance.handed_over_not_department', params: { field: 'handedOverBy' } });
    expect((await verifyAuditChain(db)).ok).toBe(true);

    // Only accepted transfers' dossiers are the archive's: not the returned one, not the undecided one.
    const accepted = await db.selectFrom('dossiers').select(['case_index', 'transfer_id']).where(dossierAccepted).orderBy('case_index').execute();
    expect(accepted.map((d) => d.transfer_id)).toEqual([t02, corrected]);
  }, 120_000);

  it('refuses a transfer that is not stored and a missing one', async () => {
    const { db } = getDb();
    const acceptance = createAcceptanceService({ db });
    const pending = await db.insertInto('transfers').values({ status: 'processing', source_name: 'x.tar', department: '02', year: 2025, limits: '{}', options: '{}', actor: '{}', problems: '[]' }).returning('id').executeTakeFirstOrThrow();
    await expect(acceptance.accept(fx.actors.archivist, pending.id)).rejects.toMatchObject({ code: 'acceptance.not_stored', status: 409 });
    await expect(acceptance.accept(fx.actors.archivist, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'ingest.transfer_not_found', status: 404 });
    await expect(acceptance.getAct('nope')).rejects.toMatchObject({ code: 'acceptance.act_not_found' });
    // The local operator names the archivist; without one the act would have no "accepted by".
    const op = { userId: null, username: 'cli:op', roles: [] };
    await expect(acceptance.returnTransfer(op, pending.id, { reason: 'x' })).rejects.toMatchObject({ code: 'acceptance.person_required' });
  });

  it('fills the schedule row of the department and year', async () => {
    const { db } = getDb();
    const schedules = createScheduleService({ db });
    const { archivist, head } = fx.actors;
    await schedules.create(archivist, { year: 2026 });
    await schedules.addRow(archivist, 2026, { department: '03', deadline: '2026-12-01', responsible: 'g-clerk03' });
    await schedules.approve(head, 2026);
    const board = await schedules.get(2026, { today: '2026-03-07' });
    // 03's first transfer was returned, its corrected one accepted, and a third awaits a decision.
    expect(board.rows[0]).toMatchObject({ state: 'received', returned: null });
    expect(board.rows[0]!.acceptedActId).toBeTruthy();
  });
});
