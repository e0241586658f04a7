// The expert commission (ЭК, issue 12; p.31, p.48): members with a commission role and a term,
// meetings with attendance and an agenda, votes, the outcome of each question under the quorum
// of the commission's settings, and the decisions other domains ask for (`decisionOn`).
//
// Rules kept here (and nowhere else):
// - a member votes only at a meeting whose date their term covers, only when marked present,
//   once per question; a vote may carry a reservation, which needs a dissent text (p.48);
// - quorum: strictly more than `quorum_percent` % of the members in office on the meeting date
//   are present; without it the question's outcome is `no_quorum` (undecided, may be put on a
//   later agenda); with it a question is adopted when more than half of those present voted for;
// - a decision is effective once the protocol is signed by the chair and the secretary.
// Every state change is one transaction with its audit event.
import type { Kysely, Transaction } from 'kysely';
import { recordAudit, type Actor } from '../audit/audit.service';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../common/errors';
import type { Database } from '../database/database';
import type { Role } from '../accounts/roles';
import type { AgendaItemKind, CommissionRole, ItemOutcome, MeetingStatus, VoteChoice } from './tables';

export type { AgendaItemKind, CommissionRole, ItemOutcome, MeetingStatus, VoteChoice } from './tables';

export const AGENDA_ITEM_KINDS = ['nomenclature_approval', 'inventory_approval', 'destruction_act_approval', 'move_to_permanent', 'extend_retention'] as const satisfies readonly AgendaItemKind[];
export const COMMISSION_MEMBER_ROLES = ['chair', 'secretary', 'member'] as const satisfies readonly CommissionRole[];
export const VOTE_CHOICES = ['for', 'against', 'abstain'] as const satisfies readonly VoteChoice[];

/** The account role a user must hold to sit on the commission in a commission role. */
export const ACCOUNT_ROLE_OF: Record<CommissionRole, Role> = {
  chair: 'commission_chair',
  secretary: 'commission_secretary',
  member: 'commission_member',
};

type Db = Kysely<Database> | Transaction<Database>;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface CommissionSettings {
  nameKk: string;
  nameRu: string;
  quorumPercent: number;
}

export interface MemberView {
  id: string;
  userId: string;
  username: string;
  fullName: string;
  position: string | null;
  role: CommissionRole;
  termFrom: string;
  termTo: string | null;
}

export interface VoteView {
  memberId: string;
  username: string;
  fullName: string;
  role: CommissionRole;
  vote: VoteChoice;
  reservation: boolean;
  dissent: string | null;
  castAt: string;
}

export interface AgendaItemView {
  id: string;
  meetingId: string | null;
  position: number | null;
  kind: AgendaItemKind;
  subjectId: string;
  title: string;
  details: Json | null;
  proposedBy: string;
  proposedAt: string;
  outcome: ItemOutcome | null;
  tally: { for: number; against: number; abstain: number; present: number; inOffice: number } | null;
  closedBy: string | null;
  closedAt: string | null;
  votes: VoteView[];
}

export interface ProtocolSignatureView {
  role: 'chair' | 'secretary';
  memberId: string;
  signedBy: string;
  signedAt: string;
  cmsSha256: string;
  signer: Record<string, unknown> | null;
}

export interface ProtocolRenditionView {
  id: string;
  meetingId: string;
  language: 'kk' | 'ru';
  title: string;
  sha256: string;
  size: number;
  createdBy: string;
  createdAt: string;
  signatures: ProtocolSignatureView[];
}

export interface MeetingSummary {
  id: string;
  number: string;
  date: string;
  place: string;
  status: MeetingStatus;
  protocolNumber: string | null;
  protocolDate: string | null;
  items: number;
}

export interface MeetingView extends MeetingSummary {
  createdBy: string;
  heldAt: string | null;
  draftedAt: string | null;
  signedAt: string | null;
  /** Members whose term covers the meeting date. */
  inOffice: MemberView[];
  /** Ids of the members marked present when the meeting was held. */
  present: string[];
  agenda: AgendaItemView[];
  /** The current (not superseded) protocol renditions. */
  protocol: ProtocolRenditionView[];
}

