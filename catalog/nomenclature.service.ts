// The consolidated nomenclature of cases for a year (App. 26): each item is a case heading
// with its index ("<department code>-<number>") and retention period. Once approved by the
// expert commission it is fixed; corrections go into the next year's nomenclature.
import type { Kysely } from 'kysely';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../common/errors';
import { recordAudit, type Actor } from '../audit/audit.service';
import type { Database } from '../database/database';
import { optionalText, requirePattern, requireText } from './fields';
import {
  findItemRow,
  findNomenclature,
  insertItem,
  insertNomenclature,
  listItemRows,
  listNomenclatureRows,
  lockNomenclature,
  nextNumbers,
  setApproved,
  type NomenclatureItemRow,
  type NomenclatureRow,
} from './nomenclature.repository';
import { findDepartment } from './organisation.repository';
import type { NomenclatureApproval, RetentionKind } from './tables';

export const RETENTION_KINDS = ['permanent', 'years', 'years_epk', 'until_needed'] as const satisfies readonly RetentionKind[];

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
  retention: { kind: RetentionKind; years: number | null; article: string | null };
  dossierCount: number | null;
  note: string | null;
}

export interface NomenclatureView {
  id: string;
  year: number;
  status: 'draft' | 'approved';
  approvals: NomenclatureApproval[];
  approvedAt: string | null;
  items: NomenclatureItemView[];
}

export interface AddItemInput {
  departmentCode: string;
  /** Case number within the department; the next free one when absent. */
  number?: number;
  heading: string;
  retention: Retention;
  note?: string | null;
}

// Who may draw up and approve the nomenclature: the archive and the expert commission.
const EDITORS = ['admin', 'archivist', 'commission_secretary'] as const;
const APPROVERS = ['admin', 'archivist', 'commission_chair', 'commission_secretary'] as const;

function assertRole(actor: Actor, allowed: readonly string[]): void {
  if (actor.userId === null) return; // local operator (CLI, seed)
  if (!actor.roles.some((r) => allowed.includes(r))) {
    throw new ForbiddenError('nomenclature.forbidden', 'catalog.nomenclature_forbidden', { username: actor.username, roles: allowed.join(', ') });
  }
}

export function validateYear(year: unknown): number {
  if (typeof year !== 'number' || !Number.isInteger(year) || year < 1900 || year > 2200) {
    throw new ValidationError('nomenclature.invalid_year', 'catalog.nomenclature_invalid_year', { year: String(year) });
  }
  return year;
}

export function validateRetention(retention: unknown, where = 'retention'): { kind: RetentionKind; years: number | null; article: string | null } {
  const r = (retention ?? {}) as Partial<Retention>;
  if (!RETENTION_KINDS.includes(r.kind as RetentionKind)) {
    throw new ValidationError('nomenclature.invalid_retention', 'catalog.nomenclature_invalid_retention_kind', {
      field: `${where}.kind`,
      value: String(r.kind),
      allowed: RETENTION_KINDS.join(', '),
    });
  }
  const kind = r.kind as RetentionKind;
  const needsYears = kind === 'years' || kind === 'years_epk';
  const years = r.years ?? null;
  if (needsYears && (typeof years !== 'number' || !Number.isInteger(years) || years < 1 || years > 100)) {
    throw new ValidationError('nomenclature.invalid_retention', 'catalog.nomenclature_retention_years_required', { field: `${where}.years`, kind, value: String(years) });
  }
  if (!needsYears && years !== null) {
    throw new ValidationError('nomenclature.invalid_retention', 'catalog.nomenclature_retention_years_forbidden', { field: `${where}.years`, kind });
  }
  return { kind, years: needsYears ? years : null, article: optionalText(r.article, `${where}.article`, 100) };
}

function toItemView(row: NomenclatureItemRow): NomenclatureItemView {
  return {
    id: row.id,
    position: row.position,
    caseIndex: row.case_index,
    departmentId: row.department_id,
    departmentCode: row.department_code,
    heading: row.heading,
    retention: { kind: row.retention_kind, years: row.retention_years, article: row.retention_article },
    dossierCount: row.dossier_count,
    note: row.note,
  };
}

function toView(row: NomenclatureRow, items: NomenclatureItemRow[]): NomenclatureView {
  return {
    id: row.id,
    year: row.year,
    status: row.status,
    approvals: row.approvals,
    approvedAt: row.approved_at ? new Date(row.approved_at).toISOString() : null,
    items: items.map(toItemView),
  };
}

