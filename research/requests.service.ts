// Researchers and their copy requests (issue 13 "Requests"; BRIEF §2 researcher, p.191).
//
// Registration: a researcher applies online (name, organisation, contacts, purpose) and gets an
// account with the researcher role at once, but the profile stays *pending* until the archivist
// confirms it, and only a confirmed researcher may submit requests. This is how a reading room
// admits users: the applicant fills in the researcher's form, the archive checks who they are
// and admits them; the archivist may also register someone at the desk, confirmed at once.
// Searching what is open needs no admission, so a pending researcher may already log in.
//
// Requests: submitted → approved | refused (reason required) → copies_ready (certified copies
// packaged, research/copies.service.ts) → delivered (first download, or the paper copy handed
// over) or expired (the link ran out before anyone downloaded). The archive answers within
// ANSWER_DAYS (BRIEF names no legal deadline; 15 days is the usual answer period for requests
// to state bodies, and the service takes another one); a request still submitted after its
// deadline is shown as overdue. A researcher reaches only their own requests: another's
// answers 404 like a missing one, so its existence is not told.
import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import { ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError, ValidationError } from '../common/errors';
import { recordAudit, type Actor } from '../audit/audit.service';
import type { Database } from '../database/database';
import type { UsersService } from '../accounts/users.service';
import type { Language } from '../common/i18n';
import { researcherView } from './access-check';
import type { RequestDelivery, RequestStatus, ResearcherStatus } from './tables';

export const ANSWER_DAYS = 15;
export const LINK_DAYS = 7;
export const MAX_ITEMS = 50;
/** Self-registrations from one address in a day: a reading room's or a library's worth, not a script's. */
export const SELF_REGISTRATIONS_PER_DAY = 10;
const DAY_MS = 24 * 60 * 60 * 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ResearchOptions {
  /** Days the archive has to answer a request. */
  answerDays?: number;
  /** Days a package link stays valid. */
  linkDays?: number;
}

export interface ResearcherProfile {
  id: string;
  userId: string;
  username: string;
  fullName: string;
  organisation: string;
  email: string | null;
  phone: string | null;
  purpose: string;
  status: ResearcherStatus;
  registeredBy: 'self' | 'archivist';
  createdAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
}

export interface RequestItemView {
  position: number;
  dossierId: string;
  documentPosition: number | null;
  label: string;
}

export interface RequestView {
  id: string;
  number: string;
  status: RequestStatus;
  researcher: { id: string; fullName: string; organisation: string; username: string };
  purpose: string;
  delivery: RequestDelivery;
  language: 'kk' | 'ru';
  createdAt: string;
  dueAt: string;
  overdue: boolean;
  decidedBy: string | null;
  decidedAt: string | null;
  refusalReason: string | null;
  copiesAt: string | null;
  deliveredAt: string | null;
  items: RequestItemView[];
  package: { id: string; fileName: string; size: number; sha256: string; createdAt: string; expiresAt: string; expired: boolean; /** When the sweep removed the expired package's file. */ removedAt: string | null; downloads: number } | null;
}

export interface NotificationView {
  id: string;
  kind: string;
  requestId: string | null;
  researcherId: string | null;
  params: Record<string, string | number>;
  createdAt: string;
  read: boolean;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || !value.trim()) throw new ValidationError('research.field_required', 'research.field_required', { field });
  const t = value.trim();
  if (t.length > max) throw new ValidationError('research.field_too_long', 'research.field_too_long', { field, max });
  return t;
}

function optional(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) return null;
  return text(value, field, max);
}

export function isArchivist(actor: Actor): boolean {
  return actor.roles.includes('archivist');
}

export function assertArchivist(actor: Actor): void {
  // The local operator (CLI, no session) acts for the archive.
  if (actor.userId === null || isArchivist(actor)) return;
  throw new ForbiddenError('research.archivist_only', 'research.archivist_only', { username: actor.username });
}

type ResearcherRow = Awaited<ReturnType<typeof loadResearcherRow>>;

async function loadResearcherRow(db: Kysely<Database>, where: { id?: string; userId?: string }) {
  let q = db.selectFrom('researchers as r').innerJoin('users as u', 'u.id', 'r.user_id').selectAll('r').select('u.username');
  if (where.id) q = q.where('r.id', '=', where.id);
  if (where.userId) q = q.where('r.user_id', '=', where.userId);
  return q.executeTakeFirst();
}

