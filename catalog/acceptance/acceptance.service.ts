// The archive's acceptance of a transfer (p.207–208, App. 33). A stored transfer is not yet in
// the archive's keeping: the archivist accepts it — which makes the acceptance act with its
// table (per dossier: index, documents, files, signature present/absent, bytes, retention),
// "accepted N e-documents" in digits and words, the state of the documents, who handed over
// and who accepted — or returns it with the reason, so the department sends a corrected
// transfer. The organisation head then approves the act ("Утверждаю"). One decision per
// transfer, in the acceptance tables (the transfer's own state machine stays ingest's); the
// schedule row the transfer fills shows it (catalog/schedules).
import type { Kysely, Selectable, Transaction } from 'kysely';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors';
import { recordAudit, SYSTEM_ACTOR, type Actor } from '../../audit/audit.service';
import type { Database } from '../../database/database';
import { ACT_APPROVERS, TRANSFER_ACCEPTORS } from '../../access/policy';
import { countWithNoun } from '../../forms/words';
import { archiveToday, scheduleRowForTransfer } from '../schedules/schedules.service';
import { actRowsOf, departmentByCode, findAct, findDecision, listActRows, lockTransfer, nextActNumber, userAsPerson } from './acceptance.repository';
import type { AcceptanceActsTable, ActPerson, ActRenditions, ActRow, ActStatus, ActTotals } from './tables';

export interface ActView {
  id: string;
  number: number;
  actYear: number;
  transferId: string;
  department: { code: string; nameKk: string | null; nameRu: string | null };
  recordsYears: string;
  handedOver: ActPerson;
  accepted: ActPerson;
  approved: ActPerson | null;
  approvedAt: string | null;
  status: ActStatus;
  /** Free text of the archivist; empty: no remarks (the forms print the standard phrase). */
  stateOfDocuments: string;
  rows: ActRow[];
  totals: ActTotals;
  /** «Итого принято: N (…) электронных документов» in both form languages. */
  acceptedInWords: { kk: string; ru: string };
  renditions: ActRenditions;
  createdAt: string;
}

export interface DecisionView {
  transferId: string;
  decision: 'accepted' | 'returned';
  reason: string | null;
  decidedAt: string;
  decidedBy: { userId: string | null; name: string };
  scheduleRowId: string | null;
  act: ActView | null;
}

export interface AcceptInput {
  /** General characteristic of the documents' state (App. 33); empty for the standard phrase. */
  stateOfDocuments?: string | null;
  /** Username of the department's clerk or head who handed the dossiers over; default the submitter. */
  handedOverBy?: string | null;
  /** The archivist, when the local operator (CLI) records the acceptance. */
  acceptedBy?: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TEXT = 2000;

/**
 * Renders and stores the act's forms after it is made or approved (catalog/acceptance/render.ts).
 * It runs after the decision is committed: a failure to render never undoes an acceptance, the
 * renderer reports it and the form is rendered again at the approval or by `muragat form render`.
 */
export type ActRenderer = (db: Kysely<Database>, actId: string, actor: Actor) => Promise<void>;

function assertRole(actor: Actor, roles: readonly string[], action: string): void {
  if (actor.userId === null) return; // local operator (CLI, seed)
  if (!actor.roles.some((r) => roles.includes(r))) {
    throw new ForbiddenError('acceptance.forbidden', 'acceptance.forbidden', { username: actor.username, action, roles: roles.join(', ') });
  }
}

function totalsOf(rows: ActRow[]): ActTotals {
  return rows.reduce<ActTotals>(
    (t, r) => ({ dossiers: t.dossiers + 1, documents: t.documents + r.documents, files: t.files + r.files, signed: t.signed + r.signed, unsigned: t.unsigned + r.unsigned, bytes: t.bytes + r.bytes }),
    { dossiers: 0, documents: 0, files: 0, signed: 0, unsigned: 0, bytes: 0 },
  );
}

export function acceptedInWords(documents: number): { kk: string; ru: string } {
  return { kk: countWithNoun(documents, 'kk', 'eDocument'), ru: countWithNoun(documents, 'ru', 'eDocument') };
}

function cleanText(value: string | null | undefined, field: string, required: boolean): string {
  const text = (value ?? '').replace(/\r\n?/g, '\n').trim();
  if (required && !text) throw new ValidationError('acceptance.field_required', 'acceptance.field_required', { field });
  if (text.length > MAX_TEXT) throw new ValidationError('acceptance.field_too_long', 'acceptance.field_too_long', { field, max: MAX_TEXT });
  return text;
}

export function createAcceptanceService(deps: { db: Kysely<Database>; now?: () => Date; renderAct?: ActRenderer }) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  async function actView(row: Selectable<AcceptanceActsTable>): Promise<ActView> {
    const dept = await departmentByCode(db, row.department);
    const totals = row.totals as ActTotals;
    return {
      id: row.id,
      number: row.number,
      actYear: row.act_year,
      transferId: row.transfer_id,
      department: { code: row.department, nameKk: dept?.name_kk ?? null, nameRu: dept?.name_ru ?? null },
      recordsYears: row.records_years,
      handedOver: row.handed_over as ActPerson,
      accepted: row.accepted as ActPerson,
      approved: (row.approved as ActPerson | null) ?? null,
      approvedAt: row.approved_at ? new Date(row.approved_at).toISOString() : null,
      status: row.status,
      stateOfDocuments: row.state_of_documents,
      rows: row.rows as ActRow[],
      totals,
      acceptedInWords: acceptedInWords(totals.documents),
      renditions: (row.renditions ?? {}) as ActRenditions,
      createdAt: new Date(row.created_at).toISOString(),
    };
  }

