// Researcher access (issue 13, p.212): what a researcher gets of a dossier or a document, the
// archivist's changes to the rules (audited), the exceptions that open a personnel dossier to
// one researcher, the audit of every read and the report of what a researcher got. The
// decision itself is the database's access_*_view functions (researcher-filter.ts), so a
// single item and a list never disagree.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../database/database';
import type { Role } from '../accounts/roles';
import { recordAudit, type Actor } from '../audit/audit.service';
import { NotFoundError, ValidationError } from '../common/errors';
import { dossierViewSql, documentViewSql, type ResearcherContext } from './researcher-filter';
import { ACCESS_KINDS, BEFORE_LIFT, archiveToday, narrower, personalDataLift, ruleFromMetadata, type AccessRule, type ResearcherView } from './rules';
import type { AccessKind, AccessTargetType, BeforeLift, ExceptionGrounds } from './tables';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Whoever asks: an Actor (`userId`) or an access user (`id`). */
export type Reader = { roles: readonly Role[]; username?: string } & ({ userId: string | null } | { id: string | null });

export type AccessTarget = { dossierId: string } | { documentId: string } | { dossierId: string; position: number };

function userIdOf(reader: Reader): string | null {
  const id = 'userId' in reader ? reader.userId : reader.id;
  return id && UUID.test(id) ? id : null;
}

/** Researcher access rules bind those who hold no other role (staff read by their department scope). */
export function isResearcher(roles: readonly Role[]): boolean {
  return !roles.some((r) => r !== 'researcher');
}

export function researcherContext(reader: Reader, now: Date): ResearcherContext {
  return { now, userId: userIdOf(reader) };
}

/**
 * What the reader gets of a dossier or document: 'full' for staff; for a researcher the
 * narrower of the dossier's and the document's rules on `now`'s date. A target that does not
 * exist is 'none'.
 */
export async function researcherViewOf(db: Kysely<Database>, reader: Reader, target: AccessTarget, now: Date = new Date()): Promise<ResearcherView> {
  if (!isResearcher(reader.roles)) return 'full';
  const ctx = researcherContext(reader, now);
  if ('documentId' in target || 'position' in target) {
    let q = db.selectFrom('dossier_documents').select(documentViewSql(ctx).as('view'));
    if ('documentId' in target) {
      if (!UUID.test(target.documentId)) return 'none';
      q = q.where('dossier_documents.document_id', '=', target.documentId);
    } else {
      if (!UUID.test(target.dossierId)) return 'none';
      q = q.where('dossier_documents.dossier_id', '=', target.dossierId).where('dossier_documents.position', '=', target.position);
    }
    return (await q.limit(1).executeTakeFirst())?.view ?? 'none';
  }
  if (!UUID.test(target.dossierId)) return 'none';
  const row = await db.selectFrom('dossiers').select(dossierViewSql(ctx).as('view')).where('dossiers.id', '=', target.dossierId).executeTakeFirst();
  return row?.view ?? 'none';
}

/** A researcher's view of a dossier and of one of its documents, in one query (the document's is never more than its dossier's). */
export async function researcherViewsOf(db: Kysely<Database>, reader: Reader, dossierId: string, position: number, now: Date = new Date()): Promise<{ dossier: ResearcherView; document: ResearcherView }> {
  if (!isResearcher(reader.roles)) return { dossier: 'full', document: 'full' };
  if (!UUID.test(dossierId)) return { dossier: 'none', document: 'none' };
  const ctx = researcherContext(reader, now);
  const row = await db
    .selectFrom('dossiers')
    .select((eb) => [
      dossierViewSql(ctx).as('dossier_view'),
      eb.selectFrom('dossier_documents').select(documentViewSql(ctx).as('view')).whereRef('dossier_documents.dossier_id', '=', 'dossiers.id').where('dossier_documents.position', '=', position).limit(1).as('document_view'),
    ])
    .where('dossiers.id', '=', dossierId)
    .executeTakeFirst();
  return { dossier: row?.dossier_view ?? 'none', document: (row?.document_view as ResearcherView | null | undefined) ?? 'none' };
}