export interface CommissionDecision {
  itemId: string;
  meetingId: string;
  protocolNumber: string;
  protocolDate: string;
  outcome: 'adopted' | 'rejected';
  protocolSigned: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function iso(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** A calendar date `YYYY-MM-DD` that exists; the field is named in the refusal. */
export function assertDate(value: unknown, field: string): string {
  if (typeof value !== 'string' || !DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
    throw new ValidationError('commission.invalid_date', 'commission.invalid_date', { field, value: String(value ?? '') });
  }
  return value;
}

function assertText(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || !value.trim()) throw new ValidationError('commission.field_required', 'commission.field_required', { field });
  if (value.trim().length > max) throw new ValidationError('commission.field_too_long', 'commission.field_too_long', { field, max });
  return value.trim();
}

export function isAgendaItemKind(value: unknown): value is AgendaItemKind {
  return typeof value === 'string' && (AGENDA_ITEM_KINDS as readonly string[]).includes(value);
}

function assertKind(value: unknown): AgendaItemKind {
  if (!isAgendaItemKind(value)) throw new ValidationError('commission.invalid_kind', 'commission.invalid_kind', { field: 'kind', value: String(value ?? ''), allowed: AGENDA_ITEM_KINDS.join(', ') });
  return value;
}

function assertId(value: unknown, what: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw new NotFoundError(`commission.${what}_not_found`, `commission.${what}_not_found`, { id: String(value ?? '') });
  return value;
}

function isSecretaryActor(actor: Actor): boolean {
  return actor.userId === null || actor.roles.includes('commission_secretary') || actor.roles.includes('admin');
}

// The parameter is not named `action`: tests/browser/ui-labels reads quoted values given to an
// `action` parameter as audit actions.
function requireSecretary(actor: Actor, step: string): void {
  if (!isSecretaryActor(actor)) throw new ForbiddenError('commission.secretary_only', 'commission.secretary_only', { action: step });
}

/** Whether a term covers a date (both ends inclusive; an open term has no end). */
export function termCovers(member: { termFrom: string; termTo: string | null }, date: string): boolean {
  return member.termFrom <= date && (member.termTo === null || member.termTo >= date);
}

// ---- settings -------------------------------------------------------------------------------

export async function getSettings(db: Db): Promise<CommissionSettings> {
  const row = await db.selectFrom('commission_settings').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  return { nameKk: row.name_kk, nameRu: row.name_ru, quorumPercent: row.quorum_percent };
}

/** Changes the quorum (percent of members in office that must be exceeded) or the names. */
export async function updateSettings(db: Kysely<Database>, actor: Actor, input: { quorumPercent?: unknown; nameKk?: unknown; nameRu?: unknown }): Promise<CommissionSettings> {
  if (actor.userId !== null && !actor.roles.includes('admin') && !actor.roles.includes('commission_chair')) {
    throw new ForbiddenError('commission.settings_forbidden', 'commission.settings_forbidden', {});
  }
  const set: { quorum_percent?: number; name_kk?: string; name_ru?: string } = {};
  if (input.quorumPercent !== undefined) {
    const q = Number(input.quorumPercent);
    if (!Number.isInteger(q) || q < 0 || q > 99) throw new ValidationError('commission.invalid_quorum', 'commission.invalid_quorum', { field: 'quorumPercent', value: String(input.quorumPercent) });
    set.quorum_percent = q;
  }
  if (input.nameKk !== undefined) set.name_kk = assertText(input.nameKk, 'nameKk', 500);
  if (input.nameRu !== undefined) set.name_ru = assertText(input.nameRu, 'nameRu', 500);
  return db.transaction().execute(async (trx) => {
    const before = await getSettings(trx);
    await trx.updateTable('commission_settings').set({ ...set, updated_at: new Date(), updated_by: actor.username }).where('id', '=', 1).execute();
    const after = await getSettings(trx);
    await recordAudit(trx, { actor, action: 'commission.settings_update', objectType: 'commission', objectId: '1', details: { before, after } });
    return after;
  });
}

// ---- members --------------------------------------------------------------------------------

function memberQuery(db: Db) {
  return db
    .selectFrom('commission_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.id', 'm.user_id', 'm.role', 'm.term_from', 'm.term_to', 'u.username', 'u.full_name', 'u.position']);
}

type MemberRow = Awaited<ReturnType<ReturnType<typeof memberQuery>['executeTakeFirstOrThrow']>>;

function memberView(row: MemberRow): MemberView {
  return { id: row.id, userId: row.user_id, username: row.username, fullName: row.full_name, position: row.position, role: row.role, termFrom: row.term_from, termTo: row.term_to };
}