function toProfile(row: NonNullable<ResearcherRow>): ResearcherProfile {
  return {
    id: row.id,
    userId: row.user_id,
    username: row.username,
    fullName: row.full_name,
    organisation: row.organisation,
    email: row.email,
    phone: row.phone,
    purpose: row.purpose,
    status: row.status,
    registeredBy: row.registered_by,
    createdAt: iso(row.created_at)!,
    decidedBy: row.decided_by,
    decidedAt: iso(row.decided_at),
    decisionReason: row.decision_reason,
  };
}

async function notify(
  trx: Transaction<Database>,
  userIds: string[],
  input: { kind: string; requestId?: string; researcherId?: string; params?: Record<string, string | number> },
): Promise<void> {
  if (!userIds.length) return;
  await trx
    .insertInto('research_notifications')
    .values(userIds.map((userId) => ({ user_id: userId, kind: input.kind, request_id: input.requestId ?? null, researcher_id: input.researcherId ?? null, params: JSON.stringify(input.params ?? {}) })))
    .execute();
}

async function archivistIds(trx: Transaction<Database>): Promise<string[]> {
  const rows = await trx.selectFrom('users').select(['id', 'roles']).where('status', '=', 'active').execute();
  return rows.filter((r) => (r.roles as string[]).includes('archivist')).map((r) => r.id);
}

export interface RegisterInput {
  username: string;
  password: string;
  fullName: string;
  organisation: string;
  email?: string | null;
  phone?: string | null;
  purpose: string;
  language?: Language;
}

/**
 * A researcher's application (actor null: self-registration from the portal) or the archivist's
 * registration at the desk (confirmed at once). Creates the account (researcher role) and the
 * profile; the password follows the users' password policy.
 */
export async function registerResearcher(
  deps: { db: Kysely<Database>; users: UsersService },
  actor: Actor | null,
  input: RegisterInput,
  context: { ip?: string; now?: Date } = {},
): Promise<ResearcherProfile> {
  if (actor) assertArchivist(actor);
  // Anyone may apply without an account: the address's applications of the last day are
  // counted from the audit log (which cannot be made to forget), so a script cannot fill the
  // archivist's queue and the users table.
  if (!actor && context.ip) {
    const since = new Date((context.now ?? new Date()).getTime() - DAY_MS);
    const recent = await deps.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('action', '=', 'researcher.register')
      .where('at', '>=', since)
      .where(sql<string>`details->>'ip'`, '=', context.ip)
      .executeTakeFirstOrThrow();
    if (Number(recent.n) >= SELF_REGISTRATIONS_PER_DAY) {
      throw new TooManyRequestsError('research.too_many_registrations', 'research.too_many_registrations', { max: SELF_REGISTRATIONS_PER_DAY }, { retryAfterSeconds: 3600 });
    }
  }
  const fullName = text(input.fullName, 'fullName', 200);
  const organisation = text(input.organisation, 'organisation', 300);
  const purpose = text(input.purpose, 'purpose', 2000);
  const email = optional(input.email, 'email', 200);
  const phone = optional(input.phone, 'phone', 50);
  if (!email && !phone) throw new ValidationError('research.contact_required', 'research.contact_required', { fields: 'email, phone' });
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new ValidationError('research.email_invalid', 'research.email_invalid', { field: 'email', value: email });
  if (phone && !/^\+?[0-9 ()-]{5,50}$/.test(phone)) throw new ValidationError('research.phone_invalid', 'research.phone_invalid', { field: 'phone', value: phone });
  const self = actor === null;
  // The account is made by the users service (username, password policy, user.create audited);
  // it acts as the local operator for that step, the research audit event names who asked.
  const creator: Actor = { userId: null, username: self ? 'self-registration' : actor.username, roles: [], ...(actor?.requestId ? { requestId: actor.requestId } : {}) };
  const user = await deps.users.add(creator, { username: input.username, password: input.password, fullName, roles: ['researcher'], language: input.language ?? 'kk' });
  const id = await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('researchers')
      .values({
        user_id: user.id,
        full_name: fullName,
        organisation,
        email,
        phone,
        purpose,
        status: self ? 'pending' : 'confirmed',
        registered_by: self ? 'self' : 'archivist',
        ...(self ? {} : { decided_by: actor.username, decided_at: new Date() }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor: actor ?? { userId: user.id, username: user.username, roles: ['researcher'] },
      action: 'researcher.register',
      objectType: 'researcher',
      objectId: row.id,
      details: { username: user.username, fullName, organisation, status: self ? 'pending' : 'confirmed', ...(self && context.ip ? { ip: context.ip } : {}) },
    });
    if (self) await notify(trx, await archivistIds(trx), { kind: 'researcher_registered', researcherId: row.id, params: { name: fullName } });
    return row.id;
  });
  return toProfile((await loadResearcherRow(deps.db, { id }))!);
}