/** A rule in force with where it came from: the archivist's decision, the transfer's metadata, or none (open). */
export interface EffectiveRule extends AccessRule {
  source: 'archivist' | 'transfer' | 'default';
  setBy?: string;
  setAt?: string;
}

function fromRow(r: { kind: AccessKind; until: string | null; before_lift: BeforeLift; basis: string | null; set_by: string; set_at: Date | string }): EffectiveRule {
  return { kind: r.kind, until: r.until, beforeLift: r.before_lift, basis: r.basis, source: 'archivist', setBy: r.set_by, setAt: new Date(r.set_at).toISOString() };
}

function fromMetadata(access: unknown): EffectiveRule {
  const rule = ruleFromMetadata(access);
  return rule ? { ...rule, source: 'transfer' } : { kind: 'open', source: 'default' };
}

export interface DossierAccess {
  dossierId: string;
  caseIndex: string;
  endDate: string | null;
  rule: EffectiveRule;
  documents: { documentId: string; position: number; title: string; rule: EffectiveRule }[];
  exceptions: { id: string; username: string; fullName: string | null; grounds: ExceptionGrounds; reference: string; grantedBy: string; grantedAt: string }[];
}

/** The rules of a dossier and of each of its documents, and the exceptions granted on it. */
export async function dossierAccess(db: Kysely<Database>, dossierId: string): Promise<DossierAccess> {
  const d = UUID.test(dossierId) ? await db.selectFrom('dossiers').select(['id', 'case_index', 'metadata']).where('id', '=', dossierId).executeTakeFirst() : undefined;
  if (!d) throw new NotFoundError('ingest.dossier_not_found', 'ingest.dossier_not_found', { id: dossierId });
  const rows = await db
    .selectFrom('access_rules')
    .select(['target_type', 'target_id', 'kind', sql<string | null>`to_char(until, 'YYYY-MM-DD')`.as('until'), 'before_lift', 'basis', 'set_by', 'set_at'])
    .where('dossier_id', '=', d.id)
    .execute();
  const byTarget = new Map(rows.map((r) => [`${r.target_type}:${r.target_id}`, r]));
  const docs = await db.selectFrom('dossier_documents').select(['document_id', 'position', 'metadata']).where('dossier_id', '=', d.id).orderBy('position').execute();
  const exceptions = await db
    .selectFrom('access_exceptions')
    .innerJoin('users', 'users.id', 'access_exceptions.user_id')
    .select(['access_exceptions.id', 'users.username', 'users.full_name', 'access_exceptions.grounds', 'access_exceptions.reference', 'access_exceptions.granted_by', 'access_exceptions.granted_at'])
    .where('access_exceptions.dossier_id', '=', d.id)
    .where('access_exceptions.revoked_at', 'is', null)
    .orderBy('access_exceptions.granted_at')
    .execute();
  const meta = d.metadata as { access?: unknown; endDate?: string | null };
  const own = byTarget.get(`dossier:${d.id}`);
  return {
    dossierId: d.id,
    caseIndex: d.case_index,
    endDate: meta.endDate ?? null,
    rule: own ? fromRow(own) : fromMetadata(meta.access),
    documents: docs.map((doc) => {
      const m = doc.metadata as { access?: unknown; title?: string };
      const r = byTarget.get(`document:${doc.document_id}`);
      return { documentId: doc.document_id, position: doc.position, title: m.title ?? '', rule: r ? fromRow(r) : fromMetadata(m.access) };
    }),
    exceptions: exceptions.map((e) => ({ id: e.id, username: e.username, fullName: e.full_name ?? null, grounds: e.grounds, reference: e.reference, grantedBy: e.granted_by, grantedAt: new Date(e.granted_at).toISOString() })),
  };
}

export interface SetRuleInput {
  target: { dossierId: string; position?: number };
  kind: string;
  until?: string | null;
  beforeLift?: string | null;
  basis?: string | null;
}