export function createNomenclatureService(deps: { db: Kysely<Database>; now?: () => Date }) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  async function load(year: number): Promise<NomenclatureRow> {
    const row = await findNomenclature(db, validateYear(year));
    if (!row) throw new NotFoundError('nomenclature.not_found', 'catalog.nomenclature_not_found', { year });
    return row;
  }

  return {
    async list(): Promise<Omit<NomenclatureView, 'items'>[]> {
      return (await listNomenclatureRows(db)).map((row) => {
        const { items: _items, ...rest } = toView(row, []);
        return rest;
      });
    },

    async get(year: number): Promise<NomenclatureView> {
      const row = await load(year);
      return toView(row, await listItemRows(db, row.id));
    },

    async create(actor: Actor, year: number): Promise<NomenclatureView> {
      assertRole(actor, EDITORS);
      validateYear(year);
      if (await findNomenclature(db, year)) throw new ConflictError('nomenclature.exists', 'catalog.nomenclature_exists', { year });
      return db.transaction().execute(async (trx) => {
        const row = await insertNomenclature(trx, year);
        await recordAudit(trx, { actor, action: 'nomenclature.create', objectType: 'nomenclature', objectId: row.id, details: { year } });
        return toView(row, []);
      });
    },

    async addItem(actor: Actor, year: number, input: AddItemInput): Promise<NomenclatureItemView> {
      assertRole(actor, EDITORS);
      const nomenclature = await load(year);
      const department = await findDepartment(db, String(input.departmentCode ?? ''));
      if (!department) {
        throw new NotFoundError('department.not_found', 'catalog.department_not_found', { department: String(input.departmentCode) });
      }
      const heading = requireText(input.heading, 'heading', 1000);
      const retention = validateRetention(input.retention);
      const note = optionalText(input.note, 'note', 1000);
      if (input.number !== undefined) requirePattern(String(input.number), 'number', /^[1-9][0-9]{0,3}$/, '1–9999');
      return db.transaction().execute(async (trx) => {
        const locked = await lockNomenclature(trx, nomenclature.id);
        if (locked.status === 'approved') throw new ConflictError('nomenclature.approved', 'catalog.nomenclature_approved', { year });
        const next = await nextNumbers(trx, locked.id, department.id);
        const caseIndex = `${department.code}-${input.number ?? next.caseNumber}`;
        if (await findItemRow(trx, locked.id, caseIndex)) {
          throw new ConflictError('nomenclature.index_taken', 'catalog.nomenclature_index_taken', { caseIndex, year });
        }
        const row = await insertItem(trx, {
          nomenclature_id: locked.id,
          department_id: department.id,
          position: next.position,
          case_index: caseIndex,
          heading,
          retention_kind: retention.kind,
          retention_years: retention.years,
          retention_article: retention.article,
          note,
        });
        await recordAudit(trx, {
          actor,
          action: 'nomenclature.item_add',
          objectType: 'nomenclature_item',
          objectId: row.id,
          details: { year, caseIndex, heading, retention },
        });
        return toItemView({ ...row, department_code: department.code });
      });
    },

    /** The item a dossier belongs to, e.g. when a transfer names "03-12" for 2025. */
    async findItem(year: number, caseIndex: string): Promise<NomenclatureItemView | null> {
      const row = await findNomenclature(db, validateYear(year));
      if (!row) return null;
      const item = await findItemRow(db, row.id, String(caseIndex ?? '').trim());
      return item ? toItemView(item) : null;
    },

    /** Records the approval (EK protocol, EPK agreement or head's signature) and fixes the list. */
    async approve(actor: Actor, year: number, approval: NomenclatureApproval): Promise<NomenclatureView> {
      assertRole(actor, APPROVERS);
      const nomenclature = await load(year);
      const BODIES = ['ek', 'epk', 'head'];
      if (!BODIES.includes(approval?.body)) {
        throw new ValidationError('catalog.field_invalid', 'catalog.field_invalid', { field: 'body', value: String(approval?.body), hint: BODIES.join(', ') });
      }
      const entry: NomenclatureApproval = {
        body: approval.body,
        protocolNumber: optionalText(approval.protocolNumber, 'protocolNumber', 50),
        date: requirePattern(approval.date, 'date', /^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD'),
        by: optionalText(approval.by, 'by', 200),
      };
      return db.transaction().execute(async (trx) => {
        const locked = await lockNomenclature(trx, nomenclature.id);
        const items = await listItemRows(trx, locked.id);
        if (items.length === 0) throw new ConflictError('nomenclature.empty', 'catalog.nomenclature_empty', { year });
        if (locked.approvals.some((a) => a.body === entry.body)) {
          throw new ConflictError('nomenclature.already_approved', 'catalog.nomenclature_already_approved', { year, body: entry.body });
        }
        const row = await setApproved(trx, locked.id, [...locked.approvals, entry], locked.approved_at ?? now());
        await recordAudit(trx, { actor, action: 'nomenclature.approve', objectType: 'nomenclature', objectId: row.id, details: { year, ...entry } });
        return toView(row, items);
      });
    },
  };
}

export type NomenclatureService = ReturnType<typeof createNomenclatureService>;