export async function getResearcherProfile(db: Kysely<Database>, userId: string): Promise<ResearcherProfile | null> {
  const row = await loadResearcherRow(db, { userId });
  return row ? toProfile(row) : null;
}

export async function listResearchers(db: Kysely<Database>, actor: Actor, filter: { status?: ResearcherStatus } = {}): Promise<ResearcherProfile[]> {
  assertArchivist(actor);
  let q = db.selectFrom('researchers as r').innerJoin('users as u', 'u.id', 'r.user_id').selectAll('r').select('u.username').orderBy('r.created_at', 'desc');
  if (filter.status) q = q.where('r.status', '=', filter.status);
  return (await q.limit(500).execute()).map(toProfile);
}

/** The archivist admits (confirm) or turns down (refuse, with a reason) a pending researcher. */
export async function decideResearcher(db: Kysely<Database>, actor: Actor, researcherId: string, decision: { confirm: boolean; reason?: string }): Promise<ResearcherProfile> {
  assertArchivist(actor);
  const reason = decision.confirm ? optional(decision.reason, 'reason', 2000) : text(decision.reason, 'reason', 2000);
  if (!UUID.test(researcherId)) throw new NotFoundError('research.researcher_not_found', 'research.researcher_not_found', { id: researcherId });
  await db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('researchers').selectAll().where('id', '=', researcherId).forUpdate().executeTakeFirst();
    if (!row) throw new NotFoundError('research.researcher_not_found', 'research.researcher_not_found', { id: researcherId });
    const status: ResearcherStatus = decision.confirm ? 'confirmed' : 'refused';
    if (row.status === status) throw new ConflictError('research.researcher_already', 'research.researcher_already', { name: row.full_name, status });
    await trx.updateTable('researchers').set({ status, decided_by: actor.username, decided_at: new Date(), decision_reason: reason }).where('id', '=', researcherId).execute();
    await recordAudit(trx, {
      actor,
      action: decision.confirm ? 'researcher.confirm' : 'researcher.refuse',
      objectType: 'researcher',
      objectId: researcherId,
      details: { fullName: row.full_name, previousStatus: row.status, status, ...(reason ? { reason } : {}) },
    });
    await notify(trx, [row.user_id], { kind: decision.confirm ? 'researcher_confirmed' : 'researcher_refused', researcherId, params: reason ? { reason } : {} });
  });
  return toProfile((await loadResearcherRow(db, { id: researcherId }))!);
}

export interface SubmitInput {
  items: { dossierId: string; documentPosition?: number | null }[];
  purpose?: string;
  delivery?: RequestDelivery;
  language?: 'kk' | 'ru';
}