function invalid(field: string, key: string, params: Record<string, unknown>): ValidationError {
  return new ValidationError('access.rule_invalid', key, { field, ...params }, { problems: [{ field, message: key }] });
}

/**
 * Checks a rule before it is kept; `endDate` gives a personnel dossier's lift date when none
 * is given (75 years on). `where` names the field (a manifest pointer, a form field).
 */
export function normaliseRule(input: { kind: unknown; until?: unknown; beforeLift?: unknown; basis?: unknown }, endDate: string | null, where = ''): AccessRule {
  const kind = String(input.kind ?? '');
  if (!(ACCESS_KINDS as readonly string[]).includes(kind)) throw invalid(`${where}kind`, 'access.kind_unknown', { kind, kinds: ACCESS_KINDS.join(', ') });
  const until = input.until === undefined || input.until === null || input.until === '' ? null : String(input.until);
  if (until !== null && (!DATE.test(until) || Number.isNaN(Date.parse(`${until}T00:00:00Z`)) || new Date(`${until}T00:00:00Z`).toISOString().slice(0, 10) !== until)) {
    throw invalid(`${where}until`, 'access.until_invalid', { until });
  }
  if ((kind === 'open' || kind === 'official_use') && until !== null) throw invalid(`${where}until`, 'access.until_not_allowed', { kind });
  const beforeLift = input.beforeLift === undefined || input.beforeLift === null || input.beforeLift === '' ? 'hidden' : String(input.beforeLift);
  if (!(BEFORE_LIFT as readonly string[]).includes(beforeLift)) throw invalid(`${where}beforeLift`, 'access.before_lift_unknown', { value: beforeLift });
  const basis = input.basis === undefined || input.basis === null || String(input.basis).trim() === '' ? null : String(input.basis).trim();
  if (basis !== null && basis.length > 1000) throw invalid(`${where}basis`, 'access.basis_too_long', { max: 1000 });
  let lift = until;
  if (kind === 'personal' && lift === null) {
    if (!endDate) throw invalid(`${where}until`, 'access.personal_needs_date', {});
    lift = personalDataLift(endDate);
  }
  return { kind: kind as AccessKind, ...(lift ? { until: lift } : {}), ...(kind === 'open' || kind === 'official_use' ? {} : { beforeLift: beforeLift as BeforeLift }), ...(basis ? { basis } : {}) };
}

/** The archivist sets the rule of a dossier or of one of its documents (audited with before and after). */
export async function setAccessRule(db: Kysely<Database>, actor: Actor, input: SetRuleInput): Promise<DossierAccess> {
  const current = await dossierAccess(db, input.target.dossierId);
  let type: AccessTargetType = 'dossier';
  let targetId = current.dossierId;
  let before: EffectiveRule = current.rule;
  if (input.target.position !== undefined) {
    const doc = current.documents.find((x) => x.position === input.target.position);
    if (!doc) throw new NotFoundError('ingest.document_not_in_dossier', 'ingest.document_not_in_dossier', { position: input.target.position, dossier: current.caseIndex });
    type = 'document';
    targetId = doc.documentId;
    before = doc.rule;
  }
  const rule = normaliseRule(input, current.endDate);
  await db.transaction().execute(async (trx) => {
    const values = {
      kind: rule.kind,
      until: rule.until ?? null,
      before_lift: rule.beforeLift ?? 'hidden',
      basis: rule.basis ?? null,
      set_by: actor.username,
      set_by_user_id: actor.userId,
      set_at: new Date(),
    };
    await trx
      .insertInto('access_rules')
      .values({ target_type: type, target_id: targetId, dossier_id: current.dossierId, ...values })
      .onConflict((oc) => oc.columns(['target_type', 'target_id']).doUpdateSet(values))
      .execute();
    await recordAudit(trx, {
      actor,
      action: 'access.rule_set',
      objectType: type,
      objectId: targetId,
      details: {
        dossier: current.caseIndex,
        ...(input.target.position !== undefined ? { position: input.target.position } : {}),
        before: { kind: before.kind, until: before.until ?? null, beforeLift: before.beforeLift ?? null, source: before.source },
        after: { kind: rule.kind, until: rule.until ?? null, beforeLift: rule.beforeLift ?? null },
        basis: rule.basis ?? null,
      },
    });
  });
  return dossierAccess(db, current.dossierId);
}