/** The members, optionally only those in office on a date; chair, secretary, then by name. */
export async function listMembers(db: Db, options: { at?: string } = {}): Promise<MemberView[]> {
  const rows = await memberQuery(db).orderBy('m.term_from').execute();
  const order: Record<CommissionRole, number> = { chair: 0, secretary: 1, member: 2 };
  return rows
    .map(memberView)
    .filter((m) => !options.at || termCovers(m, options.at))
    .sort((a, b) => order[a.role] - order[b.role] || a.fullName.localeCompare(b.fullName, 'ru') || a.termFrom.localeCompare(b.termFrom));
}

async function getMember(db: Db, id: string): Promise<MemberView> {
  const row = await memberQuery(db).where('m.id', '=', assertId(id, 'member')).executeTakeFirst();
  if (!row) throw new NotFoundError('commission.member_not_found', 'commission.member_not_found', { id });
  return memberView(row);
}

function overlaps(a: { termFrom: string; termTo: string | null }, b: { termFrom: string; termTo: string | null }): boolean {
  return (a.termTo === null || a.termTo >= b.termFrom) && (b.termTo === null || b.termTo >= a.termFrom);
}

/** Refuses a term overlapping the same user's other term, or a second chair/secretary at once. */
async function assertTermFits(db: Db, candidate: { id?: string; userId: string; username: string; role: CommissionRole; termFrom: string; termTo: string | null }): Promise<void> {
  const others = (await listMembers(db)).filter((m) => m.id !== candidate.id);
  const same = others.find((m) => m.userId === candidate.userId && overlaps(m, candidate));
  if (same) throw new ConflictError('commission.term_overlaps', 'commission.term_overlaps', { username: candidate.username, from: same.termFrom, to: same.termTo ?? '…' });
  if (candidate.role !== 'member') {
    const holder = others.find((m) => m.role === candidate.role && overlaps(m, candidate));
    if (holder) throw new ConflictError('commission.role_taken', 'commission.role_taken', { role: candidate.role, username: holder.username, from: holder.termFrom, to: holder.termTo ?? '…' });
  }
}

/** Appoints a user (by id or username) to the commission in a role for a term. Audit `commission.member_add`. */
export async function addMember(
  db: Kysely<Database>,
  actor: Actor,
  input: { user?: unknown; role?: unknown; termFrom?: unknown; termTo?: unknown },
): Promise<MemberView> {
  if (actor.userId !== null && !actor.roles.includes('admin') && !actor.roles.includes('commission_secretary')) {
    throw new ForbiddenError('commission.members_forbidden', 'commission.members_forbidden', {});
  }
  const role = input.role;
  if (typeof role !== 'string' || !(COMMISSION_MEMBER_ROLES as readonly string[]).includes(role)) {
    throw new ValidationError('commission.invalid_role', 'commission.invalid_role', { field: 'role', value: String(role ?? ''), allowed: COMMISSION_MEMBER_ROLES.join(', ') });
  }
  const termFrom = assertDate(input.termFrom, 'termFrom');
  const termTo = input.termTo === undefined || input.termTo === null || input.termTo === '' ? null : assertDate(input.termTo, 'termTo');
  if (termTo !== null && termTo < termFrom) throw new ValidationError('commission.term_reversed', 'commission.term_reversed', { from: termFrom, to: termTo });
  const ref = assertText(input.user, 'user', 200);
  return db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom('users')
      .select(['id', 'username', 'roles', 'status'])
      .where(UUID.test(ref) ? 'id' : 'username', '=', ref)
      .executeTakeFirst();
    if (!user) throw new NotFoundError('commission.user_not_found', 'commission.user_not_found', { user: ref });
    const needed = ACCOUNT_ROLE_OF[role as CommissionRole];
    if (!(user.roles as string[]).includes(needed)) {
      throw new ValidationError('commission.user_lacks_role', 'commission.user_lacks_role', { username: user.username, role: needed });
    }
    await assertTermFits(trx, { userId: user.id, username: user.username, role: role as CommissionRole, termFrom, termTo });
    const row = await trx
      .insertInto('commission_members')
      .values({ user_id: user.id, role: role as CommissionRole, term_from: termFrom, term_to: termTo, created_by: actor.username })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { actor, action: 'commission.member_add', objectType: 'commission_member', objectId: row.id, details: { username: user.username, role, termFrom, termTo } });
    return getMember(trx, row.id);
  });
}