  async function loadAct(id: string) {
    const row = UUID.test(id) ? await findAct(db, id) : undefined;
    if (!row) throw new NotFoundError('acceptance.act_not_found', 'acceptance.act_not_found', { id });
    return row;
  }

  /** The person acting: a user's name and position; the local operator names the user with `by`. */
  async function actingPerson(actor: Actor, by: string | null | undefined, roles: readonly string[], field: string): Promise<ActPerson> {
    const key = actor.userId ?? by?.trim();
    if (!key) throw new ValidationError('acceptance.person_required', 'acceptance.person_required', { field, roles: roles.join(', ') });
    const user = await userAsPerson(db, key);
    if (!user || user.status !== 'active' || !user.roles.some((r) => roles.includes(r))) {
      throw new ValidationError('acceptance.person_not_allowed', 'acceptance.person_not_allowed', { field, value: key, roles: roles.join(', ') });
    }
    return { userId: user.userId, name: user.name, position: user.position };
  }

  /** Who handed the dossiers over: the named clerk or head of the department, else the submitter, else the compiler the package names. */
  async function handedOverPerson(
    ex: Kysely<Database> | Transaction<Database>,
    transfer: { department: string | null; actor: Record<string, unknown> },
    by: string | null | undefined,
    transferId: string,
  ): Promise<ActPerson> {
    const dept = transfer.department ? await departmentByCode(ex, transfer.department) : undefined;
    if (by?.trim()) {
      const user = await userAsPerson(ex, by.trim());
      const ofDepartment = user && dept && user.departmentId === dept.id && user.roles.some((r) => r === 'department_clerk' || r === 'department_head');
      if (!user || !ofDepartment) {
        throw new ValidationError('acceptance.handed_over_not_department', 'acceptance.handed_over_not_department', { value: by.trim(), department: transfer.department ?? '—', field: 'handedOverBy' });
      }
      return { userId: user.userId, name: user.name, position: user.position };
    }
    const submitter = typeof transfer.actor.userId === 'string' ? await userAsPerson(ex, transfer.actor.userId) : undefined;
    if (submitter) return { userId: submitter.userId, name: submitter.name, position: submitter.position };
    // Handed in by the operator: the package's own compiler (transfer.json people.compiledBy).
    const dossier = await ex.selectFrom('dossiers').select('metadata').where('transfer_id', '=', transferId).orderBy('case_index').executeTakeFirst();
    const compiledBy = (dossier?.metadata as { compiledBy?: { name?: string; position?: string } } | undefined)?.compiledBy;
    if (compiledBy?.name) return { userId: null, name: compiledBy.name, position: compiledBy.position ?? null };
    throw new ValidationError('acceptance.handed_over_unknown', 'acceptance.handed_over_unknown', { id: transferId, field: 'handedOverBy' });
  }

