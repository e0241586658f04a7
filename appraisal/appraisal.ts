// The appraisal list (экспертиза ценности, BRIEF §6–§7, §9): the dossiers whose retention runs
// out by a chosen date (retention arithmetic: 1 January of closing year + N + 1), grouped by
// fonds, year, department and retention article; ЭПК-marked and "until no longer needed" ones
// flagged for review (they may go to permanent keeping instead). The appraiser records a decision
// per dossier with a reason: destroy (the dossier may go on a destruction act); keep
// permanently or extend the retention by N years — both are questions for the expert commission
// (agenda items move_to_permanent / extend_retention), applied once the commission adopted them
// and its protocol is signed: the dossier's retention in force changes (appraisal_retention_changes),
// audited. A rejected proposal is recorded, and the appraiser decides again.
import { sql, type Kysely } from 'kysely';
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
  /** Dossiers in the whole group (not only on this page). */
  count: number;
  /** Of them, ЭПК or ДМН (needing review). */
  epk: number;
  /** The group began on an earlier page. */
  continued: boolean;
  /** The group's dossiers on this page, by index. */
  dossiers: AppraisalEntry[];
}

export interface AppraisalList {
  by: string;
  total: number;
  needsReview: number;
  decided: number;
  /** 1-based page, its size, and how many pages the list has. */
  page: number;
  pageSize: number;
  pages: number;
  groups: AppraisalGroup[];
}