/** Labels and existence of the requested items, as the researcher may see them. */
async function resolveItems(db: Kysely<Database>, researcher: Actor, items: SubmitInput['items'], now: Date): Promise<{ dossierId: string; documentPosition: number | null; label: string }[]> {
  if (!Array.isArray(items) || !items.length) throw new ValidationError('research.items_required', 'research.items_required', {});
  if (items.length > MAX_ITEMS) throw new ValidationError('research.too_many_items', 'research.too_many_items', { count: items.length, max: MAX_ITEMS });
  const out: { dossierId: string; documentPosition: number | null; label: string }[] = [];
  const seen = new Set<string>();
  for (const [i, item] of items.entries()) {
    const where = `items[${i}]`;
    const dossierId = String(item?.dossierId ?? '');
    const position = item?.documentPosition ?? null;
    if (position !== null && (!Number.isInteger(position) || position < 1)) throw new ValidationError('research.item_position_invalid', 'research.item_position_invalid', { where, value: String(position) });
    const dossier = UUID.test(dossierId) ? await db.selectFrom('dossiers').select(['id', 'case_index', 'year', 'title']).where('id', '=', dossierId).executeTakeFirst() : undefined;
    // A dossier the researcher may not see at all answers as a missing one.
    if (!dossier || (await researcherView(db, researcher, { dossierId }, now)) === 'none') {
      throw new NotFoundError('research.item_not_found', 'research.item_not_found', { where, id: dossierId });
    }
    let label = `${dossier.case_index}${dossier.year ? ` (${dossier.year})` : ''} ${dossier.title}`;
    if (position !== null) {
      const doc = await db.selectFrom('dossier_documents').select(['document_id', 'metadata']).where('dossier_id', '=', dossierId).where('position', '=', position).executeTakeFirst();
      if (!doc) throw new NotFoundError('research.item_not_found', 'research.item_not_found', { where, id: `${dossierId}#${position}` });
      const view = await researcherView(db, researcher, { documentId: doc.document_id }, now);
      if (view === 'none') throw new NotFoundError('research.item_not_found', 'research.item_not_found', { where, id: `${dossierId}#${position}` });
      const title = (doc.metadata as { title?: string }).title ?? '';
      label = `${dossier.case_index} №${position}: ${title}`;
    }
    const key = `${dossierId}#${position ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ dossierId, documentPosition: position, label: label.slice(0, 500) });
  }
  return out;
}

/** A confirmed researcher asks for copies of documents or whole dossiers. */
export async function submitRequest(db: Kysely<Database>, actor: Actor, input: SubmitInput, options: ResearchOptions & { now?: Date } = {}): Promise<RequestView> {
  const now = options.now ?? new Date();
  if (!actor.userId || !actor.roles.includes('researcher')) throw new ForbiddenError('research.researcher_only', 'research.researcher_only', { username: actor.username });
  const profile = await getResearcherProfile(db, actor.userId);
  if (!profile) throw new ForbiddenError('research.profile_missing', 'research.profile_missing', { username: actor.username });
  if (profile.status !== 'confirmed') throw new ForbiddenError('research.researcher_not_confirmed', 'research.researcher_not_confirmed', { status: profile.status });
  const delivery = input.delivery ?? 'electronic';
  if (delivery !== 'electronic' && delivery !== 'paper') throw new ValidationError('research.delivery_invalid', 'research.delivery_invalid', { value: String(delivery) });
  const language = input.language ?? 'kk';
  if (language !== 'kk' && language !== 'ru') throw new ValidationError('research.language_invalid', 'research.language_invalid', { value: String(language) });
  const purpose = input.purpose === undefined || input.purpose === null || input.purpose === '' ? profile.purpose : text(input.purpose, 'purpose', 2000);
  const items = await resolveItems(db, actor, input.items, now);
  const dueAt = new Date(now.getTime() + (options.answerDays ?? ANSWER_DAYS) * DAY_MS);
  const id = await db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ n: string | number }>`SELECT nextval('research_request_number') AS n`.execute(trx);
    const number = `${now.getUTCFullYear()}/${String(rows[0]!.n).padStart(5, '0')}`;
    const row = await trx
      .insertInto('research_requests')
      .values({ number, researcher_id: profile.id, user_id: actor.userId!, status: 'submitted', purpose, delivery, language, created_at: now, updated_at: now, due_at: dueAt })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.insertInto('research_request_items').values(items.map((it, i) => ({ request_id: row.id, position: i + 1, dossier_id: it.dossierId, document_position: it.documentPosition, label: it.label }))).execute();
    await recordAudit(trx, {
      actor,
      action: 'research_request.submit',
      objectType: 'research_request',
      objectId: row.id,
      details: { number, items: items.map((it) => it.label), deadline: dueAt.toISOString(), format: delivery },
    });
    await notify(trx, await archivistIds(trx), { kind: 'request_submitted', requestId: row.id, params: { number, name: profile.fullName } });
    return row.id;
  });
  return loadRequest(db, id, now);
}

export async function loadRequest(db: Kysely<Database>, id: string, now = new Date()): Promise<RequestView> {
  const r = UUID.test(id)
    ? await db
        .selectFrom('research_requests as q')
        .innerJoin('researchers as r', 'r.id', 'q.researcher_id')
        .innerJoin('users as u', 'u.id', 'r.user_id')
        .selectAll('q')
        .select(['r.full_name', 'r.organisation', 'u.username'])
        .where('q.id', '=', id)
        .executeTakeFirst()
    : undefined;
  if (!r) throw new NotFoundError('research.request_not_found', 'research.request_not_found', { id });
  const items = await db.selectFrom('research_request_items').selectAll().where('request_id', '=', id).orderBy('position').execute();
  const pkg = await db.selectFrom('research_packages').selectAll().where('request_id', '=', id).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
  return {
    id: r.id,
    number: r.number,
    status: r.status,
    researcher: { id: r.researcher_id, fullName: r.full_name, organisation: r.organisation, username: r.username },
    purpose: r.purpose,
    delivery: r.delivery,
    language: r.language,
    createdAt: iso(r.created_at)!,
    dueAt: iso(r.due_at)!,
    overdue: r.status === 'submitted' && new Date(r.due_at).getTime() < now.getTime(),
    decidedBy: r.decided_by,
    decidedAt: iso(r.decided_at),
    refusalReason: r.refusal_reason,
    copiesAt: iso(r.copies_at),
    deliveredAt: iso(r.delivered_at),
    items: items.map((it) => ({ position: it.position, dossierId: it.dossier_id, documentPosition: it.document_position, label: it.label })),
    package: pkg
      ? {
          id: pkg.id,
          fileName: pkg.file_name,
          size: Number(pkg.size),
          sha256: pkg.sha256,
          createdAt: iso(pkg.created_at)!,
          expiresAt: iso(pkg.expires_at)!,
          expired: new Date(pkg.expires_at).getTime() <= now.getTime(),
          removedAt: iso(pkg.removed_at),
          downloads: pkg.downloads,
        }
      : null,
  };
}

/** A request as this actor may see it: the archivist any, a researcher only their own (else 404). */
export async function getRequest(db: Kysely<Database>, actor: Actor, id: string, now = new Date()): Promise<RequestView> {
  await expireRequests(db, now);
  const view = await loadRequest(db, id, now);
  if (!mayReadRequest(actor, view, await ownerOf(db, view.id))) throw new NotFoundError('research.request_not_found', 'research.request_not_found', { id });
  return view;
}

async function ownerOf(db: Kysely<Database>, requestId: string): Promise<string> {
  return (await db.selectFrom('research_requests').select('user_id').where('id', '=', requestId).executeTakeFirstOrThrow()).user_id;
}

function mayReadRequest(actor: Actor, _view: RequestView, ownerUserId: string): boolean {
  if (actor.userId === null || isArchivist(actor)) return true;
  return actor.userId === ownerUserId;
}

/** Audits a look at a request (every view of what a researcher asked and got is recorded). */
export async function auditRequestView(db: Kysely<Database>, actor: Actor, view: RequestView): Promise<void> {
  await recordAudit(db, { actor, action: 'research_request.view', objectType: 'research_request', objectId: view.id, details: { number: view.number, status: view.status } });
}

export async function listRequests(
  db: Kysely<Database>,
  actor: Actor,
  filter: { status?: RequestStatus; limit?: number; offset?: number } = {},
  now = new Date(),
): Promise<RequestView[]> {
  await expireRequests(db, now);
  let q = db.selectFrom('research_requests').select('id').orderBy('created_at', 'desc');
  if (!(actor.userId === null || isArchivist(actor))) {
    if (!actor.userId) return [];
    q = q.where('user_id', '=', actor.userId);
  }
  if (filter.status) q = q.where('status', '=', filter.status);
  const ids = await q.limit(Math.min(filter.limit ?? 100, 500)).offset(filter.offset ?? 0).execute();
  const out: RequestView[] = [];
  for (const { id } of ids) out.push(await loadRequest(db, id, now));
  return out;
}

async function lockRequest(trx: Transaction<Database>, id: string) {
  const row = UUID.test(id) ? await trx.selectFrom('research_requests').selectAll().where('id', '=', id).forUpdate().executeTakeFirst() : undefined;
  if (!row) throw new NotFoundError('research.request_not_found', 'research.request_not_found', { id });
  return row;
}

function assertStatus(row: { number: string; status: RequestStatus }, allowed: RequestStatus[], action: string): void {
  if (!allowed.includes(row.status)) {
    throw new ConflictError('research.request_status_conflict', 'research.request_status_conflict', { number: row.number, status: row.status, action }, { status: row.status, allowed });
  }
}

/** The researcher as an actor, to ask access/ what they may get. */
export async function researcherActorOf(db: Kysely<Database>, userId: string): Promise<Actor> {
  const u = await db.selectFrom('users').select(['id', 'username', 'roles']).where('id', '=', userId).executeTakeFirstOrThrow();
  return { userId: u.id, username: u.username, roles: u.roles as Actor['roles'] };
}

/**
 * Items the researcher may not get in full now (access/ researcherViewOf), each named; approval
 * and copying are refused while any remains, so the archivist refuses with the reason instead.
 */
export async function blockedItems(db: Kysely<Database>, requestId: string, now = new Date()): Promise<{ position: number; label: string; view: string }[]> {
  const owner = await researcherActorOf(db, await ownerOf(db, requestId));
  const items = await db.selectFrom('research_request_items').selectAll().where('request_id', '=', requestId).orderBy('position').execute();
  const blocked: { position: number; label: string; view: string }[] = [];
  for (const it of items) {
    let view = await researcherView(db, owner, { dossierId: it.dossier_id }, now);
    if (it.document_position !== null) {
      const doc = await db.selectFrom('dossier_documents').select('document_id').where('dossier_id', '=', it.dossier_id).where('position', '=', it.document_position).executeTakeFirst();
      view = doc ? await researcherView(db, owner, { documentId: doc.document_id }, now) : 'none';
    } else if (view === 'full') {
      // A whole dossier is copied document by document: one closed document blocks it, named.
      const docs = await db.selectFrom('dossier_documents').select(['document_id', 'position']).where('dossier_id', '=', it.dossier_id).orderBy('position').execute();
      for (const doc of docs) {
        const docView = await researcherView(db, owner, { documentId: doc.document_id }, now);
        if (docView !== 'full') blocked.push({ position: it.position, label: `${it.label} — №${doc.position}`, view: docView });
      }
      continue;
    }
    if (view !== 'full') blocked.push({ position: it.position, label: it.label, view });
  }
  return blocked;
}

export async function approveRequest(db: Kysely<Database>, actor: Actor, id: string, now = new Date()): Promise<RequestView> {
  assertArchivist(actor);
  const current = await loadRequest(db, id, now);
  const blocked = await blockedItems(db, current.id, now);
  if (blocked.length) {
    throw new ConflictError('research.items_not_open', 'research.items_not_open', { number: current.number, items: blocked.map((b) => b.label).join('; ') }, { items: blocked });
  }
  await db.transaction().execute(async (trx) => {
    const row = await lockRequest(trx, id);
    assertStatus(row, ['submitted'], 'approve');
    await trx.updateTable('research_requests').set({ status: 'approved', decided_by: actor.username, decided_by_user: actor.userId, decided_at: now, updated_at: now }).where('id', '=', id).execute();
    await recordAudit(trx, { actor, action: 'research_request.approve', objectType: 'research_request', objectId: id, details: { number: row.number, previousStatus: row.status, status: 'approved' } });
    await notify(trx, [row.user_id], { kind: 'request_approved', requestId: id, params: { number: row.number } });
  });
  return loadRequest(db, id, now);
}

export async function refuseRequest(db: Kysely<Database>, actor: Actor, id: string, reasonInput: string, now = new Date()): Promise<RequestView> {
  assertArchivist(actor);
  if (typeof reasonInput !== 'string' || !reasonInput.trim()) throw new ValidationError('research.reason_required', 'research.reason_required', { field: 'reason' });
  const reason = text(reasonInput, 'reason', 2000);
  await db.transaction().execute(async (trx) => {
    const row = await lockRequest(trx, id);
    assertStatus(row, ['submitted', 'approved'], 'refuse');
    await trx.updateTable('research_requests').set({ status: 'refused', refusal_reason: reason, decided_by: actor.username, decided_by_user: actor.userId, decided_at: now, updated_at: now }).where('id', '=', id).execute();
    await recordAudit(trx, { actor, action: 'research_request.refuse', objectType: 'research_request', objectId: id, details: { number: row.number, previousStatus: row.status, status: 'refused', reason } });
    await notify(trx, [row.user_id], { kind: 'request_refused', requestId: id, params: { number: row.number, reason } });
  });
  return loadRequest(db, id, now);
}

/** The paper copy was handed over (or an electronic package delivered otherwise): delivered. */
export async function markDelivered(db: Kysely<Database> | Transaction<Database>, actor: Actor, id: string, how: 'download' | 'handed_over', now = new Date()): Promise<void> {
  const run = async (trx: Transaction<Database>) => {
    const row = await lockRequest(trx, id);
    if (row.status === 'delivered' && how === 'download') return;
    assertStatus(row, ['copies_ready'], 'deliver');
    await trx.updateTable('research_requests').set({ status: 'delivered', delivered_at: now, updated_at: now }).where('id', '=', id).execute();
    await recordAudit(trx, { actor, action: 'research_request.deliver', objectType: 'research_request', objectId: id, details: { number: row.number, previousStatus: row.status, status: 'delivered', kind: how } });
  };
  if (db.isTransaction) await run(db as Transaction<Database>);
  else await (db as Kysely<Database>).transaction().execute(run);
}

export async function deliverRequest(db: Kysely<Database>, actor: Actor, id: string, now = new Date()): Promise<RequestView> {
  assertArchivist(actor);
  await markDelivered(db, actor, id, 'handed_over', now);
  return loadRequest(db, id, now);
}

/**
 * Requests whose copies were made but whose link ran out before anyone downloaded them become
 * expired (audited as the system, the researcher told). Run whenever requests are read.
 */
export async function expireRequests(db: Kysely<Database>, now = new Date()): Promise<number> {
  const due = await db
    .selectFrom('research_requests as q')
    .innerJoin('research_packages as p', 'p.request_id', 'q.id')
    .select(['q.id'])
    .where('q.status', '=', 'copies_ready')
    .groupBy('q.id')
    .having(sql<Date>`max(p.expires_at)`, '<=', now)
    .execute();
  let count = 0;
  for (const { id } of due) {
    await db.transaction().execute(async (trx) => {
      const row = await lockRequest(trx, id);
      if (row.status !== 'copies_ready') return;
      await trx.updateTable('research_requests').set({ status: 'expired', updated_at: now }).where('id', '=', id).execute();
      await recordAudit(trx, {
        actor: { userId: null, username: 'system', roles: [] },
        action: 'research_request.expire',
        objectType: 'research_request',
        objectId: id,
        details: { number: row.number, previousStatus: row.status, status: 'expired' },
      });
      await notify(trx, [row.user_id], { kind: 'request_expired', requestId: id, params: { number: row.number } });
      count++;
    });
  }
  return count;
}

export { notify as notifyUsers };

export async function listNotifications(db: Kysely<Database>, userId: string, options: { unreadOnly?: boolean; limit?: number } = {}): Promise<{ unread: number; notifications: NotificationView[] }> {
  let q = db.selectFrom('research_notifications').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc');
  if (options.unreadOnly) q = q.where('read_at', 'is', null);
  const rows = await q.limit(Math.min(options.limit ?? 50, 200)).execute();
  const unread = await db.selectFrom('research_notifications').select((eb) => eb.fn.countAll<string | number>().as('n')).where('user_id', '=', userId).where('read_at', 'is', null).executeTakeFirstOrThrow();
  return {
    unread: Number(unread.n),
    notifications: rows.map((r) => ({ id: r.id, kind: r.kind, requestId: r.request_id, researcherId: r.researcher_id, params: r.params, createdAt: iso(r.created_at)!, read: r.read_at !== null })),
  };
}

/** Marks the user's own notifications read (all, or the given ones); answers how many changed. */
export async function markNotificationsRead(db: Kysely<Database>, userId: string, ids?: string[]): Promise<number> {
  let q = db.updateTable('research_notifications').set({ read_at: new Date() }).where('user_id', '=', userId).where('read_at', 'is', null);
  if (ids) {
    const valid = ids.filter((i) => UUID.test(i));
    if (!valid.length) return 0;
    q = q.where('id', 'in', valid);
  }
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
