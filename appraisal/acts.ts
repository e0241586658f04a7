// Destruction acts (BRIEF §9, p.186-1): the archivist drafts an act from dossiers whose retention
// has run out, the act goes to the expert commission (an agenda item destruction_act_approval),
// is agreed when the commission adopted it and its protocol is signed, approved by the
// organisation head with a CMS signature over a stored rendition of the act, then executed by
// destruction/ (markActExecuted). Lifecycle: draft → submitted → agreed → approved → executed;
// a commission that rejects the act sends it back to draft. Drafting is refused for a held
// dossier, a dossier on another act, a dossier not yet due, a permanent one, an ЭПК-marked one
// without the appraiser's "destroy" decision, and when the permanent inventories (App. 30) of
// the act's years are not approved (the act's line on them must be true). Every change audited.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database/database';
import { recordAudit, type Actor } from '../audit/audit.service';
import type { Role } from '../accounts/roles';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../common/errors';
import { putEverywhere } from '../ingest/aip';
import { readVerifiedBytes, type Storage } from '../storage';
import { verifyRegisteredSignature, type SignatureVerifier } from '../accounts';
import { renderDestructionActPdf, type DestructionActForm, type DestructionActRow } from '../forms/destruction-act';
import { dossiersOnOpenActs, loadAppraisalDossiers, nomenclaturePositions, type AppraisalDossier } from './dossiers';
import { heldDossiers, isUuid } from './holds';
import type { ActApproval, ActExecution, ActPerson, DestructionActStatus, PermanentInventoriesOfYear, ProtocolRef, StoredRetention } from './tables';

/** The commission's side, as commission/index.ts offers it (injected, so tests and wiring choose). */
export type AgendaItemKind = 'nomenclature_approval' | 'inventory_approval' | 'destruction_act_approval' | 'move_to_permanent' | 'extend_retention';
export interface CommissionDecision {
  itemId: string;
  meetingId: string;
  protocolNumber: string;
  protocolDate: string;
  outcome: 'adopted' | 'rejected';
  protocolSigned: boolean;
}
export interface CommissionPort {
  proposeAgendaItem(db: Kysely<Database>, actor: Actor, input: { kind: AgendaItemKind; subjectId: string; title: string; details?: unknown }): Promise<{ id: string }>;
  decisionOn(db: Kysely<Database>, kind: AgendaItemKind, subjectId: string): Promise<CommissionDecision | null>;
}

export type { SignatureVerifier } from '../accounts';

export interface ActsDeps {
  db: Kysely<Database>;
  storage?: Storage;
  commission?: CommissionPort;
  verifySignature?: SignatureVerifier;
  trustDir?: string;
  /** The clock (tests move it): the act's date and "retention has run out by". */
  now?: () => Date;
}

export const ACT_DRAFTERS: readonly Role[] = ['archivist'];
export const ACT_READERS: readonly Role[] = ['archivist', 'commission_chair', 'commission_secretary', 'commission_member', 'organisation_head', 'admin'];
export const ACT_APPROVERS: readonly Role[] = ['organisation_head'];

export interface ActRowView {
  position: number;
  dossierId: string;
  index: string;
  heading: string;
  year: number | null;
  department: string | null;
  startDate: string | null;
  endDate: string | null;
  retention: StoredRetention;
  inventoryNumber: string | null;
}

export interface ActRenditionView {
  id: string;
  language: 'kk' | 'ru';
  statusAtRender: string;
  sha256: string;
  size: number;
  createdBy: string;
  createdAt: string;
  signedBy: string | null;
  signedAt: string | null;
}

export interface ActView {
  id: string;
  number: string;
  year: number;
  date: string;
  fondsNumber: string | null;
  basis: string;
  status: DestructionActStatus;
  appraiser: ActPerson;
  permanentInventories: PermanentInventoriesOfYear[];
  agendaItemId: string | null;
  protocol: ProtocolRef | null;
  approval: ActApproval | null;
  execution: ActExecution | null;
  createdBy: string;
  createdAt: string;
  submittedAt: string | null;
  agreedAt: string | null;
  approvedAt: string | null;
  executedAt: string | null;
  rows: ActRowView[];
  totals: { dossiers: number; years: number[] };
  renditions: ActRenditionView[];
}

export interface ActSummary {
  id: string;
  number: string;
  year: number;
  date: string;
  status: DestructionActStatus;
  dossiers: number;
  createdBy: string;
}

export interface DraftActInput {
  dossierIds: string[];
  basis: string;
  appraiser: ActPerson;
}