  async function decisionView(transferId: string): Promise<DecisionView | null> {
    const d = UUID.test(transferId) ? await findDecision(db, transferId) : undefined;
    if (!d) return null;
    return {
      transferId,
      decision: d.decision,
      reason: d.reason,
      decidedAt: new Date(d.decided_at).toISOString(),
      decidedBy: { userId: d.decided_by, name: d.decided_by_name },
      scheduleRowId: d.schedule_row_id,
      act: d.act_id ? await actView(await loadAct(d.act_id)) : null,
    };
  }

  /** Only a stored transfer is decided on, and only once. */
  async function lockUndecided(trx: Parameters<typeof lockTransfer>[0], transferId: string) {
    const transfer = UUID.test(transferId) ? await lockTransfer(trx, transferId) : undefined;
    if (!transfer) throw new NotFoundError('ingest.transfer_not_found', 'ingest.transfer_not_found', { id: transferId });
    if (transfer.status !== 'completed') throw new ConflictError('acceptance.not_stored', 'acceptance.not_stored', { id: transferId, status: transfer.status }, { status: transfer.status });
    const earlier = await trx.selectFrom('transfer_acceptances').select(['decision', 'decided_at']).where('transfer_id', '=', transferId).executeTakeFirst();
    if (earlier) {
      throw new ConflictError('acceptance.already_decided', 'acceptance.already_decided', { id: transferId, decision: earlier.decision }, { decision: earlier.decision, decidedAt: new Date(earlier.decided_at).toISOString() });
    }
    return transfer;
  }