/** Opens a personnel dossier to one researcher: the person themselves or an authorised body asked. */
export async function grantException(
  db: Kysely<Database>,
  actor: Actor,
  input: { dossierId: string; username: string; grounds: string; reference: string },
): Promise<DossierAccess> {
  const current = await dossierAccess(db, input.dossierId);
  if (input.grounds !== 'data_subject' && input.grounds !== 'authorised_body') throw invalid('grounds', 'access.grounds_unknown', { grounds: input.grounds });
  const reference = input.reference.trim();
  if (!reference || reference.length > 500) throw invalid('reference', 'access.reference_required', {});
  const user = await db.selectFrom('users').select(['id', 'username', 'roles']).where('username', '=', input.username).executeTakeFirst();
  if (!user) throw new NotFoundError('access.user_not_found', 'access.user_not_found', { username: input.username });
  if (!(user.roles as string[]).includes('researcher')) throw invalid('username', 'access.exception_not_researcher', { username: input.username });
  if (current.rule.kind !== 'personal' && !current.documents.some((d) => d.rule.kind === 'personal')) {
    throw invalid('dossierId', 'access.exception_not_personal', { dossier: current.caseIndex });
  }
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('access_exceptions')
      .values({ user_id: user.id, dossier_id: current.dossierId, grounds: input.grounds as ExceptionGrounds, reference, granted_by: actor.username, granted_by_user_id: actor.userId, granted_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'access.exception_grant',
      objectType: 'dossier',
      objectId: current.dossierId,
      details: { dossier: current.caseIndex, researcher: user.username, grounds: input.grounds, reference, exception: row.id },
    });
  });
  return dossierAccess(db, current.dossierId);
}

export async function revokeException(db: Kysely<Database>, actor: Actor, input: { exceptionId: string; reason: string }): Promise<DossierAccess> {
  const row = UUID.test(input.exceptionId)
    ? await db.selectFrom('access_exceptions').innerJoin('users', 'users.id', 'access_exceptions.user_id').select(['access_exceptions.id', 'access_exceptions.dossier_id', 'access_exceptions.revoked_at', 'users.username']).where('access_exceptions.id', '=', input.exceptionId).executeTakeFirst()
    : undefined;
  if (!row || row.revoked_at) throw new NotFoundError('access.exception_not_found', 'access.exception_not_found', { id: input.exceptionId });
  const reason = input.reason.trim();
  if (!reason) throw invalid('reason', 'access.reason_required', {});
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('access_exceptions').set({ revoked_at: new Date(), revoked_by: actor.username, revoke_reason: reason }).where('id', '=', row.id).execute();
    await recordAudit(trx, { actor, action: 'access.exception_revoke', objectType: 'dossier', objectId: row.dossier_id, details: { researcher: row.username, exception: row.id, reason } });
  });
  return dossierAccess(db, row.dossier_id);
}

/** What a researcher's read was: a dossier's description, a document's file, an inventory, a form. */
export interface ReadEvent {
  kind: 'view' | 'download';
  what: 'dossier' | 'rendition' | 'original' | 'inventory' | 'form' | 'form-rendition' | 'copy' | 'search';
  dossierId?: string;
  caseIndex?: string;
  position?: number;
  documentId?: string;
  route?: string;
  detail?: Record<string, string | number | boolean | null>;
}

/** Every view and download of document data by a researcher is kept in the audit log (who, what, when). */
export async function recordResearcherRead(db: Kysely<Database>, actor: Actor, event: ReadEvent): Promise<void> {
  if (!isResearcher(actor.roles)) return;
  await recordAudit(db, {
    actor,
    action: event.kind === 'view' ? 'access.view' : 'access.download',
    objectType: event.position !== undefined || event.documentId ? 'document' : 'dossier',
    objectId: event.documentId ?? event.dossierId ?? null,
    details: {
      what: event.what,
      ...(event.dossierId ? { dossierId: event.dossierId } : {}),
      ...(event.caseIndex ? { dossier: event.caseIndex } : {}),
      ...(event.position !== undefined ? { position: event.position } : {}),
      ...(event.route ? { route: event.route } : {}),
      ...(event.detail ?? {}),
    },
  });
}