export interface AppraisalFilter {
  /** YYYY-MM-DD: retention ends on or before this day. */
  by: string;
  fonds?: string;
  year?: number;
  department?: string;
  article?: string;
  /** 1-based; default 1. */
  page?: number;
  /** Dossiers per page; default APPRAISAL_PAGE_SIZE, at most APPRAISAL_MAX_PAGE_SIZE. */
  pageSize?: number;
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

// The list is one SQL query (docs/appraisal.md "The list in SQL"): the retention in force (the
// latest commission change, else the metadata's), the closing year (the dossier's year or its
// latest document's, whichever is later) and the first year of destruction (closing + N + 1) are
// computed by the database, so only a page of dossiers is read, whatever the catalog's size.
// The arithmetic is catalog/retention's (1 January of Y + N + 1 ≤ the chosen day ⇔ Y + N + 1 ≤
// its year); the page's entries then go through assessDossiers like every other view, and the
// test compares both.
//
// At scale (docs/scale.md) the stored, indexed dossiers.appraisal_due_year (kept by triggers at
// every write of a dossier and of a retention change, appraisal/migrations/202612090100) selects
// the due dossiers first, so the JSON is read only for them; the exact conditions below still
// decide. `base` is MATERIALIZED: inlined into each of its uses, its correlated look-up of the
// retention change ran about ten times per dossier. A department or year filter is applied to
// the row's own columns as early as it can be (a row whose column is null falls back to the
// metadata's value, so it stays in).
function dueDossiers(by: string, filter: AppraisalFilter) {
  const byYear = Number(by.slice(0, 4));
  const early = [sql`true`];
  if (filter.year !== undefined) early.push(sql`(d.year = ${filter.year} or d.year is null)`);
  if (filter.department) early.push(sql`(d.department = ${filter.department} or d.department is null)`);
  const conditions = [sql`true`];
  if (filter.fonds) conditions.push(sql`fonds = ${filter.fonds}`);
  if (filter.year !== undefined) conditions.push(sql`year = ${filter.year}`);
  if (filter.department) conditions.push(sql`department = ${filter.department}`);
  if (filter.article) conditions.push(sql`article = ${filter.article}`);
  return sql`
    with base as materialized (
      select d.id, d.case_index,
        coalesce(d.year, case when jsonb_typeof(d.metadata->'year') = 'number' and d.metadata->>'year' ~ '^[0-9]{4}$' then (d.metadata->>'year')::int end) as year,
        coalesce(d.department, case when jsonb_typeof(d.metadata->'department'->'code') = 'string' then d.metadata->'department'->>'code' end) as department,
        case when jsonb_typeof(d.metadata->'fonds') = 'string' then d.metadata->>'fonds' end as fonds,
        case when jsonb_typeof(d.metadata->'endDate') = 'string' and d.metadata->>'endDate' ~ '^[0-9]{4}-' then substr(d.metadata->>'endDate', 1, 4)::int end as end_year,
        coalesce(
          (select c.retention from appraisal_retention_changes c where c.dossier_id = d.id order by c.applied_at desc limit 1),
          d.metadata->'retention'
        ) as r
      from dossiers d
      where d.status = 'stored'
        and d.appraisal_due_year <= ${byYear}
        and ${sql.join(early, sql` and `)}
        and not exists (
          select 1 from destruction_act_items i join destruction_acts a on a.id = i.act_id
          where i.dossier_id = d.id and a.status = 'executed'
        )
    ), periods as (
      select b.id, b.case_index, b.year, b.department, b.fonds, b.end_year,
        b.r->>'kind' as kind,
        case when jsonb_typeof(b.r->'years') = 'number' and b.r->>'years' ~ '^[0-9]{1,3}$' then (b.r->>'years')::int end as years,
        nullif(btrim(case when jsonb_typeof(b.r->'article') = 'string' then b.r->>'article' end), '') as article
      from base b
    ), due as materialized (
      select p.*, p.kind in ('years_epk', 'until_needed') as needs_review
      from periods p
      where (p.kind = 'until_needed'
          or (p.kind in ('years', 'years_epk') and p.years between 1 and 100 and greatest(p.year, p.end_year) + p.years + 1 <= ${byYear}))
        and ${sql.join(conditions, sql` and `)}
    )`;
}

/** Group order: fonds and article by their leading number, then as text; nulls last. The same in the summary and the page. */
const GROUP_ORDER = sql`
  (substring(fonds from '^[0-9]{1,9}'))::int nulls last, fonds collate "C" nulls last,
  year nulls last, department collate "C" nulls last,
  (substring(article from '^[0-9]{1,9}'))::int nulls last, article collate "C" nulls last`;

export const APPRAISAL_PAGE_SIZE = 100;
export const APPRAISAL_MAX_PAGE_SIZE = 1000;

/**
 * The appraisal list: the dossiers whose retention runs out by `filter.by` (and ДМН ones), grouped
 * by fonds, year, department and article, with decisions, holds and acts. Paged: every group's
 * count and the totals cover the whole list; `groups` holds the groups this page touches, each
 * with its dossiers on this page (`continued` when it began on an earlier one).
 */
export async function appraisalList(db: Kysely<Database>, filter: AppraisalFilter): Promise<AppraisalList> {
  const by = assertIsoDate(filter.by, 'by');
  const pageSize = pageNumber(filter.pageSize ?? APPRAISAL_PAGE_SIZE, 'pageSize', APPRAISAL_MAX_PAGE_SIZE);
  const page = pageNumber(filter.page ?? 1, 'page', 1_000_000);
  const due = dueDossiers(by, filter);
  const offset = (page - 1) * pageSize;
  // One statement: the groups of the whole list and this page's dossiers read the due dossiers
  // computed once (`due` materialized), and agree with each other.
  const result = (
    await sql<{ part: 'group' | 'page'; fonds: string | null; year: number | null; department: string | null; article: string | null; id: string | null; count: number | string; review: number | string; decided: number | string }>`
      ${due},
      summary as (
        select fonds, year, department, article, count(*) as count,
          count(*) filter (where needs_review) as review,
          count(*) filter (where exists (select 1 from appraisal_decisions x where x.dossier_id = due.id and x.current)) as decided
        from due
        group by fonds, year, department, article
      ),
      numbered as (
        select 'group' as part, row_number() over (order by ${GROUP_ORDER}) as n, fonds, year, department, article, null::uuid as id, count, review, decided from summary
        union all
        select 'page', row_number() over (order by ${GROUP_ORDER}, case_index collate "C", id), fonds, year, department, article, id, 0, 0, 0
        from (select * from due order by ${GROUP_ORDER}, case_index collate "C", id limit ${pageSize} offset ${offset}) p
      )
      select part, fonds, year, department, article, id, count, review, decided from numbered order by part, n`.execute(db)
  ).rows;
  const summary = result
    .filter((g) => g.part === 'group')
    .map((g) => ({ fonds: g.fonds, year: g.year === null ? null : Number(g.year), department: g.department, article: g.article, count: Number(g.count), review: Number(g.review), decided: Number(g.decided) }));
  const total = summary.reduce((n, g) => n + g.count, 0);
  const rows = result.filter((r) => r.part === 'page').map((r) => ({ id: r.id!, fonds: r.fonds, year: r.year, department: r.department, article: r.article }));
  const ids = rows.map((r) => r.id);
  const dossiers = new Map((await loadAppraisalDossiers(db, ids)).map((d) => [d.id, d]));
  const acts = await dossiersOnOpenActs(db, ids);
  const held = await heldDossiers(db, ids);
  const decisions = new Map((await decisionRows(db, { dossierIds: ids, current: true })).map((r) => [r.dossier_id, decisionView(r)]));
  const key = (g: { fonds: string | null; year: number | null; department: string | null; article: string | null }) =>
    JSON.stringify([g.fonds, g.year === null ? null : Number(g.year), g.department, g.article]);
  const groups = new Map<string, AppraisalGroup>();
  let start = 0;
  for (const g of summary) {
    const end = start + g.count;
    if (end > offset && start < offset + pageSize) {
      groups.set(key(g), { fonds: g.fonds, year: g.year, department: g.department, article: g.article, count: g.count, epk: g.review, continued: start < offset, dossiers: [] });
    }
    start = end;
  }
  for (const r of rows) {
    const d = dossiers.get(r.id);
    const group = groups.get(key(r));
    if (!d || !group) continue; // stored no longer (changed since the list's statement): shown on the next load
    group.dossiers.push(toEntry(d, decisions.get(d.id) ?? null, held.get(d.id) ?? null, acts.get(d.id) ?? null));
  }
  return {
    by,
    total,
    needsReview: summary.reduce((n, g) => n + g.review, 0),
    decided: summary.reduce((n, g) => n + g.decided, 0),
    page,
    pageSize,
    pages: Math.max(1, Math.ceil(total / pageSize)),
    groups: [...groups.values()].filter((g) => g.dossiers.length > 0),
  };
}

function pageNumber(value: unknown, field: string, max: number): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new ValidationError('appraisal.page_invalid', 'appraisal.page_invalid', { field, value: String(value), max });
  return n;
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
  /** Kept permanently and its sealed content re-stored in clear (destruction/unseal.ts). */
  storedInClear?: { objects: number; manifest: string };
  /** Re-storing in clear failed; the dossier stays sealed and the next apply retries it. */
  storedInClearError?: string;
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