/** Ends (or changes the end of) a member's term. Audit `commission.member_term`. */
export async function setMemberTermEnd(db: Kysely<Database>, actor: Actor, memberId: string, termTo: unknown): Promise<MemberView> {
  if (actor.userId !== null && !actor.roles.includes('admin') && !actor.roles.includes('commission_secretary')) {
    throw new ForbiddenError('commission.members_forbidden', 'commission.members_forbidden', {});
  }
  const end = termTo === null || termTo === '' ? null : assertDate(termTo, 'termTo');
  return db.transaction().execute(async (trx) => {
    const member = await getMember(trx, memberId);
    if (end !== null && end < member.termFrom) throw new ValidationError('commission.term_reversed', 'commission.term_reversed', { from: member.termFrom, to: end });
    await assertTermFits(trx, { ...member, termTo: end });
    await trx.updateTable('commission_members').set({ term_to: end }).where('id', '=', member.id).execute();
    await recordAudit(trx, { actor, action: 'commission.member_term', objectType: 'commission_member', objectId: member.id, details: { username: member.username, before: member.termTo, after: end } });
    return getMember(trx, member.id);
  });
}

/** The commission memberships of a user in office on a date (the UI shows them their role). */
export async function membershipsOf(db: Db, userId: string | null, at: string): Promise<MemberView[]> {
  if (!userId) return [];
  return (await listMembers(db, { at })).filter((m) => m.userId === userId);
}

// ---- meetings -------------------------------------------------------------------------------

async function meetingRow(db: Db, id: string) {
  const row = await db.selectFrom('commission_meetings').selectAll().where('id', '=', assertId(id, 'meeting')).executeTakeFirst();
  if (!row) throw new NotFoundError('commission.meeting_not_found', 'commission.meeting_not_found', { id });
  return row;
}

/** Plans a meeting. Audit `commission.meeting_create`. */
export async function createMeeting(db: Kysely<Database>, actor: Actor, input: { number?: unknown; date?: unknown; place?: unknown }): Promise<MeetingView> {
  requireSecretary(actor, 'meeting_create');
  const number = assertText(input.number, 'number', 50);
  const date = assertDate(input.date, 'date');
  const place = assertText(input.place, 'place', 500);
  const id = await db.transaction().execute(async (trx) => {
    const clash = await trx.selectFrom('commission_meetings').select('id').where('number', '=', number).where('meeting_date', 'like', `${date.slice(0, 4)}-%`).executeTakeFirst();
    if (clash) throw new ConflictError('commission.meeting_number_taken', 'commission.meeting_number_taken', { number, year: date.slice(0, 4) });
    const row = await trx.insertInto('commission_meetings').values({ number, meeting_date: date, place, created_by: actor.username }).returning('id').executeTakeFirstOrThrow();
    await recordAudit(trx, { actor, action: 'commission.meeting_create', objectType: 'commission_meeting', objectId: row.id, details: { number, date, place } });
    return row.id;
  });
  return getMeeting(db, id);
}

export async function listMeetings(db: Db): Promise<MeetingSummary[]> {
  const rows = await db
    .selectFrom('commission_meetings as m')
    .leftJoin('commission_agenda_items as i', 'i.meeting_id', 'm.id')
    .select(['m.id', 'm.number', 'm.meeting_date', 'm.place', 'm.status', 'm.protocol_number', 'm.protocol_date'])
    .select((eb) => eb.fn.count<number>('i.id').as('items'))
    .groupBy(['m.id', 'm.number', 'm.meeting_date', 'm.place', 'm.status', 'm.protocol_number', 'm.protocol_date'])
    .orderBy('m.meeting_date', 'desc')
    .orderBy('m.number', 'desc')
    .execute();
  return rows.map((r) => ({ id: r.id, number: r.number, date: r.meeting_date, place: r.place, status: r.status, protocolNumber: r.protocol_number, protocolDate: r.protocol_date, items: Number(r.items) }));
}

