// The appraisal list (экспертиза ценности, BRIEF §6–§7, §9): the dossiers whose retention runs
// out by a chosen date (retention arithmetic: 1 January of closing year + N + 1), grouped by
// fonds, year, department and retention article; ЭПК-marked and "until no longer needed" ones
// flagged for review (they may go to permanent keeping instead). The appraiser records a decision
// per dossier with a reason: destroy (the dossier may go on a destruction act); keep
// permanently or extend the retention by N years — both are questions for the expert commission
// (agenda items move_to_permanent / extend_retention), applied once the commission adopted them
// and its protocol is signed: the dossier's retention in force changes (appraisal_retention_changes),
// audited. A rejected proposal is recorded, and the appraiser decides again.
import type { Kysely } from 'kysely';
import type { Database } from '../database/database';
import { recordAudit, type Actor } from '../audit/audit.service';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../common/errors';
import { ACT_DRAFTERS, type CommissionPort } from './acts';
import { dossiersOnOpenActs, loadAppraisalDossiers, type AppraisalDossier } from './dossiers';
import { heldDossiers, isUuid, requireReason } from './holds';
import type { AppraisalDecisionKind, AppraisalDecisionStatus, ProtocolRef, StoredRetention } from './tables';

export const DECISION_KINDS = ['destroy', 'keep_permanently', 'extend'] as const satisfies readonly AppraisalDecisionKind[];

export interface DecisionView {
  id: string;
  dossierId: string;
  decision: AppraisalDecisionKind;
  extendYears: number | null;
  reason: string;
  status: AppraisalDecisionStatus;
  agendaItemId: string | null;
  decidedBy: string;
  decidedAt: string;
  resolvedAt: string | null;
  protocol: ProtocolRef | null;
}

export interface AppraisalEntry {
  dossierId: string;
  index: string;
  heading: string;
  fonds: string | null;
  year: number | null;
  department: string | null;
  startDate: string | null;
  endDate: string | null;
  retention: StoredRetention;
  /** The metadata's retention when the commission changed it. */
  originalRetention: StoredRetention | null;
  article: string | null;
  category: string | null;
  /** 1 January from which it may be destroyed; null for ДМН. */
  earliestDestruction: string | null;
  epk: boolean;
  /** ЭПК or ДМН: the appraiser looks at it before destruction (it may be kept permanently). */
  needsReview: boolean;
  decision: DecisionView | null;
  hold: { holdId: string; reason: string } | null;
  act: { actId: string; number: string; status: string } | null;
}

export interface AppraisalGroup {
  fonds: string | null;
  year: number | null;
  department: string | null;
  article: string | null;
  count: number;
  epk: number;
  dossiers: AppraisalEntry[];
}

export interface AppraisalList {
  by: string;
  total: number;
  needsReview: number;
  decided: number;
  groups: AppraisalGroup[];
}

export interface AppraisalFilter {
  /** YYYY-MM-DD: retention ends on or before this day. */
  by: string;
  fonds?: string;
  year?: number;
  department?: string;
  article?: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function iso(value: Date | string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export function assertIsoDate(value: unknown, field: string): string {
  const s = typeof value === 'string' ? value.trim() : '';
  const d = ISO_DATE.test(s) ? new Date(`${s}T00:00:00Z`) : null;
  if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s) {
    throw new ValidationError('appraisal.date_invalid', 'appraisal.date_invalid', { field, value: String(value ?? '') });
  }
  return s;
}

type DecisionRow = Awaited<ReturnType<typeof decisionRows>>[number];

function decisionRows(db: Kysely<Database>, filter: { dossierIds?: string[]; current?: boolean; status?: AppraisalDecisionStatus; id?: string }) {
  let q = db.selectFrom('appraisal_decisions').selectAll();
  if (filter.dossierIds) q = q.where('dossier_id', 'in', filter.dossierIds.length ? filter.dossierIds : ['00000000-0000-0000-0000-000000000000']);
  if (filter.current !== undefined) q = q.where('current', '=', filter.current);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.id) q = q.where('id', '=', filter.id);
  return q.orderBy('decided_at', 'desc').execute();
}

