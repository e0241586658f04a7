// The consolidated nomenclature of cases for a year (App. 26, p.128–155): sections by
// department in the approved order, case headings with indexes ("03-12", p.149), retention
// with the article of the retention list (p.153), notes (carried over, ЭПК, electronic or
// paper and the medium, p.129, p.154). Drawn up as a draft by the records service, then
// signed, agreed and approved in the order of p.133; an approved nomenclature never changes —
// a change is a new draft (revision) of the same year, which supersedes it once approved.
import type { Kysely, Transaction } from 'kysely';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors';
import { recordAudit, type Actor } from '../../audit/audit.service';
import type { Role } from '../../accounts/roles';
import type { Database } from '../../database/database';
import type { Storage } from '../../storage';
import { storeApprovedForm } from '../../forms/approval';
import { loadNomenclatureForm } from './form';
import { optionalText, requirePattern, requireText } from '../fields';
import { findDepartment } from '../organisation.repository';
import { category, hasEpkMark, type RetentionPeriod } from '../retention/arithmetic';
import { findList } from '../retention/retention.repository';
import { findArticleInList } from '../retention/retention.service';
import type { RetentionKind } from '../tables';
import { FILE_FORMATS, NomenclatureFileInvalidError, readNomenclatureFile, writeNomenclatureFile, type NomenclatureFileFormat } from './file';
import { PROTOCOL_STEPS, STEP_ROLES, isApprovalStep, mayRecord, nextStep, stepsFor } from './chain';
import {
  deleteItem,
  ensureSection,
  findById,
  findDraft,
  findInForce,
  findItemRow,
  findNomenclature,
  insertItem,
  insertNomenclature,
  listItemRows,
  listNomenclatureRows,
  listSections,
  lockNomenclature,
  nextNumbers,
  nextRevision,
  replaceSections,
  setApprovals,
  storedDossierCounts,
  updateItem,
  updateNomenclature,
  type NomenclatureItemRow,
  type NomenclatureRow,
} from './nomenclature.repository';
import type { ApprovalStep, DocumentForm, NomenclatureApproval, NomenclatureStatus } from './tables';

export const RETENTION_KINDS = ['permanent', 'years', 'years_epk', 'until_needed'] as const satisfies readonly RetentionKind[];
export const DOCUMENT_FORMS = ['electronic', 'paper'] as const satisfies readonly DocumentForm[];

/** "years_epk": N years, with expert review (ЭПК) before destruction. */
export interface Retention {
  kind: RetentionKind;
  years?: number | null;
  /** Article of the standard list of documents with retention periods. */
  article?: string | null;
}

export interface NomenclatureItemView {
  id: string;
  position: number;
  caseIndex: string;
  departmentId: string;
  departmentCode: string;
  heading: string;
  headingRu: string | null;
  retention: { kind: RetentionKind; years: number | null; article: string | null };
  /** Version of the retention list the article was checked against; null when none existed. */
  retentionListVersion: number | null;
  category: 'permanent' | 'over_10' | 'up_to_10' | 'personnel';
  epk: boolean;
  dossierCount: number | null;
  carriedOver: boolean;
  carriedFromYear: number | null;
  documentForm: DocumentForm;
  medium: string | null;
  note: string | null;
}

export interface NomenclatureSectionView {
  departmentCode: string;
  nameKk: string;
  nameRu: string;
  position: number;
}

export interface NomenclatureSummaryLineView {
  total: number;
  carriedOver: number;
  withEpkMark: number;
}

/** The year-end record (App. 26, p.155): dossiers opened in the year by retention. */
export interface NomenclatureSummaryView {
  year: number;
  permanent: NomenclatureSummaryLineView;
  /** Over 10 years, personnel (75 years) included, as the form counts them. */
  over10: NomenclatureSummaryLineView;
  upTo10: NomenclatureSummaryLineView;
  totals: NomenclatureSummaryLineView;
  /** Of the over-10 line: personnel dossiers. */
  personnel: NomenclatureSummaryLineView;
  /** Items whose count is neither entered nor known from dossiers kept (counted as 0). */
  itemsWithoutCount: string[];
}

export interface NomenclatureView {
  id: string;
  year: number;
  revision: number;
  status: NomenclatureStatus;
  epkRequired: boolean;
  approvals: NomenclatureApproval[];
  /** The steps this nomenclature goes through, in order, and the next one (null: complete). */
  steps: ApprovalStep[];
  nextStep: ApprovalStep | null;
  approvedAt: string | null;
  inForceFrom: string | null;
  basedOn: string | null;
  itemCount: number;
  sections: NomenclatureSectionView[];
  items: NomenclatureItemView[];
}

export interface AddItemInput {
  departmentCode: string;
  /** Case number within the department; the next free one when absent. */
  number?: number;
  heading: string;
  headingRu?: string | null;
  /** The period; taken from the retention list when only the article is given. */
  retention?: Retention | null;
  /** The article alone (retention from the list). */
  article?: string | null;
  note?: string | null;
  carriedOver?: boolean;
  /** Year the carried-over case was opened; the previous year when absent. */
  carriedFromYear?: number | null;
  documentForm?: DocumentForm;
  medium?: string | null;
}