async function itemViews(db: Db, where: { meetingId: string } | { proposals: true } | { itemId: string }): Promise<AgendaItemView[]> {
  let q = db.selectFrom('commission_agenda_items').selectAll();
  if ('meetingId' in where) q = q.where('meeting_id', '=', where.meetingId);
  else if ('proposals' in where) q = q.where('meeting_id', 'is', null);
  else q = q.where('id', '=', where.itemId);
  const rows = await q.orderBy('position').orderBy('proposed_at').execute();
  if (!rows.length) return [];
  const votes = await db
    .selectFrom('commission_votes as v')
    .innerJoin('commission_members as m', 'm.id', 'v.member_id')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['v.item_id', 'v.member_id', 'v.vote', 'v.reservation', 'v.dissent', 'v.cast_at', 'u.username', 'u.full_name', 'm.role'])
    .where('v.item_id', 'in', rows.map((r) => r.id))
    .orderBy('u.full_name')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    meetingId: r.meeting_id,
    position: r.position,
    kind: r.kind,
    subjectId: r.subject_id,
    title: r.title,
    details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Json | null,
    proposedBy: r.proposed_by,
    proposedAt: iso(r.proposed_at)!,
    outcome: r.outcome,
    tally: r.outcome ? { for: r.votes_for ?? 0, against: r.votes_against ?? 0, abstain: r.votes_abstain ?? 0, present: r.present ?? 0, inOffice: r.in_office ?? 0 } : null,
    closedBy: r.closed_by,
    closedAt: iso(r.closed_at),
    votes: votes
      .filter((v) => v.item_id === r.id)
      .map((v) => ({ memberId: v.member_id, username: v.username, fullName: v.full_name, role: v.role, vote: v.vote, reservation: v.reservation, dissent: v.dissent, castAt: iso(v.cast_at)! })),
  }));
}

async function protocolViews(db: Db, meetingId: string): Promise<ProtocolRenditionView[]> {
  const rows = await db.selectFrom('commission_protocol_renditions').selectAll().where('meeting_id', '=', meetingId).where('superseded', '=', false).orderBy('language').execute();
  if (!rows.length) return [];
  const sigs = await db.selectFrom('commission_protocol_signatures').selectAll().where('rendition_id', 'in', rows.map((r) => r.id)).orderBy('signed_at').execute();
  return rows.map((r) => ({
    id: r.id,
    meetingId: r.meeting_id,
    language: r.language,
    title: r.title,
    sha256: r.sha256,
    size: Number(r.size),
    createdBy: r.created_by,
    createdAt: iso(r.created_at)!,
    signatures: sigs
      .filter((s) => s.rendition_id === r.id)
      .map((s) => ({ role: s.role, memberId: s.member_id, signedBy: s.signed_by, signedAt: iso(s.signed_at)!, cmsSha256: s.cms_sha256, signer: (typeof s.signer === 'string' ? JSON.parse(s.signer) : s.signer) as Record<string, unknown> | null })),
  }));
}

export async function getMeeting(db: Db, id: string): Promise<MeetingView> {
  const row = await meetingRow(db, id);
  const [inOffice, present, agenda, protocol] = await Promise.all([
    listMembers(db, { at: row.meeting_date }),
    db.selectFrom('commission_attendance').select('member_id').where('meeting_id', '=', row.id).execute(),
    itemViews(db, { meetingId: row.id }),
    protocolViews(db, row.id),
  ]);
  return {
    id: row.id,
    number: row.number,
    date: row.meeting_date,
    place: row.place,
    status: row.status,
    protocolNumber: row.protocol_number,
    protocolDate: row.protocol_date,
    items: agenda.length,
    createdBy: row.created_by,
    heldAt: iso(row.held_at),
    draftedAt: iso(row.drafted_at),
    signedAt: iso(row.signed_at),
    inOffice,
    present: present.map((p) => p.member_id),
    agenda,
    protocol,
  };
}

/**
 * Marks the meeting held with the members present (each must be in office on its date); voting
 * opens. Audit `commission.meeting_hold`.
 */
export async function holdMeeting(db: Kysely<Database>, actor: Actor, meetingId: string, input: { present?: unknown }): Promise<MeetingView> {
  requireSecretary(actor, 'meeting_hold');
  if (!Array.isArray(input.present) || input.present.some((p) => typeof p !== 'string')) {
    throw new ValidationError('commission.field_required', 'commission.field_required', { field: 'present' });
  }
  const wanted = [...new Set(input.present as string[])];
  await db.transaction().execute(async (trx) => {
    const meeting = await meetingRow(trx, meetingId);
    if (meeting.status !== 'planned') throw new ConflictError('commission.meeting_not_planned', 'commission.meeting_not_planned', { number: meeting.number, status: meeting.status });
    const inOffice = await listMembers(trx, { at: meeting.meeting_date });
    const present: MemberView[] = [];
    for (const ref of wanted) {
      const member = inOffice.find((m) => m.id === ref || m.username === ref);
      if (!member) throw new ValidationError('commission.not_in_office', 'commission.not_in_office', { member: ref, date: meeting.meeting_date });
      present.push(member);
    }
    if (present.length) await trx.insertInto('commission_attendance').values(present.map((m) => ({ meeting_id: meeting.id, member_id: m.id }))).execute();
    await trx.updateTable('commission_meetings').set({ status: 'held', held_at: new Date() }).where('id', '=', meeting.id).execute();
    await recordAudit(trx, { actor, action: 'commission.meeting_hold', objectType: 'commission_meeting', objectId: meeting.id, details: { number: meeting.number, present: present.map((m) => m.username), inOffice: inOffice.length } });
  });
  return getMeeting(db, meetingId);
}