function decisionView(row: DecisionRow): DecisionView {
  return {
    id: row.id,
    dossierId: row.dossier_id,
    decision: row.decision,
    extendYears: row.extend_years,
    reason: row.reason,
    status: row.status,
    agendaItemId: row.agenda_item_id,
    decidedBy: row.decided_by,
    decidedAt: iso(row.decided_at)!,
    resolvedAt: iso(row.resolved_at),
    protocol: row.protocol ? json<ProtocolRef>(row.protocol) : null,
  };
}

function groupKey(d: { fonds: string | null; year: number | null; department: string | null; article: string | null }): string {
  return JSON.stringify([d.fonds, d.year, d.department, d.article]);
}

function compareNullable<T extends string | number>(a: T | null, b: T | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b), 'en', { numeric: true });
}

/** The appraisal list: dossiers whose retention runs out by `filter.by`, grouped, with decisions, holds and acts. */
export async function appraisalList(db: Kysely<Database>, filter: AppraisalFilter): Promise<AppraisalList> {
  const by = assertIsoDate(filter.by, 'by');
  const all = await loadAppraisalDossiers(db);
  const due = all.filter((d) => {
    const a = d.assessment;
    if (!a) return false;
    const ends = (a.destruction.kind === 'from' && a.destruction.date <= by) || a.destruction.kind === 'when_no_longer_needed';
    if (!ends) return false;
    if (filter.fonds && d.fonds !== filter.fonds) return false;
    if (filter.year !== undefined && d.year !== filter.year) return false;
    if (filter.department && d.department !== filter.department) return false;
    if (filter.article && (d.retention.article ?? null) !== filter.article) return false;
    return true;
  });
  const ids = due.map((d) => d.id);
  const acts = await dossiersOnOpenActs(db, ids);
  const listed = due.filter((d) => acts.get(d.id)?.status !== 'executed');
  const held = await heldDossiers(db, ids);
  const decisions = new Map((await decisionRows(db, { dossierIds: ids, current: true })).map((r) => [r.dossier_id, decisionView(r)]));
  const groups = new Map<string, AppraisalGroup>();
  for (const d of listed) {
    const entry = toEntry(d, decisions.get(d.id) ?? null, held.get(d.id) ?? null, acts.get(d.id) ?? null);
    const key = groupKey({ fonds: d.fonds, year: d.year, department: d.department, article: entry.article });
    const group = groups.get(key) ?? { fonds: d.fonds, year: d.year, department: d.department, article: entry.article, count: 0, epk: 0, dossiers: [] };
    group.dossiers.push(entry);
    group.count += 1;
    if (entry.needsReview) group.epk += 1;
    groups.set(key, group);
  }
  const sorted = [...groups.values()].sort(
    (a, b) => compareNullable(a.fonds, b.fonds) || compareNullable(a.year, b.year) || compareNullable(a.department, b.department) || compareNullable(a.article, b.article),
  );
  for (const g of sorted) g.dossiers.sort((a, b) => a.index.localeCompare(b.index, 'en', { numeric: true }));
  const entries = sorted.flatMap((g) => g.dossiers);
  return { by, total: entries.length, needsReview: entries.filter((e) => e.needsReview).length, decided: entries.filter((e) => e.decision !== null).length, groups: sorted };
}

function toEntry(d: AppraisalDossier, decision: DecisionView | null, hold: { holdId: string; reason: string } | null, act: { actId: string; number: string; status: string } | null): AppraisalEntry {
  const a = d.assessment;
  return {
    dossierId: d.id,
    index: d.index,
    heading: d.heading,
    fonds: d.fonds,
    year: d.year,
    department: d.department,
    startDate: d.startDate,
    endDate: d.endDate,
    retention: d.retention,
    originalRetention: d.originalRetention,
    article: d.retention.article ?? null,
    category: a?.category ?? null,
    earliestDestruction: a?.earliestDestruction ?? null,
    epk: a?.epk ?? false,
    needsReview: (a?.epk ?? false) || a?.destruction.kind === 'when_no_longer_needed',
    decision,
    hold,
    act,
  };
}