export type UpdateItemInput = Partial<Omit<AddItemInput, 'departmentCode' | 'number'>>;

export interface StepInput {
  step: ApprovalStep;
  /** Protocol number (the commissions' steps). */
  protocolNumber?: string | null;
  /** Date of the signature or protocol, YYYY-MM-DD; today for a signature when absent. */
  date?: string | null;
  /** Name and position of the signer; from the user's account when absent. */
  name?: string | null;
  position?: string | null;
}

export interface CopyInput {
  /** Target year; the next one when absent. */
  toYear?: number;
  /** Indexes of cases carried over (переходящие): they keep their index and are marked. */
  carriedOver?: string[];
}

/** Who draws up the draft: the records service and the archive. */
export const EDITORS: readonly Role[] = ['records_head', 'archivist'];

function assertRole(actor: Actor, allowed: readonly Role[]): void {
  if (actor.userId === null) return; // local operator (CLI, seed)
  if (!actor.roles.some((r) => allowed.includes(r))) {
    throw new ForbiddenError('nomenclature.forbidden', 'nomenclature.forbidden', { username: actor.username, roles: allowed.join(', ') });
  }
}

export function validateYear(year: unknown): number {
  if (typeof year !== 'number' || !Number.isInteger(year) || year < 1900 || year > 2200) {
    throw new ValidationError('nomenclature.invalid_year', 'nomenclature.invalid_year', { year: String(year) });
  }
  return year;
}

export function validateRetention(retention: unknown, where = 'retention'): { kind: RetentionKind; years: number | null; article: string | null } {
  const r = (retention ?? {}) as Partial<Retention>;
  if (!RETENTION_KINDS.includes(r.kind as RetentionKind)) {
    throw new ValidationError('nomenclature.invalid_retention', 'nomenclature.invalid_retention_kind', {
      field: `${where}.kind`,
      value: String(r.kind),
      allowed: RETENTION_KINDS.join(', '),
    });
  }
  const kind = r.kind as RetentionKind;
  const needsYears = kind === 'years' || kind === 'years_epk';
  const years = r.years ?? null;
  if (needsYears && (typeof years !== 'number' || !Number.isInteger(years) || years < 1 || years > 100)) {
    throw new ValidationError('nomenclature.invalid_retention', 'nomenclature.retention_years_required', { field: `${where}.years`, kind, value: String(years) });
  }
  if (!needsYears && years !== null) {
    throw new ValidationError('nomenclature.invalid_retention', 'nomenclature.retention_years_forbidden', { field: `${where}.years`, kind });
  }
  return { kind, years: needsYears ? years : null, article: optionalText(r.article, `${where}.article`, 50) };
}

function samePeriod(a: RetentionPeriod, b: RetentionPeriod): boolean {
  return a.kind === b.kind && (a.years ?? null) === (b.years ?? null);
}

function periodText(r: RetentionPeriod): string {
  if (r.kind === 'permanent') return 'permanent';
  if (r.kind === 'until_needed') return 'until_needed';
  return `${r.years}${r.kind === 'years_epk' ? ' ЭПК' : ''}`;
}

export function toItemView(row: NomenclatureItemRow): NomenclatureItemView {
  const retention = { kind: row.retention_kind, years: row.retention_years, article: row.retention_article };
  return {
    id: row.id,
    position: row.position,
    caseIndex: row.case_index,
    departmentId: row.department_id,
    departmentCode: row.department_code,
    heading: row.heading,
    headingRu: row.heading_ru,
    retention,
    retentionListVersion: row.retention_list_version,
    category: category(retention),
    epk: hasEpkMark(retention),
    dossierCount: row.dossier_count,
    carriedOver: row.carried_over,
    carriedFromYear: row.carried_from_year,
    documentForm: row.document_form,
    medium: row.medium,
    note: row.note,
  };
}

function dateOnly(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value).slice(0, 10);
}