// ---- agenda ---------------------------------------------------------------------------------

/**
 * Another domain (or the secretary) proposes a question for the commission. A question already
 * open on the same subject (not yet decided) is not proposed twice: its id is returned.
 * Audit `commission.item_propose`.
 */
export async function proposeAgendaItem(
  db: Kysely<Database>,
  actor: Actor,
  input: { kind: AgendaItemKind; subjectId: string; title: string; details?: Json },
): Promise<{ id: string }> {
  const kind = assertKind(input.kind);
  const subjectId = assertText(input.subjectId, 'subjectId', 200);
  const title = assertText(input.title, 'title', 1000);
  return db.transaction().execute(async (trx) => {
    const open = await trx.selectFrom('commission_agenda_items').select('id').where('kind', '=', kind).where('subject_id', '=', subjectId).where('outcome', 'is', null).executeTakeFirst();
    if (open) return { id: open.id };
    const row = await trx
      .insertInto('commission_agenda_items')
      .values({ kind, subject_id: subjectId, title, details: input.details === undefined ? null : JSON.stringify(input.details), proposed_by: actor.username })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { actor, action: 'commission.item_propose', objectType: 'commission_item', objectId: row.id, details: { kind, subject: subjectId, title } });
    return { id: row.id };
  });
}

/** Proposals not yet on any agenda, oldest first. */
export async function listProposals(db: Db): Promise<AgendaItemView[]> {
  return itemViews(db, { proposals: true });
}

async function itemRow(db: Db, id: string) {
  const row = await db.selectFrom('commission_agenda_items').selectAll().where('id', '=', assertId(id, 'item')).executeTakeFirst();
  if (!row) throw new NotFoundError('commission.item_not_found', 'commission.item_not_found', { id });
  return row;
}

export async function getAgendaItem(db: Db, id: string): Promise<AgendaItemView> {
  await itemRow(db, id);
  return (await itemViews(db, { itemId: id }))[0]!;
}

/**
 * Puts a proposal on a meeting's agenda (last position). A question that found no quorum at an
 * earlier meeting is proposed again rather than moved. Audit `commission.item_schedule`.
 */
export async function putOnAgenda(db: Kysely<Database>, actor: Actor, meetingId: string, itemId: string): Promise<MeetingView> {
  requireSecretary(actor, 'item_schedule');
  await db.transaction().execute(async (trx) => {
    const meeting = await meetingRow(trx, meetingId);
    if (meeting.status !== 'planned' && meeting.status !== 'held') throw new ConflictError('commission.agenda_closed', 'commission.agenda_closed', { number: meeting.number });
    const item = await itemRow(trx, itemId);
    if (item.meeting_id) throw new ConflictError('commission.item_scheduled', 'commission.item_scheduled', { title: item.title });
    const last = await trx.selectFrom('commission_agenda_items').select((eb) => eb.fn.max<number>('position').as('p')).where('meeting_id', '=', meeting.id).executeTakeFirst();
    const position = Number(last?.p ?? 0) + 1;
    await trx.updateTable('commission_agenda_items').set({ meeting_id: meeting.id, position }).where('id', '=', item.id).execute();
    await recordAudit(trx, { actor, action: 'commission.item_schedule', objectType: 'commission_item', objectId: item.id, details: { meeting: meeting.number, position, kind: item.kind, subject: item.subject_id } });
  });
  return getMeeting(db, meetingId);
}

/** The secretary adds a question directly: proposed and put on the agenda at once. */
export async function addAgendaItem(
  db: Kysely<Database>,
  actor: Actor,
  meetingId: string,
  input: { kind?: unknown; subjectId?: unknown; title?: unknown; details?: Json },
): Promise<MeetingView> {
  requireSecretary(actor, 'item_schedule');
  await meetingRow(db, meetingId);
  const { id } = await proposeAgendaItem(db, actor, { kind: assertKind(input.kind), subjectId: assertText(input.subjectId, 'subjectId', 200), title: assertText(input.title, 'title', 1000), details: input.details });
  const item = await itemRow(db, id);
  if (item.meeting_id === meetingId) return getMeeting(db, meetingId);
  return putOnAgenda(db, actor, meetingId, id);
}