/** A dossier's decisions, newest first. */
export async function decisionsOf(db: Kysely<Database>, dossierId: string): Promise<DecisionView[]> {
  if (!isUuid(dossierId)) throw new NotFoundError('appraisal.dossier_not_found', 'appraisal.dossier_not_found', { id: dossierId });
  return (await decisionRows(db, { dossierIds: [dossierId] })).map(decisionView);
}

export interface DecideInput {
  dossierId: string;
  decision: string;
  reason: string;
  /** For `extend`: how many years to add. */
  years?: number | null;
}

function assertDrafter(actor: Actor): void {
  if (actor.userId !== null && !actor.roles.some((r) => ACT_DRAFTERS.includes(r))) {
    throw new ForbiddenError('appraisal.forbidden', 'appraisal.forbidden', { roles: ACT_DRAFTERS.join(', ') });
  }
}

/**
 * Records the appraiser's decision on a dossier (audit `appraisal.decide`). Keep permanently and
 * extend are proposed to the commission (agenda items move_to_permanent / extend_retention,
 * subject = the dossier). Refused for a permanent dossier, one on a destruction act, or one whose
 * proposal is still before the commission.
 */
export async function decide(db: Kysely<Database>, actor: Actor, commission: CommissionPort | undefined, input: DecideInput): Promise<DecisionView> {
  assertDrafter(actor);
  const decision = input.decision as AppraisalDecisionKind;
  if (!(DECISION_KINDS as readonly string[]).includes(decision)) throw new ValidationError('appraisal.decision_invalid', 'appraisal.decision_invalid', { decision: String(input.decision) });
  const reason = requireReason(input.reason, 'reason');
  let years: number | null = null;
  if (decision === 'extend') {
    years = Number(input.years);
    if (!Number.isInteger(years) || years < 1 || years > 100) throw new ValidationError('appraisal.extend_years_invalid', 'appraisal.extend_years_invalid', { years: String(input.years ?? '') });
  }
  const [dossier] = isUuid(input.dossierId) ? await loadAppraisalDossiers(db, [input.dossierId]) : [];
  if (!dossier) throw new NotFoundError('appraisal.dossier_not_found', 'appraisal.dossier_not_found', { id: String(input.dossierId) });
  const where = { index: dossier.index, year: dossier.year ?? '' };
  if (dossier.assessment?.destruction.kind === 'never') throw new ConflictError('appraisal.dossier_permanent', 'appraisal.dossier_permanent', where);
  if (decision === 'extend' && dossier.retention.kind !== 'years' && dossier.retention.kind !== 'years_epk') {
    throw new ConflictError('appraisal.extend_years_invalid', 'appraisal.extend_years_invalid', { years: String(years) });
  }
  const act = (await dossiersOnOpenActs(db, [dossier.id])).get(dossier.id);
  if (act) throw new ConflictError('appraisal.dossier_on_act', 'appraisal.dossier_on_act', { ...where, act: act.number });
  const [current] = await decisionRows(db, { dossierIds: [dossier.id], current: true });
  if (current?.status === 'proposed') throw new ConflictError('appraisal.decision_pending', 'appraisal.decision_pending', where);
  let agendaItemId: string | null = null;
  if (decision !== 'destroy') {
    if (!commission) throw new ConflictError('appraisal.commission_unavailable', 'appraisal.commission_unavailable', {});
    const heading = `${dossier.index} (${dossier.year ?? '—'}) «${dossier.heading}»`;
    const item = await commission.proposeAgendaItem(db, actor, {
      kind: decision === 'keep_permanently' ? 'move_to_permanent' : 'extend_retention',
      subjectId: dossier.id,
      title: decision === 'keep_permanently' ? `Передать на постоянное хранение дело ${heading}` : `Продлить на ${years} лет срок хранения дела ${heading}`,
      details: { dossier: dossier.id, index: dossier.index, year: dossier.year, reason, ...(years !== null ? { years } : {}) },
    });
    agendaItemId = item.id;
  }
  const id = await db.transaction().execute(async (trx) => {
    await trx.updateTable('appraisal_decisions').set({ current: false }).where('dossier_id', '=', dossier.id).where('current', '=', true).execute();
    const row = await trx
      .insertInto('appraisal_decisions')
      .values({
        dossier_id: dossier.id,
        decision,
        extend_years: years,
        reason,
        status: decision === 'destroy' ? 'decided' : 'proposed',
        agenda_item_id: agendaItemId,
        decided_by: actor.username,
        decided_by_user: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'appraisal.decide',
      objectType: 'dossier',
      objectId: dossier.id,
      details: { decision, reason, years, index: dossier.index, year: dossier.year, epk: dossier.assessment?.epk ?? false, agendaItem: agendaItemId },
    });
    return row.id;
  });
  return decisionView((await decisionRows(db, { id }))[0]!);
}