function iso(value: Date | string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** A `date` column as YYYY-MM-DD: the drivers give a Date at local midnight (or a string). */
function dateText(value: unknown): string {
  if (value instanceof Date) {
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
  }
  return String(value).slice(0, 10);
}

function today(now: Date): string {
  return now.toISOString().slice(0, 10);
}

function requireRole(actor: Actor, roles: readonly Role[]): void {
  if (actor.userId !== null && !actor.roles.some((r) => roles.includes(r))) {
    throw new ForbiddenError('appraisal.forbidden', 'appraisal.forbidden', { roles: roles.join(', ') });
  }
}

function text(value: unknown, field: string, max: number): string {
  const s = typeof value === 'string' ? value.trim() : '';
  if (!s) throw new ValidationError('appraisal.field_required', 'appraisal.field_required', { field });
  if (s.length > max) throw new ValidationError('appraisal.field_too_long', 'appraisal.field_too_long', { field, max });
  return s;
}

function person(value: ActPerson | null | undefined, field: string): ActPerson {
  if (!value || typeof value !== 'object') throw new ValidationError('appraisal.field_required', 'appraisal.field_required', { field });
  return { name: text(value.name, `${field}.name`, 300), position: text(value.position, `${field}.position`, 300) };
}

/** A refusal naming the first dossier and listing every problem in details. */
class DossierProblems {
  readonly list: { dossierId: string; index: string; year: number | null; code: string; params: Record<string, string | number> }[] = [];
  add(d: { id: string; index: string; year: number | null }, code: string, params: Record<string, string | number> = {}) {
    this.list.push({ dossierId: d.id, index: d.index, year: d.year, code, params });
  }
  throwIfAny(): void {
    const first = this.list[0];
    if (!first) return;
    const params = { index: first.index, year: first.year ?? '', count: this.list.length, ...first.params };
    const Error = first.code === 'appraisal.dossier_not_found' ? NotFoundError : first.code === 'appraisal.dossier_on_act' ? ConflictError : ValidationError;
    throw new Error(first.code, first.code, params, { problems: this.list });
  }
}

/**
 * The years whose permanent inventories (App. 30) are not all approved: a year needs at least
 * one approved permanent inventory and no permanent inventory still in draft.
 */
export async function permanentInventoriesOf(db: Kysely<Database>, years: number[]): Promise<{ approved: PermanentInventoriesOfYear[]; missing: number[] }> {
  const wanted = [...new Set(years)].sort((a, b) => a - b);
  if (wanted.length === 0) return { approved: [], missing: [] };
  const rows = await db
    .selectFrom('inventories')
    .select(['year', 'number', 'department_code', 'status', 'approved_at', 'commission'])
    .where('category', '=', 'permanent')
    .where('status', '!=', 'discarded')
    .where('year', 'in', wanted)
    .orderBy('year')
    .orderBy('number')
    .execute();
  const approved: PermanentInventoriesOfYear[] = [];
  const missing: number[] = [];
  for (const year of wanted) {
    const ofYear = rows.filter((r) => r.year === year);
    if (ofYear.length === 0 || ofYear.some((r) => r.status !== 'approved')) {
      missing.push(year);
      continue;
    }
    approved.push({
      year,
      inventories: ofYear.map((r) => ({ number: r.number, department: r.department_code, approvedAt: iso(r.approved_at), protocol: r.commission ? json<ProtocolRef>(r.commission) : null })),
    });
  }
  return { approved, missing };
}

export function createActsService(deps: ActsDeps) {
  const { db } = deps;
  const now = () => deps.now?.() ?? new Date();

  async function actRow(id: string, trx: Kysely<Database> = db) {
    const row = isUuid(id) ? await trx.selectFrom('destruction_acts').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
    if (!row) throw new NotFoundError('appraisal.act_not_found', 'appraisal.act_not_found', { id });
    return row;
  }

  async function get(id: string): Promise<ActView> {
    const row = await actRow(id);
    const items = await db.selectFrom('destruction_act_items').selectAll().where('act_id', '=', id).orderBy('position').execute();
    const renditions = await db.selectFrom('destruction_act_renditions').selectAll().where('act_id', '=', id).orderBy('created_at', 'desc').execute();
    const rows: ActRowView[] = items.map((i) => ({
      position: i.position,
      dossierId: i.dossier_id,
      index: i.case_index,
      heading: i.heading,
      year: i.year,
      department: i.department,
      startDate: i.start_date,
      endDate: i.end_date,
      retention: json<StoredRetention>(i.retention),
      inventoryNumber: i.inventory_number,
    }));
    return {
      id: row.id,
      number: row.number,
      year: row.act_year,
      date: dateText(row.act_date),
      fondsNumber: row.fonds_number,
      basis: row.basis,
      status: row.status,
      appraiser: json<ActPerson>(row.appraiser),
      permanentInventories: json<PermanentInventoriesOfYear[]>(row.permanent_inventories),
      agendaItemId: row.agenda_item_id,
      protocol: row.protocol ? json<ProtocolRef>(row.protocol) : null,
      approval: row.approval ? json<ActApproval>(row.approval) : null,
      execution: row.execution ? json<ActExecution>(row.execution) : null,
      createdBy: row.created_by,
      createdAt: iso(row.created_at)!,
      submittedAt: iso(row.submitted_at),
      agreedAt: iso(row.agreed_at),
      approvedAt: iso(row.approved_at),
      executedAt: iso(row.executed_at),
      rows,
      totals: { dossiers: rows.length, years: [...new Set(rows.map((r) => r.year).filter((y): y is number => y !== null))].sort((a, b) => a - b) },
      renditions: renditions.map((r) => ({
        id: r.id,
        language: r.language,
        statusAtRender: r.status_at_render,
        sha256: r.sha256,
        size: Number(r.size),
        createdBy: r.created_by,
        createdAt: iso(r.created_at)!,
        signedBy: r.signed_by,
        signedAt: iso(r.signed_at),
      })),
    };
  }

  async function list(filter: { status?: string } = {}): Promise<ActSummary[]> {
    let query = db
      .selectFrom('destruction_acts as a')
      .leftJoin('destruction_act_items as i', 'i.act_id', 'a.id')
      .select((eb) => ['a.id', 'a.number', 'a.act_year', 'a.act_date', 'a.status', 'a.created_by', eb.fn.count<string>('i.dossier_id').as('dossiers')])
      .groupBy(['a.id', 'a.number', 'a.act_year', 'a.act_date', 'a.status', 'a.created_by'])
      .orderBy('a.act_year', 'desc')
      .orderBy('a.created_at', 'desc');
    if (filter.status) query = query.where('a.status', '=', filter.status as DestructionActStatus);
    const rows = await query.execute();
    return rows.map((r) => ({ id: r.id, number: r.number, year: r.act_year, date: dateText(r.act_date), status: r.status, dossiers: Number(r.dossiers), createdBy: r.created_by }));
  }

  /** Checks every dossier for the act; refuses naming the first problem (all in details). */
  async function checkDossiers(ids: string[], on: Date, exceptAct: string | null): Promise<AppraisalDossier[]> {
    const problems = new DossierProblems();
    const unique = [...new Set(ids)];
    if (unique.length === 0) throw new ValidationError('appraisal.act_empty', 'appraisal.act_empty', {});
    for (const id of unique) if (!isUuid(id)) problems.add({ id: String(id), index: String(id), year: null }, 'appraisal.dossier_not_found', { id: String(id) });
    problems.throwIfAny();
    const dossiers = await loadAppraisalDossiers(db, unique);
    const found = new Set(dossiers.map((d) => d.id));
    for (const id of unique) if (!found.has(id)) problems.add({ id, index: id, year: null }, 'appraisal.dossier_not_found', { id });
    problems.throwIfAny();
    const held = await heldDossiers(db, unique);
    const onActs = await dossiersOnOpenActs(db, unique);
    const decisions = await db.selectFrom('appraisal_decisions').select(['dossier_id', 'decision', 'status']).where('current', '=', true).where('dossier_id', 'in', unique).execute();
    const decisionOf = new Map(decisions.map((d) => [d.dossier_id, d]));
    const day = today(on);
    for (const d of dossiers) {
      const hold = held.get(d.id);
      if (hold) problems.add(d, 'appraisal.dossier_held', { reason: hold.reason });
      const act = onActs.get(d.id);
      if (act && act.actId !== exceptAct) problems.add(d, 'appraisal.dossier_on_act', { act: act.number });
      const a = d.assessment;
      if (!a) problems.add(d, 'appraisal.dossier_retention_unknown');
      else if (a.destruction.kind === 'never') problems.add(d, 'appraisal.dossier_permanent');
      else if (a.destruction.kind === 'from' && a.destruction.date > day) problems.add(d, 'appraisal.dossier_not_due', { date: a.destruction.date });
      else if (a.destruction.kind === 'unknown') problems.add(d, 'appraisal.dossier_retention_unknown');
      const decision = decisionOf.get(d.id);
      if (decision && decision.decision !== 'destroy') problems.add(d, 'appraisal.dossier_decided_keep', { decision: decision.decision });
      else if (!decision && a && (a.epk || a.destruction.kind === 'when_no_longer_needed')) problems.add(d, 'appraisal.dossier_needs_review');
    }
    problems.throwIfAny();
    return dossiers;
  }

  async function writeItems(trx: Transaction<Database>, actId: string, dossiers: AppraisalDossier[]): Promise<void> {
    await trx.deleteFrom('destruction_act_items').where('act_id', '=', actId).execute();
    const sorted = [...dossiers].sort((a, b) => (a.year ?? 0) - (b.year ?? 0) || a.index.localeCompare(b.index, 'en', { numeric: true }));
    await trx
      .insertInto('destruction_act_items')
      .values(
        sorted.map((d, i) => ({
          act_id: actId,
          dossier_id: d.id,
          position: i + 1,
          case_index: d.index,
          heading: d.heading,
          year: d.year,
          department: d.department,
          start_date: d.startDate,
          end_date: d.endDate,
          retention: JSON.stringify(d.retention),
          inventory_number: d.inventoryNumber,
        })),
      )
      .execute();
  }

  async function inventoriesOrRefuse(dossiers: AppraisalDossier[]): Promise<PermanentInventoriesOfYear[]> {
    const years = dossiers.map((d) => d.year).filter((y): y is number => y !== null);
    const { approved, missing } = await permanentInventoriesOf(db, years);
    if (missing.length) {
      throw new ConflictError('appraisal.permanent_inventories_not_approved', 'appraisal.permanent_inventories_not_approved', { years: missing.join(', '), count: missing.length }, { years: missing });
    }
    return approved;
  }

  /** Drafts an act (audit `destruction_act.draft`). */
  async function draft(actor: Actor, input: DraftActInput): Promise<ActView> {
    requireRole(actor, ACT_DRAFTERS);
    const basis = text(input.basis, 'basis', 2000);
    const appraiser = person(input.appraiser, 'appraiser');
    if (!Array.isArray(input.dossierIds)) throw new ValidationError('appraisal.field_required', 'appraisal.field_required', { field: 'dossierIds' });
    const on = now();
    const dossiers = await checkDossiers(input.dossierIds, on, null);
    const inventories = await inventoriesOrRefuse(dossiers);
    const organisation = await db.selectFrom('organisation').select(['fonds_number']).executeTakeFirst();
    const fonds = dossiers.find((d) => d.fonds)?.fonds ?? organisation?.fonds_number ?? null;
    const year = on.getUTCFullYear();
    const id = await db.transaction().execute(async (trx) => {
      // The number: the next of the year; the unique (year, number) index settles a race.
      const last = await trx.selectFrom('destruction_acts').select((eb) => eb.fn.count<string>('id').as('n')).where('act_year', '=', year).executeTakeFirstOrThrow();
      const number = String(Number(last.n) + 1);
      // Lock the dossiers' rows so two drafts cannot take the same dossier at once.
      await trx.selectFrom('dossiers').select('id').where('id', 'in', dossiers.map((d) => d.id)).forUpdate().execute();
      const again = await dossiersOnOpenActs(trx, dossiers.map((d) => d.id));
      const taken = dossiers.find((d) => again.has(d.id));
      if (taken) throw new ConflictError('appraisal.dossier_on_act', 'appraisal.dossier_on_act', { index: taken.index, year: taken.year ?? '', act: again.get(taken.id)!.number, count: 1 });
      const row = await trx
        .insertInto('destruction_acts')
        .values({
          number,
          act_year: year,
          act_date: today(on),
          fonds_number: fonds,
          basis,
          appraiser: JSON.stringify(appraiser),
          permanent_inventories: JSON.stringify(inventories),
          created_by: actor.username,
          created_by_user: actor.userId,
          updated_at: on,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await writeItems(trx, row.id, dossiers);
      await recordAudit(trx, {
        actor,
        action: 'destruction_act.draft',
        objectType: 'destruction_act',
        objectId: row.id,
        details: { number: `${number}/${year}`, dossiers: dossiers.length, indexes: dossiers.map((d) => d.index), years: inventories.map((i) => i.year) },
      });
      return row.id;
    });
    return get(id);
  }

  /** Replaces a draft's dossiers, basis or appraiser (audit `destruction_act.update`). */
  async function update(actor: Actor, id: string, input: Partial<DraftActInput>): Promise<ActView> {
    requireRole(actor, ACT_DRAFTERS);
    const act = await actRow(id);
    if (act.status !== 'draft') throw new ConflictError('appraisal.act_not_draft', 'appraisal.act_not_draft', { number: `${act.number}/${act.act_year}`, status: act.status });
    const basis = input.basis !== undefined ? text(input.basis, 'basis', 2000) : act.basis;
    const appraiser = input.appraiser !== undefined ? person(input.appraiser, 'appraiser') : json<ActPerson>(act.appraiser);
    const dossiers = input.dossierIds !== undefined ? await checkDossiers(input.dossierIds, now(), id) : null;
    const inventories = dossiers ? await inventoriesOrRefuse(dossiers) : null;
    await db.transaction().execute(async (trx) => {
      if (dossiers) {
        await trx.selectFrom('dossiers').select('id').where('id', 'in', dossiers.map((d) => d.id)).forUpdate().execute();
        const again = await dossiersOnOpenActs(trx, dossiers.map((d) => d.id));
        const taken = dossiers.find((d) => again.has(d.id) && again.get(d.id)!.actId !== id);
        if (taken) throw new ConflictError('appraisal.dossier_on_act', 'appraisal.dossier_on_act', { index: taken.index, year: taken.year ?? '', act: again.get(taken.id)!.number, count: 1 });
        await writeItems(trx, id, dossiers);
      }
      await trx
        .updateTable('destruction_acts')
        .set({ basis, appraiser: JSON.stringify(appraiser), ...(inventories ? { permanent_inventories: JSON.stringify(inventories) } : {}), updated_at: now() })
        .where('id', '=', id)
        .execute();
      await recordAudit(trx, { actor, action: 'destruction_act.update', objectType: 'destruction_act', objectId: id, details: { number: `${act.number}/${act.act_year}`, dossiers: dossiers?.length ?? null, basisChanged: basis !== act.basis } });
    });
    return get(id);
  }

  function commission(): CommissionPort {
    if (!deps.commission) throw new AppError('appraisal.commission_unavailable', 'appraisal.commission_unavailable', {});
    return deps.commission;
  }

  /** Sends a draft to the expert commission: an agenda item destruction_act_approval (audit `destruction_act.submit`). */
  async function submit(actor: Actor, id: string): Promise<ActView> {
    requireRole(actor, ACT_DRAFTERS);
    const act = await get(id);
    if (act.status !== 'draft') throw new ConflictError('appraisal.act_not_draft', 'appraisal.act_not_draft', { number: `${act.number}/${act.year}`, status: act.status });
    // A hold placed after drafting stops the act here already.
    await checkDossiers(act.rows.map((r) => r.dossierId), now(), id);
    await inventoriesOrRefuse(await loadAppraisalDossiers(db, act.rows.map((r) => r.dossierId)));
    const item = await commission().proposeAgendaItem(db, actor, {
      kind: 'destruction_act_approval',
      subjectId: id,
      title: `Акт № ${act.number}/${act.year} о выделении к уничтожению документов, не подлежащих хранению (${act.rows.length})`,
      details: { number: `${act.number}/${act.year}`, dossiers: act.rows.length, years: act.totals.years },
    });
    await db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('destruction_acts')
        .set({ status: 'submitted', agenda_item_id: item.id, submitted_at: now(), updated_at: now() })
        .where('id', '=', id)
        .where('status', '=', 'draft')
        .returning('id')
        .executeTakeFirst();
      if (!updated) throw new ConflictError('appraisal.act_not_draft', 'appraisal.act_not_draft', { number: `${act.number}/${act.year}`, status: 'submitted' });
      await recordAudit(trx, { actor, action: 'destruction_act.submit', objectType: 'destruction_act', objectId: id, details: { number: `${act.number}/${act.year}`, agendaItem: item.id } });
    });
    return get(id);
  }

  /**
   * Reads the commission's decision on a submitted act: adopted with a signed protocol → agreed
   * (audit `destruction_act.agree`); rejected → back to draft (audit `destruction_act.reject`);
   * otherwise refused as not decided yet.
   */
  async function refresh(actor: Actor, id: string): Promise<ActView> {
    requireRole(actor, [...ACT_DRAFTERS, ...ACT_APPROVERS, 'commission_secretary', 'commission_chair']);
    const act = await get(id);
    if (act.status !== 'submitted') throw new ConflictError('appraisal.act_not_submitted', 'appraisal.act_not_submitted', { number: `${act.number}/${act.year}`, status: act.status });
    const decision = await commission().decisionOn(db, 'destruction_act_approval', id);
    if (!decision || decision.itemId !== act.agendaItemId || (decision.outcome === 'adopted' && !decision.protocolSigned)) {
      throw new ConflictError('appraisal.act_not_decided', 'appraisal.act_not_decided', { number: `${act.number}/${act.year}` });
    }
    const protocol = { number: decision.protocolNumber, date: decision.protocolDate };
    await db.transaction().execute(async (trx) => {
      if (decision.outcome === 'adopted') {
        await trx.updateTable('destruction_acts').set({ status: 'agreed', protocol: JSON.stringify(protocol), agreed_at: now(), updated_at: now() }).where('id', '=', id).where('status', '=', 'submitted').execute();
        await recordAudit(trx, { actor, action: 'destruction_act.agree', objectType: 'destruction_act', objectId: id, details: { number: `${act.number}/${act.year}`, protocolNumber: protocol.number, protocolDate: protocol.date, meeting: decision.meetingId } });
      } else {
        await trx.updateTable('destruction_acts').set({ status: 'draft', agenda_item_id: null, submitted_at: null, updated_at: now() }).where('id', '=', id).where('status', '=', 'submitted').execute();
        await recordAudit(trx, { actor, action: 'destruction_act.reject', objectType: 'destruction_act', objectId: id, details: { number: `${act.number}/${act.year}`, protocolNumber: protocol.number, protocolDate: protocol.date } });
      }
    });
    return get(id);
  }

  /** The form's model: rows grouped by index, heading and retention (a group over years is one row). */
  async function formModel(id: string): Promise<DestructionActForm> {
    const act = await get(id);
    const organisation = await db.selectFrom('organisation').select(['name_kk', 'name_ru', 'fonds_number']).executeTakeFirst();
    const positions = await nomenclaturePositions(db, act.rows.map((r) => ({ index: r.index, year: r.year })));
    const groups = new Map<string, ActRowView[]>();
    for (const r of act.rows) {
      const key = JSON.stringify([r.index, r.heading, r.retention.kind, r.retention.years ?? null, r.retention.article ?? null]);
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    const rows: DestructionActRow[] = [...groups.values()].map((members, i) => {
      const starts = members.map((m) => m.startDate).filter((s): s is string => !!s).sort();
      const ends = members.map((m) => m.endDate).filter((s): s is string => !!s).sort();
      const first = members[0]!;
      return {
        number: i + 1,
        heading: first.heading,
        dates: { from: starts[0] ?? null, to: ends[ends.length - 1] ?? null },
        registers: members.map((m) => ({ year: m.year, inventory: m.inventoryNumber, nomenclatureItem: m.year === null ? null : positions.get(`${m.year}|${m.index}`) ?? null })),
        indexes: [...new Set(members.map((m) => m.index))],
        count: members.length,
        retention: { kind: first.retention.kind, years: first.retention.years ?? null, article: first.retention.article ?? null },
        note: null,
      };
    });
    const approver = act.approval;
    return {
      kind: 'destruction-act',
      id: act.id,
      organisation: { name: organisation ? { kk: organisation.name_kk, ru: organisation.name_ru } : '', fondsNumber: organisation?.fonds_number ?? null },
      approval: {
        signature: approver
          ? { person: { position: approver.position ?? '', name: approver.name }, date: approver.date, signed: true, signedAt: act.approvedAt, certificate: typeof approver.signer.subject === 'string' ? approver.signer.subject : null }
          : { person: null, date: null, signed: false },
      },
      number: `${act.number}/${act.year}`,
      date: act.date,
      place: null,
      basis: act.basis,
      fondsNumber: act.fondsNumber,
      rows,
      totals: { dossiers: act.rows.length, years: act.totals.years },
      permanentInventories: act.permanentInventories.map((y) => ({ year: y.year, inventories: y.inventories.map((i) => ({ number: i.number, protocol: i.protocol })) })),
      appraiser: { person: { position: act.appraiser.position, name: act.appraiser.name }, date: act.date, signed: false },
      protocol: act.protocol ? { number: act.protocol.number, date: act.protocol.date } : null,
      execution: act.execution ? { method: act.execution.method, date: act.execution.executedAt.slice(0, 10), by: act.execution.executedBy, certificate: act.execution.certificateId ?? null } : null,
    };
  }

  /** The act rendered now as PDF/A-1b in kk or ru. */
  async function render(id: string, lang: 'kk' | 'ru', options: { date?: Date } = {}): Promise<{ bytes: Uint8Array; filename: string; model: DestructionActForm }> {
    const model = await formModel(id);
    const bytes = await renderDestructionActPdf(model, lang, { author: 'Muragat', date: options.date });
    return { bytes, model, filename: `destruction-act-${model.number.replace(/[^\p{L}\p{N}._-]+/gu, '-')}-${lang}.pdf` };
  }

  function storage(): Storage {
    if (!deps.storage) throw new AppError('appraisal.storage_unavailable', 'appraisal.storage_unavailable', {});
    return deps.storage;
  }

  /** Renders kk and ru, stores both on every copy and records them (audit `destruction_act.store`): what the head signs. */
  async function storeRenditions(actor: Actor, id: string): Promise<ActRenditionView[]> {
    requireRole(actor, [...ACT_DRAFTERS, ...ACT_APPROVERS]);
    const act = await get(id);
    for (const lang of ['kk', 'ru'] as const) {
      const { bytes } = await render(id, lang);
      const stored = await putEverywhere(storage(), { bytes });
      await db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('destruction_act_renditions')
          .values({ act_id: id, language: lang, status_at_render: act.status, sha256: stored.sha256, size: stored.size, created_by: actor.username })
          .returning('id')
          .executeTakeFirstOrThrow();
        await recordAudit(trx, { actor, action: 'destruction_act.store', objectType: 'destruction_act', objectId: id, details: { number: `${act.number}/${act.year}`, rendition: row.id, language: lang, sha256: stored.sha256, size: stored.size, status: act.status } });
      });
    }
    return (await get(id)).renditions.slice(0, 2);
  }

  /** The stored bytes of a rendition, verified against their sha256. */
  async function readRendition(id: string, renditionId: string): Promise<{ bytes: Buffer; rendition: ActRenditionView }> {
    const act = await get(id);
    const rendition = act.renditions.find((r) => r.id === renditionId);
    if (!rendition) throw new NotFoundError('appraisal.rendition_not_found', 'appraisal.rendition_not_found', { id: renditionId, number: `${act.number}/${act.year}` });
    return { rendition, bytes: await readVerifiedBytes(storage(), rendition.sha256) };
  }

  /**
   * The organisation head approves an agreed act: a detached CMS over a stored rendition of it
   * (rendered after the commission agreed it), verified, from a certificate registered to the
   * head (audit `destruction_act.approve`).
   */
  async function approve(actor: Actor, id: string, input: { renditionId: string; cms: Uint8Array }): Promise<ActView> {
    requireRole(actor, ACT_APPROVERS);
    const act = await get(id);
    if (act.status !== 'agreed') throw new ConflictError('appraisal.act_not_agreed', 'appraisal.act_not_agreed', { number: `${act.number}/${act.year}`, status: act.status });
    const { bytes, rendition } = await readRendition(id, input.renditionId);
    if (rendition.statusAtRender !== 'agreed') {
      throw new ConflictError('appraisal.rendition_stale', 'appraisal.rendition_stale', { id: rendition.id, number: `${act.number}/${act.year}` });
    }
    const number = `${act.number}/${act.year}`;
    const verified = await verifyRegisteredSignature(db, deps.verifySignature, { cms: input.cms, content: bytes, trustDir: deps.trustDir, actor }, {
      unavailable: () => new AppError('appraisal.verifier_unavailable', 'appraisal.verifier_unavailable', {}),
      invalid: (reason, verdict) => new ValidationError('appraisal.signature_invalid', 'appraisal.signature_invalid', { number, reason }, { verdict }),
      notYours: (subject) => new ForbiddenError('appraisal.signature_not_yours', 'appraisal.signature_not_yours', { subject }),
    });
    const signer = verified.signer;
    // The approver is the certificate's holder (the signed-in head, or for the local operator the
    // user the certificate is registered to), and must hold the organisation head's role.
    const user = await db.selectFrom('users').select(['id', 'username', 'full_name', 'position', 'roles']).where('id', '=', verified.userId).executeTakeFirst();
    if (!user || !(user.roles as string[]).some((r) => ACT_APPROVERS.includes(r as Role))) {
      throw new ForbiddenError('appraisal.signature_role', 'appraisal.signature_role', { subject: signer.subject ?? '', roles: ACT_APPROVERS.join(', ') });
    }
    const cms = await putEverywhere(storage(), { bytes: input.cms });
    const at = now();
    const approval: ActApproval = { renditionId: rendition.id, cmsSha256: cms.sha256, signer, name: user.full_name, position: user.position, username: user.username, date: today(at) };
    await db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('destruction_acts')
        .set({ status: 'approved', approval: JSON.stringify(approval), approved_at: at, updated_at: at })
        .where('id', '=', id)
        .where('status', '=', 'agreed')
        .returning('id')
        .executeTakeFirst();
      if (!updated) throw new ConflictError('appraisal.act_not_agreed', 'appraisal.act_not_agreed', { number: `${act.number}/${act.year}`, status: 'approved' });
      await trx
        .updateTable('destruction_act_renditions')
        .set({ signature_sha256: cms.sha256, signer: JSON.stringify(signer), signed_by: user.username, signed_at: at })
        .where('id', '=', rendition.id)
        .execute();
      await recordAudit(trx, {
        actor,
        action: 'destruction_act.approve',
        objectType: 'destruction_act',
        objectId: id,
        details: { number: `${act.number}/${act.year}`, rendition: rendition.id, sha256: rendition.sha256, cms: cms.sha256, signer: signer.subject, certificateSerial: signer.serialNumber },
      });
    });
    return get(id);
  }

  return { get, list, draft, update, submit, refresh, formModel, render, storeRenditions, readRendition, approve };
}

