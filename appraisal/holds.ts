// Holds (BRIEF §9: "documents with a legal hold — court case, audit — are never destroyed while
// the hold lasts"): a legal or audit hold on one dossier, on a series (every dossier of a case
// index, whatever its year) or on a year (every dossier of that year). Placing and lifting are
// recorded with who, when and why, and audited; a hold is never deleted. A held dossier cannot
// be put on a destruction act nor destroyed (destruction/ asks heldDossiers before executing).
import { sql, type Kysely } from 'kysely';
import { recordAudit, type Actor } from '../audit/audit.service';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../common/errors';
import type { Database } from '../database/database';
import type { HoldKind, HoldScope } from './tables';

export const HOLD_SCOPES = ['dossier', 'series', 'year'] as const satisfies readonly HoldScope[];
export const HOLD_KINDS = ['legal', 'audit'] as const satisfies readonly HoldKind[];
/** Who places and lifts holds: the archive keeps them (the lawyer's or auditor's request comes to it). */
export const HOLD_ROLES = ['archivist', 'admin'] as const;

export interface HoldView {
  id: string;
  scope: HoldScope;
  dossierId: string | null;
  /** The dossier's index when the hold is on one dossier, or the series' index. */
  caseIndex: string | null;
  year: number | null;
  kind: HoldKind;
  reason: string;
  placedBy: string;
  placedAt: string;
  active: boolean;
  liftedBy: string | null;
  liftedAt: string | null;
  liftReason: string | null;
}

export interface PlaceHoldInput {
  scope: string;
  dossierId?: string | null;
  caseIndex?: string | null;
  year?: number | null;
  kind?: string;
  reason: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CASE_INDEX = /^[0-9A-Za-zА-Яа-яӘәҒғҚқҢңӨөҰұҮүІіҺһЁё.]+(-[0-9A-Za-zА-Яа-яӘәҒғҚқҢңӨөҰұҮүІіҺһЁё.]+)+$/u;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

function iso(value: Date | string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

export function requireReason(value: unknown, field: string): string {
  const s = typeof value === 'string' ? value.trim() : '';
  if (!s) throw new ValidationError('appraisal.reason_required', 'appraisal.reason_required', { field });
  if (s.length > 2000) throw new ValidationError('appraisal.reason_too_long', 'appraisal.reason_too_long', { field, max: 2000 });
  return s;
}

export function assertHoldRole(actor: Actor): void {
  if (actor.userId !== null && !actor.roles.some((r) => (HOLD_ROLES as readonly string[]).includes(r))) {
    throw new ForbiddenError('appraisal.forbidden', 'appraisal.forbidden', { roles: HOLD_ROLES.join(', ') });
  }
}

type HoldRow = Awaited<ReturnType<typeof holdRows>>[number];

function holdRows(db: Kysely<Database>) {
  return db
    .selectFrom('appraisal_holds as h')
    .leftJoin('dossiers as d', 'd.id', 'h.dossier_id')
    .select(['h.id', 'h.scope', 'h.dossier_id', 'h.case_index', 'h.year', 'h.kind', 'h.reason', 'h.placed_by', 'h.placed_at', 'h.lifted_by', 'h.lifted_at', 'h.lift_reason', 'd.case_index as dossier_index'])
    .orderBy('h.placed_at', 'desc')
    .orderBy('h.id')
    .execute();
}

function toView(row: HoldRow): HoldView {
  return {
    id: row.id,
    scope: row.scope,
    dossierId: row.dossier_id,
    caseIndex: row.case_index ?? row.dossier_index ?? null,
    year: row.year,
    kind: row.kind,
    reason: row.reason,
    placedBy: row.placed_by,
    placedAt: iso(row.placed_at)!,
    active: row.lifted_at === null,
    liftedBy: row.lifted_by,
    liftedAt: iso(row.lifted_at),
    liftReason: row.lift_reason,
  };
}

/** Every hold, newest first; `active` only those not lifted. */
export async function listHolds(db: Kysely<Database>, filter: { active?: boolean } = {}): Promise<HoldView[]> {
  const rows = (await holdRows(db)).map(toView);
  return filter.active === undefined ? rows : rows.filter((h) => h.active === filter.active);
}

export async function getHold(db: Kysely<Database>, id: string): Promise<HoldView> {
  const found = isUuid(id) ? (await holdRows(db)).find((r) => r.id === id) : undefined;
  if (!found) throw new NotFoundError('appraisal.hold_not_found', 'appraisal.hold_not_found', { id });
  return toView(found);
}

/** Places a hold (audit `hold.place`). The target must exist: a dossier by id, a series by an index the catalog holds, a four-digit year. */
export async function placeHold(db: Kysely<Database>, actor: Actor, input: PlaceHoldInput): Promise<HoldView> {
  assertHoldRole(actor);
  const scope = input.scope as HoldScope;
  if (!(HOLD_SCOPES as readonly string[]).includes(scope)) {
    throw new ValidationError('appraisal.hold_scope_invalid', 'appraisal.hold_scope_invalid', { scope: String(input.scope), scopes: HOLD_SCOPES.join(', ') });
  }
  const kind = (input.kind ?? 'legal') as HoldKind;
  if (!(HOLD_KINDS as readonly string[]).includes(kind)) {
    throw new ValidationError('appraisal.hold_kind_invalid', 'appraisal.hold_kind_invalid', { kind: String(input.kind), kinds: HOLD_KINDS.join(', ') });
  }
  const reason = requireReason(input.reason, 'reason');
  const values = { scope, kind, reason, dossier_id: null as string | null, case_index: null as string | null, year: null as number | null };
  if (scope === 'dossier') {
    const id = input.dossierId ?? '';
    const dossier = isUuid(id) ? await db.selectFrom('dossiers').select('id').where('id', '=', id).executeTakeFirst() : undefined;
    if (!dossier) throw new NotFoundError('appraisal.dossier_not_found', 'appraisal.dossier_not_found', { id: String(id) });
    values.dossier_id = dossier.id;
  } else if (scope === 'series') {
    const index = typeof input.caseIndex === 'string' ? input.caseIndex.trim() : '';
    if (!CASE_INDEX.test(index)) throw new ValidationError('appraisal.hold_index_invalid', 'appraisal.hold_index_invalid', { index });
    const any = await db.selectFrom('dossiers').select('id').where('case_index', '=', index).executeTakeFirst();
    if (!any) throw new NotFoundError('appraisal.series_not_found', 'appraisal.series_not_found', { index });
    values.case_index = index;
  } else {
    const year = Number(input.year);
    if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new ValidationError('appraisal.hold_year_invalid', 'appraisal.hold_year_invalid', { year: String(input.year ?? '') });
    values.year = year;
  }
  const id = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('appraisal_holds')
      .values({ ...values, placed_by: actor.username, placed_by_user: actor.userId })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'hold.place',
      objectType: 'hold',
      objectId: row.id,
      details: { scope, kind, reason, dossier: values.dossier_id, index: values.case_index, year: values.year },
    });
    return row.id;
  });
  return getHold(db, id);
}