/** Takes a question off the agenda (back to proposals) while nobody has voted on it. Audit `commission.item_unschedule`. */
export async function removeFromAgenda(db: Kysely<Database>, actor: Actor, itemId: string): Promise<AgendaItemView> {
  requireSecretary(actor, 'item_unschedule');
  await db.transaction().execute(async (trx) => {
    const item = await itemRow(trx, itemId);
    if (!item.meeting_id) throw new ConflictError('commission.item_not_scheduled', 'commission.item_not_scheduled', { title: item.title });
    const votes = await trx.selectFrom('commission_votes').select('member_id').where('item_id', '=', item.id).execute();
    if (votes.length || item.outcome) throw new ConflictError('commission.item_has_votes', 'commission.item_has_votes', { title: item.title });
    await trx.updateTable('commission_agenda_items').set({ meeting_id: null, position: null }).where('id', '=', item.id).execute();
    await recordAudit(trx, { actor, action: 'commission.item_unschedule', objectType: 'commission_item', objectId: item.id, details: { meeting: item.meeting_id } });
  });
  return getAgendaItem(db, itemId);
}

// ---- votes ----------------------------------------------------------------------------------

/**
 * A member's vote on a question of a held meeting: only a member in office on the meeting date
 * and present, once. A reservation (p.48) needs the dissent text; a dissent may also accompany
 * a vote against. Audit `commission.vote`.
 */
export async function castVote(
  db: Kysely<Database>,
  actor: Actor,
  itemId: string,
  input: { vote?: unknown; reservation?: unknown; dissent?: unknown },
  options: { member?: string } = {},
): Promise<AgendaItemView> {
  // A vote cast at the meeting and recorded afterwards by the operator (CLI, the system actor)
  // names the member; a signed-in user only ever votes as themself.
  if (options.member !== undefined && actor.userId !== null) throw new ForbiddenError('commission.vote_for_other', 'commission.vote_for_other', { username: actor.username });
  const vote = input.vote;
  if (typeof vote !== 'string' || !(VOTE_CHOICES as readonly string[]).includes(vote)) {
    throw new ValidationError('commission.invalid_vote', 'commission.invalid_vote', { field: 'vote', value: String(vote ?? ''), allowed: VOTE_CHOICES.join(', ') });
  }
  const reservation = input.reservation === true;
  const dissent = typeof input.dissent === 'string' && input.dissent.trim() ? input.dissent.trim() : null;
  if (dissent && dissent.length > 10_000) throw new ValidationError('commission.field_too_long', 'commission.field_too_long', { field: 'dissent', max: 10_000 });
  if (reservation && !dissent) throw new ValidationError('commission.dissent_required', 'commission.dissent_required', { field: 'dissent' });
  if (dissent && vote === 'for' && !reservation) throw new ValidationError('commission.dissent_needs_reservation', 'commission.dissent_needs_reservation', { field: 'reservation' });
  await db.transaction().execute(async (trx) => {
    const { item, meeting } = await itemOpenForVoting(trx, itemId);
    const voter = options.member === undefined ? { userId: actor.userId, username: actor.username } : await trx.selectFrom('users').select(['id as userId', 'username']).where('username', '=', options.member).executeTakeFirst();
    if (!voter) throw new NotFoundError('commission.user_not_found', 'commission.user_not_found', { user: options.member ?? '' });
    const member = (await membershipsOf(trx, voter.userId, meeting.meeting_date))[0];
    if (!member) throw new ForbiddenError('commission.not_a_member', 'commission.not_a_member', { username: voter.username, date: meeting.meeting_date });
    const present = await trx.selectFrom('commission_attendance').select('member_id').where('meeting_id', '=', meeting.id).where('member_id', '=', member.id).executeTakeFirst();
    if (!present) throw new ForbiddenError('commission.not_present', 'commission.not_present', { username: voter.username, number: meeting.number });
    const already = await trx.selectFrom('commission_votes').select('vote').where('item_id', '=', item.id).where('member_id', '=', member.id).executeTakeFirst();
    if (already) throw new ConflictError('commission.already_voted', 'commission.already_voted', { username: voter.username, title: item.title });
    await trx.insertInto('commission_votes').values({ item_id: item.id, member_id: member.id, vote: vote as VoteChoice, reservation, dissent, cast_by: actor.username }).execute();
    await recordAudit(trx, { actor, action: 'commission.vote', objectType: 'commission_item', objectId: item.id, details: { meeting: meeting.number, member: member.username, role: member.role, vote, reservation, dissent: dissent !== null } });
  });
  return getAgendaItem(db, itemId);
}