function toView(row: NomenclatureRow, items: NomenclatureItemRow[], sections: NomenclatureSectionView[]): NomenclatureView {
  const approvals = (row.approvals ?? []) as NomenclatureApproval[];
  return {
    id: row.id,
    year: row.year,
    revision: row.revision,
    status: row.status,
    epkRequired: row.epk_required,
    approvals,
    steps: stepsFor(row.epk_required),
    nextStep: row.status === 'draft' ? nextStep(row.epk_required, approvals) : null,
    approvedAt: row.approved_at ? new Date(row.approved_at).toISOString() : null,
    inForceFrom: dateOnly(row.in_force_from),
    basedOn: row.based_on,
    itemCount: items.length,
    sections,
    items: items.map(toItemView),
  };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(value: unknown, field: string): string {
  const text = requirePattern(value, field, ISO_DATE, 'YYYY-MM-DD');
  const d = new Date(`${text}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== text) {
    throw new ValidationError('catalog.field_invalid', 'catalog.field_invalid', { field, value: text, hint: 'YYYY-MM-DD' });
  }
  return text;
}

/** Summary counts over items, each with its dossier count. */
export function summarise(year: number, items: { view: NomenclatureItemView; count: number | null }[]): NomenclatureSummaryView {
  const line = () => ({ total: 0, carriedOver: 0, withEpkMark: 0 });
  const s = { year, permanent: line(), over10: line(), upTo10: line(), totals: line(), personnel: line(), itemsWithoutCount: [] as string[] };
  for (const { view, count } of items) {
    if (count === null) s.itemsWithoutCount.push(view.caseIndex);
    const n = count ?? 0;
    const lines = [s.totals];
    if (view.category === 'permanent') lines.push(s.permanent);
    else if (view.category === 'up_to_10') lines.push(s.upTo10);
    else lines.push(s.over10);
    if (view.category === 'personnel') lines.push(s.personnel);
    for (const l of lines) {
      l.total += n;
      if (view.carriedOver) l.carriedOver += n;
      if (view.epk) l.withEpkMark += n;
    }
  }
  return s;
}

export function createNomenclatureService(deps: {
  db: Kysely<Database>;
  now?: () => Date;
  /** Where the approved App. 26 is kept (kk and ru PDF/A, forms/approval.ts); absent: not kept. */
  storage?: Storage;
}) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const today = () => now().toISOString().slice(0, 10);

  async function viewOf(row: NomenclatureRow, trx: Kysely<Database> = db): Promise<NomenclatureView> {
    const sections = (await listSections(trx, row.id)).map((s) => ({ departmentCode: s.code, nameKk: s.name_kk, nameRu: s.name_ru, position: s.position }));
    return toView(row, await listItemRows(trx, row.id), sections);
  }

  async function current(year: number): Promise<NomenclatureRow> {
    const row = await findNomenclature(db, validateYear(year));
    if (!row) throw new NotFoundError('nomenclature.not_found', 'nomenclature.not_found', { year });
    return row;
  }

  /** The year's draft, open for editing: no step of the chain recorded yet. */
  async function editableDraft(trx: Transaction<Database>, year: number): Promise<NomenclatureRow> {
    validateYear(year);
    const draft = await findDraft(trx, year);
    if (!draft) {
      const inForce = await findInForce(trx, year);
      if (inForce) throw new ConflictError('nomenclature.approved', 'nomenclature.approved_immutable', { year, revision: inForce.revision });
      throw new NotFoundError('nomenclature.not_found', 'nomenclature.no_draft', { year });
    }
    const locked = await lockNomenclature(trx, draft.id);
    const done = (locked.approvals ?? []) as NomenclatureApproval[];
    if (done.length) {
      throw new ConflictError('nomenclature.draft_in_approval', 'nomenclature.draft_in_approval', { year, step: done[done.length - 1]!.step });
    }
    return locked;
  }

  /** Retention of an item: checked against the latest retention list when there is one (p.153). */
  async function resolveRetention(trx: Transaction<Database>, input: { retention?: Retention | null; article?: string | null }, where: string) {
    const givenArticle = optionalText(input.article ?? input.retention?.article, `${where}.article`, 50);
    const given = input.retention && input.retention.kind !== undefined ? validateRetention({ ...input.retention, article: givenArticle }, 'retention') : null;
    const list = await findList(trx);
    if (!givenArticle) {
      if (!given) throw new ValidationError('nomenclature.retention_missing', 'nomenclature.retention_missing', { field: `${where}` });
      return { ...given, article: null, listVersion: null };
    }
    if (!list) {
      if (!given) throw new ValidationError('nomenclature.retention_missing', 'nomenclature.retention_no_list', { field: `${where}`, article: givenArticle });
      return { ...given, article: givenArticle, listVersion: null };
    }
    // The retention list's own lookup (catalog/retention), in the latest version.
    const article = await findArticleInList(trx, givenArticle, { listVersion: list.version });
    if (!article) {
      throw new ValidationError('nomenclature.article_unknown', 'nomenclature.article_unknown', { field: `${where}.article`, article: givenArticle, version: list.version });
    }
    const fromList = { kind: article.retention.kind, years: article.retention.years };
    if (given && !samePeriod(given, fromList)) {
      throw new ValidationError('nomenclature.retention_differs', 'nomenclature.retention_differs', {
        field: `${where}`,
        article: article.article,
        version: list.version,
        given: periodText(given),
        listed: periodText(fromList),
      });
    }
    return { kind: fromList.kind, years: fromList.years, article: article.article, listVersion: list.version };
  }

  async function newDraft(
    trx: Transaction<Database>,
    actor: Actor,
    year: number,
    options: { basedOn?: string | null; epkRequired?: boolean; action: 'nomenclature.create' | 'nomenclature.copy' | 'nomenclature.revise' | 'nomenclature.import'; details?: Record<string, unknown> },
  ): Promise<NomenclatureRow> {
    if (await findDraft(trx, year)) throw new ConflictError('nomenclature.draft_exists', 'nomenclature.draft_exists', { year });
    const revision = await nextRevision(trx, year);
    const row = await insertNomenclature(trx, { year, revision, approvals: '[]', approved_at: null, based_on: options.basedOn ?? null, epk_required: options.epkRequired ?? true });
    await recordAudit(trx, { actor, action: options.action, objectType: 'nomenclature', objectId: row.id, details: { year, revision, basedOn: options.basedOn ?? null, ...(options.details ?? {}) } });
    return row;
  }

  /** Copies items (and section order) from one nomenclature into a fresh draft. */
  async function copyItems(trx: Transaction<Database>, from: NomenclatureRow, to: NomenclatureRow, carried: (item: NomenclatureItemRow) => { carriedOver: boolean; carriedFromYear: number | null; dossierCount: number | null }): Promise<number> {
    const sections = await listSections(trx, from.id);
    await replaceSections(trx, to.id, sections.map((s) => s.department_id));
    const items = await listItemRows(trx, from.id);
    let position = 0;
    for (const item of items) {
      const c = carried(item);
      await insertItem(trx, {
        nomenclature_id: to.id,
        department_id: item.department_id,
        position: ++position,
        case_index: item.case_index,
        heading: item.heading,
        heading_ru: item.heading_ru,
        retention_kind: item.retention_kind,
        retention_years: item.retention_years,
        retention_article: item.retention_article,
        retention_list_version: item.retention_list_version,
        dossier_count: c.dossierCount,
        note: item.note,
        carried_over: c.carriedOver,
        carried_from_year: c.carriedFromYear,
        document_form: item.document_form,
        medium: item.medium,
      });
    }
    return items.length;
  }

  async function insertOne(trx: Transaction<Database>, actor: Actor, nomenclature: NomenclatureRow, input: AddItemInput, where = 'item'): Promise<NomenclatureItemView> {
    const year = nomenclature.year;
    const department = await findDepartment(trx, String(input.departmentCode ?? ''));
    if (!department) throw new NotFoundError('department.not_found', 'catalog.department_not_found', { department: String(input.departmentCode) });
    const heading = requireText(input.heading, `${where}.heading`, 1000);
    const headingRu = optionalText(input.headingRu, `${where}.headingRu`, 1000);
    const note = optionalText(input.note, `${where}.note`, 1000);
    const medium = optionalText(input.medium, `${where}.medium`, 500);
    const documentForm = input.documentForm ?? 'electronic';
    if (!DOCUMENT_FORMS.includes(documentForm)) {
      throw new ValidationError('catalog.field_invalid', 'catalog.field_invalid', { field: `${where}.documentForm`, value: String(documentForm), hint: DOCUMENT_FORMS.join(', ') });
    }
    if (input.number !== undefined && input.number !== null) requirePattern(String(input.number), `${where}.number`, /^[1-9][0-9]{0,3}$/, '1–9999');
    const carriedOver = input.carriedOver === true;
    const carriedFromYear = carriedOver ? (input.carriedFromYear ?? year - 1) : null;
    if (carriedFromYear !== null && (!Number.isInteger(carriedFromYear) || carriedFromYear >= year || carriedFromYear < 1900)) {
      throw new ValidationError('nomenclature.carried_year', 'nomenclature.carried_year_invalid', { field: `${where}.carriedFromYear`, value: String(carriedFromYear), year });
    }
    const retention = await resolveRetention(trx, input, `${where}.retention`);
    const next = await nextNumbers(trx, nomenclature.id, department.id);
    const caseIndex = `${department.code}-${input.number ?? next.caseNumber}`;
    if (await findItemRow(trx, nomenclature.id, caseIndex)) {
      throw new ConflictError('nomenclature.index_taken', 'nomenclature.index_taken', { caseIndex, year });
    }
    await ensureSection(trx, nomenclature.id, department.id);
    const row = await insertItem(trx, {
      nomenclature_id: nomenclature.id,
      department_id: department.id,
      position: next.position,
      case_index: caseIndex,
      heading,
      heading_ru: headingRu,
      retention_kind: retention.kind,
      retention_years: retention.years,
      retention_article: retention.article,
      retention_list_version: retention.listVersion,
      dossier_count: null,
      note,
      carried_over: carriedOver,
      carried_from_year: carriedFromYear,
      document_form: documentForm,
      medium,
    });
    await recordAudit(trx, {
      actor,
      action: 'nomenclature.item_add',
      objectType: 'nomenclature_item',
      objectId: row.id,
      details: { year, revision: nomenclature.revision, caseIndex, heading, retention: { kind: retention.kind, years: retention.years, article: retention.article }, carriedOver },
    });
    return toItemView((await findItemRow(trx, nomenclature.id, caseIndex))!);
  }

  async function signerOf(trx: Transaction<Database>, actor: Actor, input: StepInput): Promise<{ name: string | null; position: string | null }> {
    const name = optionalText(input.name, 'name', 200);
    const position = optionalText(input.position, 'position', 300);
    if (actor.userId === null) return { name, position };
    const user = await trx.selectFrom('users').select(['full_name', 'position']).where('id', '=', actor.userId).executeTakeFirst();
    return { name: name ?? user?.full_name ?? null, position: position ?? user?.position ?? null };
  }

  return {
    async list(): Promise<Omit<NomenclatureView, 'items' | 'sections'>[]> {
      const rows = await listNomenclatureRows(db);
      const counts = await db
        .selectFrom('nomenclature_items')
        .select(['nomenclature_id', db.fn.countAll<number>().as('n')])
        .groupBy('nomenclature_id')
        .execute();
      const byId = new Map(counts.map((c) => [c.nomenclature_id, Number(c.n)]));
      return rows.map((row) => {
        const { items: _items, sections: _sections, ...rest } = toView(row, [], []);
        return { ...rest, itemCount: byId.get(row.id) ?? 0 };
      });
    },

    /** The year's nomenclature: the one in force, else its draft; or the given revision. */
    async get(year: number, revision?: number): Promise<NomenclatureView> {
      if (revision === undefined) return viewOf(await current(year));
      const row = await db.selectFrom('nomenclature').selectAll().where('year', '=', validateYear(year)).where('revision', '=', revision).executeTakeFirst();
      if (!row) throw new NotFoundError('nomenclature.not_found', 'nomenclature.revision_not_found', { year, revision });
      return viewOf(row);
    },

    async getById(id: string): Promise<NomenclatureView> {
      const row = await findById(db, id);
      if (!row) throw new NotFoundError('nomenclature.not_found', 'nomenclature.id_not_found', { id });
      return viewOf(row);
    },

    /** A new, empty draft for a year that has no nomenclature yet. */
    async create(actor: Actor, year: number, options: { epkRequired?: boolean } = {}): Promise<NomenclatureView> {
      assertRole(actor, EDITORS);
      validateYear(year);
      return db.transaction().execute(async (trx) => {
        const existing = await findNomenclature(trx, year);
        if (existing?.status === 'draft') throw new ConflictError('nomenclature.draft_exists', 'nomenclature.draft_exists', { year });
        if (existing) throw new ConflictError('nomenclature.exists', 'nomenclature.exists_use_revise', { year });
        return viewOf(await newDraft(trx, actor, year, { action: 'nomenclature.create', epkRequired: options.epkRequired }), trx);
      });
    },

    /**
     * Last year's nomenclature into a draft for the next year: every heading with its index,
     * retention and notes; the cases named as carried over keep their index and are marked
     * with the year they were opened (p.149).
     */
    async copyToNextYear(actor: Actor, fromYear: number, input: CopyInput = {}): Promise<NomenclatureView> {
      assertRole(actor, EDITORS);
      const from = await current(fromYear);
      const toYear = validateYear(input.toYear ?? fromYear + 1);
      if (toYear <= fromYear) throw new ValidationError('nomenclature.copy_year', 'nomenclature.copy_year_invalid', { from: fromYear, to: toYear });
      const carried = new Set((input.carriedOver ?? []).map((s) => String(s).trim()));
      return db.transaction().execute(async (trx) => {
        if (await findNomenclature(trx, toYear)) throw new ConflictError('nomenclature.exists', 'nomenclature.copy_target_exists', { year: toYear });
        const indexes = new Set((await listItemRows(trx, from.id)).map((i) => i.case_index));
        const unknown = [...carried].filter((c) => !indexes.has(c));
        if (unknown.length) throw new ValidationError('nomenclature.carried_unknown', 'nomenclature.carried_unknown', { indexes: unknown.join(', '), year: fromYear });
        const draft = await newDraft(trx, actor, toYear, {
          basedOn: from.id,
          epkRequired: from.epk_required,
          action: 'nomenclature.copy',
          details: { fromYear, carriedOver: [...carried] },
        });
        await copyItems(trx, from, draft, (item) =>
          carried.has(item.case_index) ? { carriedOver: true, carriedFromYear: item.carried_from_year ?? fromYear, dossierCount: null } : { carriedOver: false, carriedFromYear: null, dossierCount: null },
        );
        return viewOf(draft, trx);
      });
    },

    /** A change to an approved nomenclature: a new draft revision of the same year, copied from it. */
    async revise(actor: Actor, year: number): Promise<NomenclatureView> {
      assertRole(actor, EDITORS);
      validateYear(year);
      return db.transaction().execute(async (trx) => {
        const inForce = await findInForce(trx, year);
        if (!inForce) throw new NotFoundError('nomenclature.not_found', 'nomenclature.no_approved', { year });
        const draft = await newDraft(trx, actor, year, { basedOn: inForce.id, epkRequired: inForce.epk_required, action: 'nomenclature.revise', details: { revises: inForce.revision } });
        await copyItems(trx, inForce, draft, (item) => ({ carriedOver: item.carried_over, carriedFromYear: item.carried_from_year, dossierCount: null }));
        return viewOf(draft, trx);
      });
    },

    async addItem(actor: Actor, year: number, input: AddItemInput): Promise<NomenclatureItemView> {
      assertRole(actor, EDITORS);
      return db.transaction().execute(async (trx) => insertOne(trx, actor, await editableDraft(trx, year), input));
    },

    /** Imports items into a new draft (or an empty one) of the year, all or nothing. */
    async importItems(actor: Actor, year: number, items: AddItemInput[], source: { name: string | null; format: string }): Promise<NomenclatureView> {
      assertRole(actor, EDITORS);
      validateYear(year);
      if (!items.length) throw new ValidationError('nomenclature.import_empty', 'nomenclature.import_empty', { file: source.name ?? source.format });
      return db.transaction().execute(async (trx) => {
        let draft = await findDraft(trx, year);
        if (draft && (await listItemRows(trx, draft.id)).length) throw new ConflictError('nomenclature.draft_exists', 'nomenclature.import_draft_not_empty', { year });
        if (!draft) {
          const inForce = await findInForce(trx, year);
          draft = await newDraft(trx, actor, year, { basedOn: inForce?.id ?? null, action: 'nomenclature.import', details: { source: source.name, format: source.format, items: items.length } });
        }
        const locked = await lockNomenclature(trx, draft.id);
        for (const [i, item] of items.entries()) await insertOne(trx, actor, locked, item, `items[${i + 1}]`);
        return viewOf(locked, trx);
      });
    },

    /** A CSV or JSON file into a new draft of the year: all or nothing, every bad row reported. */
    async importFile(actor: Actor, year: number, input: { content: string; format: NomenclatureFileFormat; sourceName?: string | null }): Promise<NomenclatureView> {
      assertRole(actor, EDITORS);
      if (!FILE_FORMATS.includes(input.format)) {
        throw new ValidationError('nomenclature.invalid_format', 'nomenclature.invalid_format', { value: String(input.format), allowed: FILE_FORMATS.join(', ') });
      }
      const file = input.sourceName?.trim() || input.format;
      const { items, problems } = readNomenclatureFile(String(input.content ?? ''), input.format);
      if (problems.length) throw new NomenclatureFileInvalidError(problems, file);
      return this.importItems(actor, year, items, { name: input.sourceName?.trim() || null, format: input.format });
    },

    /** The year's nomenclature (or a revision) as the file the import reads. */
    async exportFile(year: number, format: NomenclatureFileFormat, revision?: number): Promise<{ view: NomenclatureView; content: string }> {
      if (!FILE_FORMATS.includes(format)) {
        throw new ValidationError('nomenclature.invalid_format', 'nomenclature.invalid_format', { value: String(format), allowed: FILE_FORMATS.join(', ') });
      }
      const view = await this.get(year, revision);
      return { view, content: writeNomenclatureFile(view, format) };
    },

    async updateItem(actor: Actor, year: number, caseIndex: string, patch: UpdateItemInput): Promise<NomenclatureItemView> {
      assertRole(actor, EDITORS);
      return db.transaction().execute(async (trx) => {
        const draft = await editableDraft(trx, year);
        const item = await findItemRow(trx, draft.id, String(caseIndex ?? '').trim());
        if (!item) throw new NotFoundError('nomenclature.item_not_found', 'nomenclature.item_not_found', { caseIndex: String(caseIndex), year });
        const values: Record<string, unknown> = {};
        if (patch.heading !== undefined) values.heading = requireText(patch.heading, 'heading', 1000);
        if (patch.headingRu !== undefined) values.heading_ru = optionalText(patch.headingRu, 'headingRu', 1000);
        if (patch.note !== undefined) values.note = optionalText(patch.note, 'note', 1000);
        if (patch.medium !== undefined) values.medium = optionalText(patch.medium, 'medium', 500);
        if (patch.documentForm !== undefined) {
          if (!DOCUMENT_FORMS.includes(patch.documentForm)) throw new ValidationError('catalog.field_invalid', 'catalog.field_invalid', { field: 'documentForm', value: String(patch.documentForm), hint: DOCUMENT_FORMS.join(', ') });
          values.document_form = patch.documentForm;
        }
        if (patch.retention !== undefined || patch.article !== undefined) {
          const r = await resolveRetention(trx, { retention: patch.retention, article: patch.article }, 'retention');
          Object.assign(values, { retention_kind: r.kind, retention_years: r.years, retention_article: r.article, retention_list_version: r.listVersion });
        }
        if (patch.carriedOver !== undefined) {
          const carried = patch.carriedOver === true;
          const from = carried ? (patch.carriedFromYear ?? item.carried_from_year ?? year - 1) : null;
          if (from !== null && (!Number.isInteger(from) || from >= year || from < 1900)) {
            throw new ValidationError('nomenclature.carried_year', 'nomenclature.carried_year_invalid', { field: 'carriedFromYear', value: String(from), year });
          }
          Object.assign(values, { carried_over: carried, carried_from_year: from });
        }
        if (!Object.keys(values).length) return toItemView(item);
        await updateItem(trx, item.id, values);
        await recordAudit(trx, { actor, action: 'nomenclature.item_update', objectType: 'nomenclature_item', objectId: item.id, details: { year, caseIndex: item.case_index, changed: Object.keys(values) } });
        return toItemView((await findItemRow(trx, draft.id, item.case_index))!);
      });
    },

    async removeItem(actor: Actor, year: number, caseIndex: string): Promise<void> {
      assertRole(actor, EDITORS);
      await db.transaction().execute(async (trx) => {
        const draft = await editableDraft(trx, year);
        const item = await findItemRow(trx, draft.id, String(caseIndex ?? '').trim());
        if (!item) throw new NotFoundError('nomenclature.item_not_found', 'nomenclature.item_not_found', { caseIndex: String(caseIndex), year });
        await deleteItem(trx, item.id);
        await recordAudit(trx, { actor, action: 'nomenclature.item_remove', objectType: 'nomenclature_item', objectId: item.id, details: { year, caseIndex: item.case_index, heading: item.heading } });
      });
    },

    /** Sections (departments) in the approved order of the organisation's structure (p.136). */
    async orderSections(actor: Actor, year: number, departmentCodes: string[]): Promise<NomenclatureView> {
      assertRole(actor, EDITORS);
      return db.transaction().execute(async (trx) => {
        const draft = await editableDraft(trx, year);
        const sections = await listSections(trx, draft.id);
        const have = sections.map((s) => s.code).sort();
        const given = [...new Set((departmentCodes ?? []).map(String))];
        if (given.length !== departmentCodes.length || [...given].sort().join(',') !== have.join(',')) {
          throw new ValidationError('nomenclature.sections_mismatch', 'nomenclature.sections_mismatch', { given: departmentCodes.join(', '), expected: have.join(', ') });
        }
        const byCode = new Map(sections.map((s) => [s.code, s.department_id]));
        await replaceSections(trx, draft.id, given.map((c) => byCode.get(c)!));
        await recordAudit(trx, { actor, action: 'nomenclature.sections_order', objectType: 'nomenclature', objectId: draft.id, details: { year, order: given } });
        return viewOf(draft, trx);
      });
    },

    /** Whether this draft goes to the state review commission (p.133: at least every 5 years). */
    async setEpkRequired(actor: Actor, year: number, required: boolean): Promise<NomenclatureView> {
      assertRole(actor, EDITORS);
      return db.transaction().execute(async (trx) => {
        const draft = await editableDraft(trx, year);
        const row = await updateNomenclature(trx, draft.id, { epk_required: required === true });
        await recordAudit(trx, { actor, action: 'nomenclature.settings', objectType: 'nomenclature', objectId: draft.id, details: { year, epkRequired: required === true } });
        return viewOf(row, trx);
      });
    },

    /**
     * Records the next step of the chain. A step out of order is refused naming the step that
     * must come first; the last step approves the draft, puts it in force from 1 January of its
     * year (a later revision: from its approval date) and supersedes the revision it replaces.
     */
    async recordStep(actor: Actor, year: number, input: StepInput): Promise<NomenclatureView> {
      if (!isApprovalStep(input?.step)) {
        throw new ValidationError('nomenclature.invalid_step', 'nomenclature.invalid_step', { value: String(input?.step), allowed: stepsFor(true).join(', ') });
      }
      const step = input.step;
      if (actor.userId !== null && !mayRecord(actor.roles, step)) {
        throw new ForbiddenError('nomenclature.forbidden', 'nomenclature.step_forbidden', { username: actor.username, step, roles: STEP_ROLES[step].join(', ') });
      }
      validateYear(year);
      const isProtocol = PROTOCOL_STEPS.includes(step);
      const protocolNumber = isProtocol ? requireText(input.protocolNumber, 'protocolNumber', 50) : optionalText(input.protocolNumber, 'protocolNumber', 50);
      const date = input.date ? validDate(input.date, 'date') : isProtocol ? validDate(input.date, 'date') : today();
      if (date > today()) throw new ValidationError('nomenclature.date_future', 'nomenclature.date_future', { field: 'date', date });
      const view = await db.transaction().execute(async (trx) => {
        const found = await findDraft(trx, year);
        if (!found) {
          const inForce = await findInForce(trx, year);
          if (inForce) throw new ConflictError('nomenclature.approved', 'nomenclature.approved_immutable', { year, revision: inForce.revision });
          throw new NotFoundError('nomenclature.not_found', 'nomenclature.no_draft', { year });
        }
        const draft = await lockNomenclature(trx, found.id);
        const done = (draft.approvals ?? []) as NomenclatureApproval[];
        if (done.some((a) => a.step === step)) throw new ConflictError('nomenclature.step_done', 'nomenclature.step_done', { year, step });
        if (step === 'state_review' && !draft.epk_required) throw new ConflictError('nomenclature.step_not_required', 'nomenclature.epk_not_required', { year });
        const expected = nextStep(draft.epk_required, done);
        if (expected !== step) throw new ConflictError('nomenclature.step_out_of_order', 'nomenclature.step_out_of_order', { year, step, missing: expected ?? 'none' });
        if (step === 'records_head' && (await listItemRows(trx, draft.id)).length === 0) throw new ConflictError('nomenclature.empty', 'nomenclature.empty', { year });
        const previous = done[done.length - 1];
        if (previous && date < previous.date) throw new ValidationError('nomenclature.date_before_previous', 'nomenclature.date_before_previous', { field: 'date', date, previous: previous.date, step: previous.step });
        const signer = await signerOf(trx, actor, input);
        const entry: NomenclatureApproval = { step, protocolNumber, date, username: actor.username, name: signer.name, position: signer.position, at: now().toISOString() };
        const approvals = [...done, entry];
        const complete = nextStep(draft.epk_required, approvals) === null;
        let row: NomenclatureRow;
        if (complete) {
          const inForce = await findInForce(trx, year);
          if (inForce) {
            await updateNomenclature(trx, inForce.id, { status: 'superseded' });
            await recordAudit(trx, { actor, action: 'nomenclature.supersede', objectType: 'nomenclature', objectId: inForce.id, details: { year, revision: inForce.revision, by: draft.revision } });
          }
          const janFirst = `${year}-01-01`;
          const inForceFrom = draft.revision > 1 && date > janFirst ? date : janFirst;
          row = await setApprovals(trx, draft.id, approvals, 'approved', { approved_at: now(), in_force_from: inForceFrom });
        } else {
          row = await setApprovals(trx, draft.id, approvals, 'draft');
        }
        await recordAudit(trx, {
          actor,
          action: step === 'records_head' ? 'nomenclature.sign' : step === 'expert_commission' ? 'nomenclature.agree_commission' : step === 'state_review' ? 'nomenclature.agree_state_review' : 'nomenclature.approve',
          objectType: 'nomenclature',
          objectId: row.id,
          details: { year, revision: row.revision, step, protocolNumber, date, name: signer.name, ...(complete ? { inForceFrom: dateOnly(row.in_force_from) } : {}) },
        });
        return viewOf(row, trx);
      });
      // The head's approval keeps App. 26 in kk and ru as stored renditions to be signed; after
      // the commit, so a rendering failure never undoes the approval (forms/approval.ts).
      if (view.status === 'approved' && step === 'organisation_head' && deps.storage) {
        await storeApprovedForm({ db, storage: deps.storage }, actor, { kind: 'nomenclature', subjectId: view.id, load: () => loadNomenclatureForm(db, view.id, { now }) });
      }
      return view;
    },

    /** Takes a draft in approval back for changes: its recorded steps are cleared (audited with them). */
    async returnToDraft(actor: Actor, year: number, reason: string): Promise<NomenclatureView> {
      assertRole(actor, [...EDITORS, ...STEP_ROLES.expert_commission, ...STEP_ROLES.organisation_head]);
      const why = requireText(reason, 'reason', 1000);
      return db.transaction().execute(async (trx) => {
        const found = await findDraft(trx, validateYear(year));
        if (!found) throw new NotFoundError('nomenclature.not_found', 'nomenclature.no_draft', { year });
        const draft = await lockNomenclature(trx, found.id);
        const done = (draft.approvals ?? []) as NomenclatureApproval[];
        if (!done.length) throw new ConflictError('nomenclature.not_in_approval', 'nomenclature.not_in_approval', { year });
        const row = await setApprovals(trx, draft.id, [], 'draft');
        await recordAudit(trx, { actor, action: 'nomenclature.return', objectType: 'nomenclature', objectId: draft.id, details: { year, reason: why, cleared: done } });
        return viewOf(row, trx);
      });
    },

    /** The year-end count of dossiers per case (column 3, p.155), written into the approved nomenclature. */
    async recordCounts(actor: Actor, year: number, counts: Record<string, number>): Promise<NomenclatureSummaryView> {
      assertRole(actor, EDITORS);
      const entries = Object.entries(counts ?? {});
      if (!entries.length) throw new ValidationError('nomenclature.counts_empty', 'nomenclature.counts_empty', { year });
      for (const [index, n] of entries) {
        if (!Number.isInteger(n) || n < 0 || n > 100000) throw new ValidationError('catalog.field_invalid', 'catalog.field_invalid', { field: `counts.${index}`, value: String(n), hint: '0–100000' });
      }
      await db.transaction().execute(async (trx) => {
        const row = await findNomenclature(trx, validateYear(year));
        if (!row) throw new NotFoundError('nomenclature.not_found', 'nomenclature.not_found', { year });
        const items = await listItemRows(trx, row.id);
        const byIndex = new Map(items.map((i) => [i.case_index, i]));
        const unknown = entries.filter(([index]) => !byIndex.has(index)).map(([index]) => index);
        if (unknown.length) throw new NotFoundError('nomenclature.item_not_found', 'nomenclature.item_not_found', { caseIndex: unknown.join(', '), year });
        for (const [index, n] of entries) await updateItem(trx, byIndex.get(index)!.id, { dossier_count: n });
        await recordAudit(trx, { actor, action: 'nomenclature.year_end_counts', objectType: 'nomenclature', objectId: row.id, details: { year, revision: row.revision, counts } });
      });
      return this.summary(year);
    },

    /**
     * The year-end record (App. 26): dossiers by retention — permanent, over 10 years (with
     * personnel), up to 10 years inclusive — with the carried-over ones and those marked ЭПК.
     * A case's count is column 3 when entered, else the dossiers the archive keeps for it.
     */
    async summary(year: number): Promise<NomenclatureSummaryView> {
      const row = await current(year);
      const items = (await listItemRows(db, row.id)).map(toItemView);
      const stored = await storedDossierCounts(db, year);
      return summarise(
        year,
        items.map((view) => ({ view, count: view.dossierCount ?? stored.get(`${view.departmentCode}|${view.caseIndex}`) ?? null })),
      );
    },

    /** The item a dossier belongs to, e.g. when a transfer names "03-12" for 2025. */
    async findItem(year: number, caseIndex: string): Promise<NomenclatureItemView | null> {
      const row = await findNomenclature(db, validateYear(year));
      if (!row) return null;
      const item = await findItemRow(db, row.id, String(caseIndex ?? '').trim());
      return item ? toItemView(item) : null;
    },
  };
}

export type NomenclatureService = ReturnType<typeof createNomenclatureService>;