export interface AppliedDecision {
  decisionId: string;
  dossierId: string;
  index: string;
  year: number | null;
  outcome: 'applied' | 'rejected';
  retention: StoredRetention | null;
  protocol: ProtocolRef;
}

/**
 * Applies the commission's answers to proposals (keep permanently, extend): adopted with a signed
 * protocol → the dossier's retention in force changes (audit `appraisal.retention_change`);
 * rejected with a signed protocol → the proposal is closed as rejected (audit
 * `appraisal.proposal_rejected`). Undecided proposals stay as they are.
 */
export async function applyCommissionDecisions(db: Kysely<Database>, actor: Actor, commission: CommissionPort): Promise<AppliedDecision[]> {
  const pending = await decisionRows(db, { status: 'proposed', current: true });
  const done: AppliedDecision[] = [];
  for (const row of pending) {
    const kind = row.decision === 'keep_permanently' ? 'move_to_permanent' : 'extend_retention';
    const answer = await commission.decisionOn(db, kind, row.dossier_id);
    if (!answer || answer.itemId !== row.agenda_item_id || !answer.protocolSigned) continue;
    const [dossier] = await loadAppraisalDossiers(db, [row.dossier_id]);
    if (!dossier) continue;
    const protocol: ProtocolRef = { number: answer.protocolNumber, date: answer.protocolDate };
    const retention: StoredRetention | null =
      answer.outcome !== 'adopted'
        ? null
        : row.decision === 'keep_permanently'
          ? { kind: 'permanent', years: null, article: dossier.retention.article ?? null }
          : { kind: dossier.retention.kind, years: (dossier.retention.years ?? 0) + (row.extend_years ?? 0), article: dossier.retention.article ?? null };
    await db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('appraisal_decisions')
        .set({ status: retention ? 'applied' : 'rejected', resolved_at: new Date(), protocol: JSON.stringify(protocol) })
        .where('id', '=', row.id)
        .where('status', '=', 'proposed')
        .returning('id')
        .executeTakeFirst();
      if (!updated) return;
      if (retention) {
        await trx
          .insertInto('appraisal_retention_changes')
          .values({ dossier_id: row.dossier_id, decision_id: row.id, previous: JSON.stringify(dossier.retention), retention: JSON.stringify(retention), protocol: JSON.stringify(protocol), applied_by: actor.username })
          .execute();
        await recordAudit(trx, {
          actor,
          action: 'appraisal.retention_change',
          objectType: 'dossier',
          objectId: row.dossier_id,
          details: { index: dossier.index, year: dossier.year, decision: row.decision, previous: dossier.retention, retention, protocolNumber: protocol.number, protocolDate: protocol.date, agendaItem: answer.itemId },
        });
      } else {
        await recordAudit(trx, {
          actor,
          action: 'appraisal.proposal_rejected',
          objectType: 'dossier',
          objectId: row.dossier_id,
          details: { index: dossier.index, year: dossier.year, decision: row.decision, protocolNumber: protocol.number, protocolDate: protocol.date, agendaItem: answer.itemId },
        });
      }
      done.push({ decisionId: row.id, dossierId: row.dossier_id, index: dossier.index, year: dossier.year, outcome: retention ? 'applied' : 'rejected', retention, protocol });
    });
  }
  return done;
}