export type ActsService = ReturnType<typeof createActsService>;

/** What destruction/ needs to execute an act. */
export interface ActForExecution {
  id: string;
  number: string;
  status: DestructionActStatus;
  authorId: string;
  fondsNumber: string | null;
  rows: { dossierId: string; index: string; heading: string }[];
}

/** The act with its rows for execution (NotFoundError naming the id). authorId is the author's user id (or username when drafted by the system). */
export async function loadActForExecution(db: Kysely<Database>, actId: string): Promise<ActForExecution> {
  const row = isUuid(actId) ? await db.selectFrom('destruction_acts').selectAll().where('id', '=', actId).executeTakeFirst() : undefined;
  if (!row) throw new NotFoundError('appraisal.act_not_found', 'appraisal.act_not_found', { id: actId });
  const items = await db.selectFrom('destruction_act_items').select(['dossier_id', 'case_index', 'heading']).where('act_id', '=', actId).orderBy('position').execute();
  return {
    id: row.id,
    number: `${row.number}/${row.act_year}`,
    status: row.status,
    authorId: row.created_by_user ?? row.created_by,
    fondsNumber: row.fonds_number,
    rows: items.map((i) => ({ dossierId: i.dossier_id, index: i.case_index, heading: i.heading })),
  };
}

/**
 * The destruction mark (BRIEF §9 "after destruction: how, when, by whom"): an approved act becomes
 * executed, inside the caller's transaction (audit `destruction_act.execute`). Refused unless the
 * act is approved, when the executor is its author, or when a dossier on it is held.
 */