/** A question on the agenda of a meeting being held, its voting not yet closed: a vote and the close of voting both need it. */
async function itemOpenForVoting(trx: Db, itemId: string) {
  const item = await itemRow(trx, itemId);
  if (!item.meeting_id) throw new ConflictError('commission.item_not_scheduled', 'commission.item_not_scheduled', { title: item.title });
  const meeting = await meetingRow(trx, item.meeting_id);
  if (meeting.status !== 'held') throw new ConflictError('commission.voting_not_open', 'commission.voting_not_open', { number: meeting.number, status: meeting.status });
  if (item.outcome) throw new ConflictError('commission.voting_closed', 'commission.voting_closed', { title: item.title });
  return { item, meeting };
}

/** The outcome under the quorum rule: see the file's head. Pure, for the tests and the UI. */
export function outcomeOf(input: { inOffice: number; present: number; for: number; quorumPercent: number }): ItemOutcome {
  if (input.inOffice === 0 || input.present * 100 <= input.inOffice * input.quorumPercent) return 'no_quorum';
  return input.for * 2 > input.present ? 'adopted' : 'rejected';
}

/** The secretary closes voting on a question: the outcome is computed and kept. Audit `commission.voting_close`. */
export async function closeVoting(db: Kysely<Database>, actor: Actor, itemId: string): Promise<AgendaItemView> {
  requireSecretary(actor, 'voting_close');
  await db.transaction().execute(async (trx) => {
    const { item, meeting } = await itemOpenForVoting(trx, itemId);
    const settings = await getSettings(trx);
    const inOffice = (await listMembers(trx, { at: meeting.meeting_date })).length;
    const present = (await trx.selectFrom('commission_attendance').select('member_id').where('meeting_id', '=', meeting.id).execute()).length;
    const votes = await trx.selectFrom('commission_votes').select('vote').where('item_id', '=', item.id).execute();
    const count = (v: VoteChoice) => votes.filter((x) => x.vote === v).length;
    const tally = { for: count('for'), against: count('against'), abstain: count('abstain') };
    const outcome = outcomeOf({ inOffice, present, for: tally.for, quorumPercent: settings.quorumPercent });
    await trx
      .updateTable('commission_agenda_items')
      .set({ outcome, votes_for: tally.for, votes_against: tally.against, votes_abstain: tally.abstain, present, in_office: inOffice, closed_by: actor.username, closed_at: new Date() })
      .where('id', '=', item.id)
      .execute();
    await recordAudit(trx, { actor, action: 'commission.voting_close', objectType: 'commission_item', objectId: item.id, details: { meeting: meeting.number, kind: item.kind, subject: item.subject_id, outcome, ...tally, present, inOffice, quorumPercent: settings.quorumPercent } });
  });
  return getAgendaItem(db, itemId);
}

// ---- decisions ------------------------------------------------------------------------------

/**
 * The latest decision on a subject (null while undecided: never voted, or no quorum). "Agreed by
 * the commission" = adopted && protocolSigned.
 */
export async function decisionOn(db: Db, kind: AgendaItemKind, subjectId: string): Promise<CommissionDecision | null> {
  const row = await db
    .selectFrom('commission_agenda_items as i')
    .innerJoin('commission_meetings as m', 'm.id', 'i.meeting_id')
    .select(['i.id', 'i.meeting_id', 'i.outcome', 'm.number', 'm.meeting_date', 'm.protocol_number', 'm.protocol_date', 'm.status'])
    .where('i.kind', '=', kind)
    .where('i.subject_id', '=', subjectId)
    .where('i.outcome', 'in', ['adopted', 'rejected'])
    .orderBy('m.meeting_date', 'desc')
    .orderBy('i.closed_at', 'desc')
    .executeTakeFirst();
  if (!row) return null;
  return {
    itemId: row.id,
    meetingId: row.meeting_id!,
    protocolNumber: row.protocol_number ?? row.number,
    protocolDate: row.protocol_date ?? row.meeting_date,
    outcome: row.outcome as 'adopted' | 'rejected',
    protocolSigned: row.status === 'protocol_signed',
  };
}