export interface ResearcherReportRow {
  at: string;
  action: 'access.view' | 'access.download';
  what: string;
  dossierId: string | null;
  dossier: string | null;
  position: number | null;
  title: string | null;
  route: string | null;
}

/** What a researcher got, newest first, from the audit log (which cannot be made to forget). */
export async function researcherReport(db: Kysely<Database>, username: string, options: { from?: string; to?: string; limit?: number } = {}): Promise<{ username: string; fullName: string | null; total: number; rows: ResearcherReportRow[] }> {
  const user = await db.selectFrom('users').select(['id', 'username', 'full_name']).where('username', '=', username).executeTakeFirst();
  if (!user) throw new NotFoundError('access.user_not_found', 'access.user_not_found', { username });
  let q = db.selectFrom('audit_events').where('actor_user_id', '=', user.id).where('action', 'in', ['access.view', 'access.download']);
  if (options.from) q = q.where('at', '>=', new Date(`${options.from}T00:00:00Z`));
  if (options.to) q = q.where('at', '<', new Date(new Date(`${options.to}T00:00:00Z`).getTime() + 86_400_000));
  const total = Number((await q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirst())?.n ?? 0);
  const rows = await q.select(['at', 'action', 'details']).orderBy('id', 'desc').limit(Math.min(options.limit ?? 1000, 10_000)).execute();
  const ids = [...new Set(rows.map((r) => (r.details as { dossierId?: string }).dossierId).filter((x): x is string => !!x && UUID.test(x)))];
  const titles = new Map<string, string>();
  if (ids.length) {
    for (const d of await db.selectFrom('dossiers').select(['id', 'title']).where('id', 'in', ids).execute()) titles.set(d.id, d.title);
    for (const doc of await db.selectFrom('dossier_documents').select(['dossier_id', 'position', 'metadata']).where('dossier_id', 'in', ids).execute()) {
      titles.set(`${doc.dossier_id}#${doc.position}`, String((doc.metadata as { title?: string }).title ?? ''));
    }
  }
  return {
    username: user.username,
    fullName: user.full_name ?? null,
    total,
    rows: rows.map((r) => {
      const d = r.details as { what?: string; dossierId?: string; dossier?: string; position?: number; route?: string };
      const position = typeof d.position === 'number' ? d.position : null;
      return {
        at: new Date(r.at).toISOString(),
        action: r.action as ResearcherReportRow['action'],
        what: d.what ?? '',
        dossierId: d.dossierId ?? null,
        dossier: d.dossier ?? null,
        position,
        title: (d.dossierId && (position !== null ? titles.get(`${d.dossierId}#${position}`) : titles.get(d.dossierId))) ?? null,
        route: d.route ?? null,
      };
    }),
  };
}

/** The views of every document of a dossier for one reader (staff: all 'full'). */
export async function documentViews(db: Kysely<Database>, reader: Reader, dossierId: string, now: Date): Promise<Map<number, ResearcherView>> {
  const out = new Map<number, ResearcherView>();
  if (!UUID.test(dossierId)) return out;
  if (!isResearcher(reader.roles)) {
    for (const r of await db.selectFrom('dossier_documents').select('position').where('dossier_id', '=', dossierId).execute()) out.set(r.position, 'full');
    return out;
  }
  const ctx = researcherContext(reader, now);
  const rows = await db.selectFrom('dossier_documents').select(['dossier_documents.position', documentViewSql(ctx).as('view')]).where('dossier_documents.dossier_id', '=', dossierId).execute();
  for (const r of rows) out.set(r.position, r.view);
  return out;
}

export { narrower, archiveToday };