export async function markActExecuted(trx: Kysely<Database>, actId: string, input: { executedBy: string; executedAt: string; method: string; certificateId?: string }): Promise<void> {
  const act = await loadActForExecution(trx, actId);
  if (act.status !== 'approved') throw new ConflictError('appraisal.act_not_approved', 'appraisal.act_not_approved', { number: act.number, status: act.status });
  const method = text(input.method, 'method', 500);
  const at = new Date(input.executedAt);
  if (Number.isNaN(at.getTime())) throw new ValidationError('appraisal.field_required', 'appraisal.field_required', { field: 'executedAt' });
  const user = await trx
    .selectFrom('users')
    .select(['id', 'username', 'roles'])
    .where((eb) => (isUuid(input.executedBy) ? eb('id', '=', input.executedBy) : eb('username', '=', input.executedBy)))
    .executeTakeFirst();
  if (!user) throw new NotFoundError('appraisal.executor_not_found', 'appraisal.executor_not_found', { user: input.executedBy });
  if (user.id === act.authorId || user.username === act.authorId) throw new ForbiddenError('appraisal.executor_is_author', 'appraisal.executor_is_author', { number: act.number, user: user.username });
  const held = await heldDossiers(trx, act.rows.map((r) => r.dossierId));
  const first = act.rows.find((r) => held.has(r.dossierId));
  if (first) {
    const item = await trx.selectFrom('destruction_act_items').select('year').where('act_id', '=', actId).where('dossier_id', '=', first.dossierId).executeTakeFirst();
    throw new ConflictError('appraisal.dossier_held', 'appraisal.dossier_held', { index: first.index, year: item?.year ?? '', reason: held.get(first.dossierId)!.reason, count: held.size });
  }
  const execution: ActExecution = { executedBy: user.username, executedAt: at.toISOString(), method, certificateId: input.certificateId ?? null };
  const updated = await trx
    .updateTable('destruction_acts')
    .set({ status: 'executed', execution: JSON.stringify(execution), executed_at: at, updated_at: new Date() })
    .where('id', '=', actId)
    .where('status', '=', 'approved')
    .returning('id')
    .executeTakeFirst();
  if (!updated) throw new ConflictError('appraisal.act_not_approved', 'appraisal.act_not_approved', { number: act.number, status: 'executed' });
  await recordAudit(trx, {
    actor: { userId: user.id, username: user.username, roles: user.roles as Role[] },
    action: 'destruction_act.execute',
    objectType: 'destruction_act',
    objectId: actId,
    details: { number: act.number, method, executedAt: execution.executedAt, certificate: execution.certificateId, dossiers: act.rows.length },
  });
}