/** Lifts an active hold, recording who, when and why (audit `hold.lift`). */
export async function liftHold(db: Kysely<Database>, actor: Actor, id: string, input: { reason: string }): Promise<HoldView> {
  assertHoldRole(actor);
  const reason = requireReason(input.reason, 'reason');
  const hold = await getHold(db, id);
  if (!hold.active) throw new ConflictError('appraisal.hold_lifted', 'appraisal.hold_lifted', { id, liftedBy: hold.liftedBy ?? '', liftedAt: hold.liftedAt ?? '' });
  await db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('appraisal_holds')
      .set({ lifted_at: new Date(), lifted_by: actor.username, lifted_by_user: actor.userId, lift_reason: reason })
      .where('id', '=', id)
      .where('lifted_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!updated) throw new ConflictError('appraisal.hold_lifted', 'appraisal.hold_lifted', { id, liftedBy: '', liftedAt: '' });
    await recordAudit(trx, { actor, action: 'hold.lift', objectType: 'hold', objectId: id, details: { scope: hold.scope, reason, placedBy: hold.placedBy, placedAt: hold.placedAt } });
  });
  return getHold(db, id);
}

/**
 * The dossiers among `dossierIds` under an active hold, each with the reason and the hold's id
 * (the first hold found when several apply). A dossier is held by a hold on itself, on its case
 * index (series) or on its year.
 */
export async function heldDossiers(db: Kysely<Database>, dossierIds: string[]): Promise<Map<string, { reason: string; holdId: string }>> {
  const ids = [...new Set(dossierIds.filter(isUuid))];
  const result = new Map<string, { reason: string; holdId: string }>();
  if (ids.length === 0) return result;
  const holds = await db
    .selectFrom('appraisal_holds')
    .select(['id', 'scope', 'dossier_id', 'case_index', 'year', 'reason'])
    .where('lifted_at', 'is', null)
    .orderBy('placed_at')
    .orderBy('id')
    .execute();
  if (holds.length === 0) return result;
  const dossiers = await db
    .selectFrom('dossiers')
    .select(['id', 'case_index', 'year', sql<string | null>`metadata->>'year'`.as('meta_year')])
    .where('id', 'in', ids)
    .execute();
  for (const d of dossiers) {
    const year = d.year ?? (d.meta_year !== null && /^\d{4}$/.test(d.meta_year) ? Number(d.meta_year) : null);
    const hold = holds.find((h) => (h.scope === 'dossier' && h.dossier_id === d.id) || (h.scope === 'series' && h.case_index === d.case_index) || (h.scope === 'year' && year !== null && h.year === year));
    if (hold) result.set(d.id, { reason: hold.reason, holdId: hold.id });
  }
  return result;
}