  return {
    decision: decisionView,

    async accept(actor: Actor, transferId: string, input: AcceptInput = {}): Promise<DecisionView> {
      assertRole(actor, TRANSFER_ACCEPTORS, 'accept');
      const stateOfDocuments = cleanText(input.stateOfDocuments, 'stateOfDocuments', false);
      const accepted = await actingPerson(actor, input.acceptedBy, TRANSFER_ACCEPTORS, 'acceptedBy');
      const actId = await db.transaction().execute(async (trx) => {
        const transfer = await lockUndecided(trx, transferId);
        const { rows, startYear, endYear } = await actRowsOf(trx, transfer.id);
        if (!rows.length) throw new ConflictError('acceptance.no_dossiers', 'acceptance.no_dossiers', { id: transfer.id });
        const handedOver = await handedOverPerson(trx, transfer, input.handedOverBy, transfer.id);
        const first = startYear ?? transfer.year;
        const last = endYear ?? transfer.year;
        const recordsYears = first && last && first !== last ? `${first}–${last}` : String(first ?? last ?? '');
        const actYear = Number(archiveToday(now()).slice(0, 4));
        const number = await nextActNumber(trx, actYear);
        const totals = totalsOf(rows);
        const act = await trx
          .insertInto('acceptance_acts')
          .values({
            number,
            act_year: actYear,
            transfer_id: transfer.id,
            department: transfer.department ?? '',
            records_years: recordsYears,
            handed_over_by: handedOver.userId,
            handed_over: JSON.stringify(handedOver),
            accepted_by: accepted.userId,
            accepted: JSON.stringify(accepted),
            state_of_documents: stateOfDocuments,
            rows: JSON.stringify(rows),
            totals: JSON.stringify(totals),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const row = await scheduleRowForTransfer(trx, transfer);
        await trx
          .insertInto('transfer_acceptances')
          .values({ transfer_id: transfer.id, decision: 'accepted', reason: null, act_id: act.id, schedule_row_id: row?.rowId ?? null, decided_by: accepted.userId, decided_by_name: accepted.name })
          .execute();
        await recordAudit(trx, {
          actor,
          action: 'transfer.accept',
          objectType: 'transfer',
          objectId: transfer.id,
          details: { act: act.id, number, actYear, dossiers: totals.dossiers, documents: totals.documents, files: totals.files, bytes: totals.bytes, scheduleRow: row?.rowId ?? null, handedOver: handedOver.name, acceptedBy: accepted.name },
        });
        return act.id;
      });
      if (deps.renderAct) await deps.renderAct(db, actId, actor);
      return (await decisionView(transferId))!;
    },

    /** Returns a stored transfer to its department with the reason; a corrected transfer may then be sent. */
    async returnTransfer(actor: Actor, transferId: string, input: { reason: string; returnedBy?: string | null }): Promise<DecisionView> {
      assertRole(actor, TRANSFER_ACCEPTORS, 'return');
      const reason = cleanText(input.reason, 'reason', true);
      const by = await actingPerson(actor, input.returnedBy, TRANSFER_ACCEPTORS, 'returnedBy');
      await db.transaction().execute(async (trx) => {
        const transfer = await lockUndecided(trx, transferId);
        const row = await scheduleRowForTransfer(trx, transfer);
        await trx
          .insertInto('transfer_acceptances')
          .values({ transfer_id: transfer.id, decision: 'returned', reason, act_id: null, schedule_row_id: row?.rowId ?? null, decided_by: by.userId, decided_by_name: by.name })
          .execute();
        await recordAudit(trx, { actor, action: 'transfer.return', objectType: 'transfer', objectId: transfer.id, details: { reason, scheduleRow: row?.rowId ?? null, returnedBy: by.name } });
      });
      return (await decisionView(transferId))!;
    },

    async getAct(id: string): Promise<ActView> {
      return actView(await loadAct(id));
    },

    async listActs(filter: { limit?: number } = {}): Promise<ActView[]> {
      return Promise.all((await listActRows(db, filter)).map(actView));
    },

    /** "Утверждаю": the organisation head approves the act. */
    async approveAct(actor: Actor, id: string, options: { onBehalfOf?: string | null } = {}): Promise<ActView> {
      assertRole(actor, ACT_APPROVERS, 'approve');
      const head = await actingPerson(actor, options.onBehalfOf, ACT_APPROVERS, 'approvedBy');
      const act = await loadAct(id);
      await db.transaction().execute(async (trx) => {
        const locked = await trx.selectFrom('acceptance_acts').select(['status']).where('id', '=', act.id).forUpdate().executeTakeFirstOrThrow();
        if (locked.status !== 'accepted') throw new ConflictError('acceptance.act_already_approved', 'acceptance.act_already_approved', { number: act.number, year: act.act_year });
        await trx.updateTable('acceptance_acts').set({ status: 'approved', approved_by: head.userId, approved: JSON.stringify(head), approved_at: new Date() }).where('id', '=', act.id).execute();
        await recordAudit(trx, { actor, action: 'acceptance_act.approve', objectType: 'acceptance_act', objectId: act.id, details: { number: act.number, year: act.act_year, transfer: act.transfer_id, approvedBy: head.name } });
      });
      if (deps.renderAct) await deps.renderAct(db, act.id, actor);
      return actView(await loadAct(act.id));
    },

    /** Records where the act's rendered forms are stored (called by the renderer). */
    async recordRenditions(actId: string, renditions: ActRenditions, actor: Actor = SYSTEM_ACTOR): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('acceptance_acts').select(['renditions']).where('id', '=', actId).forUpdate().executeTakeFirstOrThrow();
        const merged = { ...((row.renditions ?? {}) as ActRenditions), ...renditions };
        await trx.updateTable('acceptance_acts').set({ renditions: JSON.stringify(merged) }).where('id', '=', actId).execute();
        await recordAudit(trx, { actor, action: 'acceptance_act.render', objectType: 'acceptance_act', objectId: actId, details: { renditions: Object.fromEntries(Object.entries(renditions).map(([k, v]) => [k, v?.sha256])) } });
      });
    },
  };
}

export type AcceptanceService = ReturnType<typeof createAcceptanceService>;
