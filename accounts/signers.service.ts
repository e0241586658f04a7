// Signer identity (issue 10, p.206-208): each user's signing certificates and IINs. An
// administrator registers them (certificate file or IIN) or confirms one bound at first use;
// a signature submitted by a user counts only when its certificate is bound to that user,
// the user holds a role that signs that kind of statement and, for department roles, the
// dossier is their department's. Every change writes an audit event in its transaction.
import type { Kysely } from 'kysely';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../common/errors';
import { readCertificate } from '../validators/signature/certificate';
import type { SignerInfo } from '../validators/signature/types';
import { recordAudit, type Actor } from '../audit/audit.service';
import type { Database } from '../database/database';
import type { Role } from './roles';
import {
  bindingOfCertificate,
  bindingOfIin,
  findSignerBinding,
  insertSignerBinding,
  listSignerBindings,
  setSignerBindingStatus,
  type SignerBindingRow,
} from './signers.repository';
import type { SignerBindingStatus } from './signers.tables';
import { assertCanAdminister } from './users.service';
import { findUser, type UserRow } from './users.repository';

export type SignedStatement = 'inventory' | 'integrity' | 'inventory_approval';

/**
 * Who signs what: the head of department confirms the dossier's integrity (p.206); the
 * internal inventory is signed by its compiler, the department's clerk, or the archivist (p.208).
 */
export const SIGNER_ROLES: Record<SignedStatement, Role[]> = {
  integrity: ['department_head'],
  inventory: ['archivist', 'department_clerk'],
  // The inventory of e-dossiers (App. 30) is approved by the head of its department (p.207).
  inventory_approval: ['department_head'],
};
/** Roles that act for their own department only. */
const DEPARTMENT_ROLES: Role[] = ['department_clerk', 'department_head'];

export const IIN_PATTERN = /^\d{12}$/;

/** The columns of a certificate binding that come from the certificate itself. */
function certificateColumns(cert: ReturnType<typeof readCertificate>) {
  return {
    iin: cert.info.iin ?? null,
    certificate_der: Buffer.from(cert.der).toString('base64'),
    certificate_sha256: cert.sha256,
    subject: cert.info.subject,
    issuer: cert.info.issuer,
    serial_number: cert.info.serialNumber,
    not_before: cert.info.notBefore ? new Date(cert.info.notBefore) : null,
    not_after: cert.info.notAfter ? new Date(cert.info.notAfter) : null,
  };
}

export interface SignerBindingView {
  id: string;
  userId: string;
  username: string;
  fullName: string;
  kind: 'certificate' | 'iin';
  status: SignerBindingStatus;
  origin: 'admin' | 'first-use';
  iin: string | null;
  certificate: { subject: string; issuer: string; serialNumber: string; notBefore: string | null; notAfter: string | null; sha256: string } | null;
  createdAt: string;
  createdBy: string;
  confirmedAt: string | null;
  confirmedBy: string | null;
  removedAt: string | null;
  removedBy: string | null;
  removedReason: string | null;
  /** The statements this user may sign (by their roles), so the admin sees what a binding enables. */
  signsFor: SignedStatement[];
}

/** Who signed: the user the certificate is bound to, and the certificate. Kept with the signature. */
export interface SignerIdentity {
  userId: string;
  username: string;
  fullName: string;
  /** The role the user signed in. */
  role: Role;
  bindingId: string;
  bindingKind: 'certificate' | 'iin';
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  iin?: string;
  bin?: string;
}

function iso(value: Date | string | null): string | null {
  return value ? new Date(value).toISOString() : null;
}

/** The statements a user with these roles signs (SIGNER_ROLES). */
export function statementsSignedBy(roles: readonly string[]): SignedStatement[] {
  return (Object.keys(SIGNER_ROLES) as SignedStatement[]).filter((kind) => SIGNER_ROLES[kind].some((r) => roles.includes(r)));
}

function view(row: SignerBindingRow, user: Pick<UserRow, 'username' | 'full_name' | 'roles'>): SignerBindingView {
  return {
    id: row.id,
    userId: row.user_id,
    username: user.username,
    fullName: user.full_name,
    kind: row.kind,
    status: row.status,
    origin: row.origin,
    iin: row.iin,
    certificate:
      row.kind === 'certificate'
        ? { subject: row.subject ?? '', issuer: row.issuer ?? '', serialNumber: row.serial_number ?? '', notBefore: iso(row.not_before), notAfter: iso(row.not_after), sha256: row.certificate_sha256 ?? '' }
        : null,
    createdAt: iso(row.created_at)!,
    createdBy: row.created_by,
    confirmedAt: iso(row.confirmed_at),
    confirmedBy: row.confirmed_by,
    removedAt: iso(row.removed_at),
    removedBy: row.removed_by,
    removedReason: row.removed_reason,
    signsFor: statementsSignedBy(user.roles),
  };
}

/** "Full Name (username)": how messages name a user. */
function who(user: Pick<UserRow, 'username' | 'full_name'>): string {
  return `${user.full_name} (${user.username})`;
}

function describeCertificate(info: Pick<SignerInfo, 'subject' | 'serialNumber' | 'iin'>): string {
  return `«${info.subject}», № ${info.serialNumber}${info.iin ? `, IIN ${info.iin}` : ''}`;
}

function uniqueViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === '23505';
}

export function createSignersService(deps: { db: Kysely<Database> }) {
  const { db } = deps;

  async function loadUser(usernameOrId: string): Promise<UserRow> {
    const row = await findUser(db, usernameOrId);
    if (!row) throw new NotFoundError('user.not_found', 'catalog.user_not_found', { user: usernameOrId });
    return row;
  }

  /** The binding, which must be forUser's when given (an API path names both). */
  async function loadBinding(id: string, forUser?: string): Promise<SignerBindingRow> {
    let row = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? await findSignerBinding(db, id) : undefined;
    if (row && forUser !== undefined && row.user_id !== (await loadUser(forUser)).id) row = undefined;
    if (!row) throw new NotFoundError('signer.binding_not_found', 'catalog.signer_binding_not_found', { id });
    return row;
  }

  async function owner(userId: string): Promise<UserRow> {
    return (await findUser(db, userId))!;
  }

  return {
    /** A user's bindings (removed ones with includeRemoved). */
    async list(usernameOrId: string, options: { includeRemoved?: boolean } = {}): Promise<SignerBindingView[]> {
      const user = await loadUser(usernameOrId);
      const rows = await listSignerBindings(db, { userId: user.id, status: options.includeRemoved ? undefined : ['active', 'pending'] });
      return rows.map((r) => view(r, user));
    },

    /** Bindings waiting for the administrator's confirmation, of every user. */
    async listPending(): Promise<SignerBindingView[]> {
      const rows = await listSignerBindings(db, { status: ['pending'] });
      const out: SignerBindingView[] = [];
      for (const r of rows) out.push(view(r, await owner(r.user_id)));
      return out;
    },

    /** Registers a signing certificate (PEM or DER) as the user's; a pending binding of the same certificate is confirmed. */
    async addCertificate(actor: Actor, usernameOrId: string, bytes: Uint8Array, fileName = 'certificate'): Promise<SignerBindingView> {
      assertCanAdminister(actor);
      const user = await loadUser(usernameOrId);
      const cert = readCertificate(bytes, fileName);
      if (cert.isCa) throw new ValidationError('signer.certificate_is_ca', 'catalog.signer_certificate_is_ca', { file: fileName, subject: cert.info.subject });
      const existing = await bindingOfCertificate(db, cert.info.issuer, cert.info.serialNumber);
      if (existing && existing.user_id !== user.id) {
        throw new ConflictError('signer.certificate_taken', 'catalog.signer_certificate_taken', { certificate: describeCertificate(cert.info), owner: who(await owner(existing.user_id)), user: who(user) });
      }
      if (existing?.status === 'pending') return this.confirm(actor, existing.id);
      if (existing) throw new ConflictError('signer.certificate_already_bound', 'catalog.signer_certificate_already_bound', { certificate: describeCertificate(cert.info), user: who(user) });
      if (cert.info.iin) {
        const iinOwner = await bindingOfIin(db, cert.info.iin);
        if (iinOwner && iinOwner.user_id !== user.id) {
          throw new ConflictError('signer.iin_taken', 'catalog.signer_iin_taken', { iin: cert.info.iin, owner: who(await owner(iinOwner.user_id)), user: who(user) });
        }
      }
      const ownIins = (await listSignerBindings(db, { userId: user.id, status: ['active', 'pending'] })).filter((b) => b.kind === 'iin').map((b) => b.iin);
      if (ownIins.length && !ownIins.includes(cert.info.iin ?? null)) {
        throw new ConflictError('signer.certificate_iin_differs', 'catalog.signer_certificate_iin_differs', { certificate: describeCertificate(cert.info), iin: ownIins.join(', '), user: who(user) });
      }
      try {
        return await db.transaction().execute(async (trx) => {
          const row = await insertSignerBinding(trx, {
            user_id: user.id,
            kind: 'certificate',
            status: 'active',
            origin: 'admin',
            ...certificateColumns(cert),
            created_by: actor.username,
            confirmed_at: new Date(),
            confirmed_by: actor.username,
          });
          await recordAudit(trx, {
            actor,
            action: 'user.signer_add',
            objectType: 'user',
            objectId: user.id,
            details: { binding: row.id, kind: 'certificate', subject: row.subject, issuer: row.issuer, serialNumber: row.serial_number, sha256: row.certificate_sha256, iin: row.iin },
          });
          return view(row, user);
        });
      } catch (error) {
        if (uniqueViolation(error)) throw new ConflictError('signer.certificate_taken', 'catalog.signer_certificate_already_bound', { certificate: describeCertificate(cert.info), user: who(user) });
        throw error;
      }
    },

    /** Registers an IIN as the user's: any valid certificate carrying it signs as this user. */
    async addIin(actor: Actor, usernameOrId: string, iin: string): Promise<SignerBindingView> {
      assertCanAdminister(actor);
      const user = await loadUser(usernameOrId);
      const value = String(iin ?? '').trim();
      if (!IIN_PATTERN.test(value)) throw new ValidationError('signer.invalid_iin', 'catalog.signer_invalid_iin', { iin: value });
      const existing = await bindingOfIin(db, value);
      if (existing) {
        if (existing.user_id !== user.id) throw new ConflictError('signer.iin_taken', 'catalog.signer_iin_taken', { iin: value, owner: who(await owner(existing.user_id)), user: who(user) });
        throw new ConflictError('signer.iin_already_bound', 'catalog.signer_iin_already_bound', { iin: value, user: who(user) });
      }
      // A certificate of someone else's IIN registered to this user would make two people one signer.
      const certs = (await listSignerBindings(db, { userId: user.id, status: ['active', 'pending'] })).filter((b) => b.kind === 'certificate' && b.iin && b.iin !== value);
      if (certs.length) {
        throw new ConflictError('signer.certificate_iin_differs', 'catalog.signer_certificate_iin_differs', { certificate: describeCertificate({ subject: certs[0]!.subject ?? '', serialNumber: certs[0]!.serial_number ?? '', iin: certs[0]!.iin ?? undefined }), iin: value, user: who(user) });
      }
      try {
        return await db.transaction().execute(async (trx) => {
          const row = await insertSignerBinding(trx, { user_id: user.id, kind: 'iin', status: 'active', origin: 'admin', iin: value, created_by: actor.username, confirmed_at: new Date(), confirmed_by: actor.username });
          await recordAudit(trx, { actor, action: 'user.signer_add', objectType: 'user', objectId: user.id, details: { binding: row.id, kind: 'iin', iin: value } });
          return view(row, user);
        });
      } catch (error) {
        if (uniqueViolation(error)) throw new ConflictError('signer.iin_taken', 'catalog.signer_iin_already_bound', { iin: value, user: who(user) });
        throw error;
      }
    },

    /** Confirms a binding made at first use. */
    async confirm(actor: Actor, bindingId: string, forUser?: string): Promise<SignerBindingView> {
      assertCanAdminister(actor);
      const binding = await loadBinding(bindingId, forUser);
      const user = await owner(binding.user_id);
      if (binding.status !== 'pending') throw new ConflictError('signer.binding_not_pending', 'catalog.signer_binding_not_pending', { id: binding.id, status: binding.status });
      return db.transaction().execute(async (trx) => {
        const row = await setSignerBindingStatus(trx, binding.id, ['pending'], { status: 'active', confirmed_at: new Date(), confirmed_by: actor.username });
        if (!row) throw new ConflictError('signer.binding_not_pending', 'catalog.signer_binding_not_pending', { id: binding.id, status: 'changed' });
        await recordAudit(trx, { actor, action: 'user.signer_confirm', objectType: 'user', objectId: user.id, details: { binding: row.id, kind: row.kind, subject: row.subject, serialNumber: row.serial_number, iin: row.iin } });
        return view(row, user);
      });
    },

    /** Removes (or, when pending, declines) a binding; signatures made before stay as they were. */
    async remove(actor: Actor, bindingId: string, reason: string, forUser?: string): Promise<SignerBindingView> {
      assertCanAdminister(actor);
      const text = String(reason ?? '').trim();
      if (!text) throw new ValidationError('user.field_required', 'catalog.user_field_required', { field: 'reason' });
      if (text.length > 500) throw new ValidationError('user.field_too_long', 'catalog.user_field_too_long', { field: 'reason', max: 500 });
      const binding = await loadBinding(bindingId, forUser);
      const user = await owner(binding.user_id);
      if (binding.status === 'removed') throw new ConflictError('signer.binding_removed', 'catalog.signer_binding_removed', { id: binding.id });
      return db.transaction().execute(async (trx) => {
        const row = await setSignerBindingStatus(trx, binding.id, ['active', 'pending'], { status: 'removed', removed_at: new Date(), removed_by: actor.username, removed_reason: text });
        if (!row) throw new ConflictError('signer.binding_removed', 'catalog.signer_binding_removed', { id: binding.id });
        // Declining a binding made at first use is its own action in the log: nobody ever confirmed it.
        await recordAudit(trx, { actor, action: binding.status === 'pending' ? 'user.signer_refuse' : 'user.signer_remove', objectType: 'user', objectId: user.id, details: { binding: row.id, kind: row.kind, previousStatus: binding.status, subject: row.subject, serialNumber: row.serial_number, iin: row.iin, reason: text } });
        return view(row, user);
      });
    },
  };
}

export type SignersService = ReturnType<typeof createSignersService>;

export interface AuthorizeSignerInput {
  /** The user submitting the signature (the session's user); null for the local operator
   * (CLI, demo seeding): the signer is then the user the certificate is bound to. */
  userId: string | null;
  kind: SignedStatement;
  dossier: { id: string; index: string; department: string | null };
  /** The verified signer's certificate fields. */
  signer: Pick<SignerInfo, 'subject' | 'serialNumber' | 'issuer' | 'iin' | 'bin'> & Partial<Pick<SignerInfo, 'notBefore' | 'notAfter'>>;
  /** DER certificates of the verification evidence: the signer's is kept for a first-use binding. */
  certificates: Uint8Array[];
  /** The actor for the audit event of a first-use binding. */
  actor: Actor;
}

/**
 * Decides whether a verified signature may stand as the submitting user's signature of this
 * dossier's statement; returns who signed, or throws a ForbiddenError naming the expected
 * signer. A certificate unknown to the archive, from a user with no registered certificate
 * or IIN, is bound to that user pending the administrator's confirmation (and refused until then).
 */
export async function authorizeSigner(db: Kysely<Database>, input: AuthorizeSignerInput): Promise<SignerIdentity> {
  const signer = input.signer;
  const certText = describeCertificate(signer);
  const byCert = signer.issuer && signer.serialNumber ? await bindingOfCertificate(db, signer.issuer, signer.serialNumber) : undefined;
  const byIin = signer.iin ? await bindingOfIin(db, signer.iin) : undefined;
  let userId = input.userId;
  if (userId === null) {
    const bound = [byCert, byIin].find((b) => b?.status === 'active');
    if (!bound) throw new ForbiddenError('signature.signer_unbound', 'signature.signer_unbound', { certificate: certText, kind: input.kind, index: input.dossier.index });
    userId = bound.user_id;
  }
  const user = await findUser(db, userId);
  if (!user || user.status !== 'active') throw new ForbiddenError('signature.signer_unknown_user', 'signature.signer_unknown_user', { user: user ? who(user) : userId });
  const expected = who(user);
  const allowed = SIGNER_ROLES[input.kind];
  const held = allowed.filter((r) => user.roles.includes(r));
  if (!held.length) {
    throw new ForbiddenError('signature.signer_role', 'signature.signer_role', { user: expected, kind: input.kind, roles: allowed.join(', '), index: input.dossier.index }, { requiredRoles: allowed, kind: input.kind });
  }
  // A role valid everywhere (the archivist) wins; department roles sign their own department's dossiers only.
  const role = held.find((r) => !DEPARTMENT_ROLES.includes(r)) ?? held[0]!;
  if (DEPARTMENT_ROLES.includes(role)) {
    const own = user.department_id ? await db.selectFrom('departments').select('code').where('id', '=', user.department_id).executeTakeFirst() : undefined;
    if (!own || !input.dossier.department || own.code !== input.dossier.department) {
      throw new ForbiddenError('signature.signer_department', 'signature.signer_department', { user: expected, kind: input.kind, index: input.dossier.index, dossierDepartment: input.dossier.department ?? '—', userDepartment: own?.code ?? '—' });
    }
  }
  const identity = (binding: SignerBindingRow): SignerIdentity => ({
    userId: user.id,
    username: user.username,
    fullName: user.full_name,
    role,
    bindingId: binding.id,
    bindingKind: binding.kind,
    subject: signer.subject,
    issuer: signer.issuer,
    serialNumber: signer.serialNumber,
    notBefore: signer.notBefore || iso(binding.not_before) || '',
    notAfter: signer.notAfter || iso(binding.not_after) || '',
    ...(signer.iin ? { iin: signer.iin } : {}),
    ...(signer.bin ? { bin: signer.bin } : {}),
  });

  if (byCert?.user_id === user.id && byCert.status === 'active') return identity(byCert);
  if (byIin?.user_id === user.id && byIin.status === 'active' && (!byCert || byCert.user_id === user.id)) return identity(byIin);

  const foreign = [byCert, byIin].find((b) => b && b.user_id !== user.id);
  if (foreign) {
    throw new ForbiddenError('signature.signer_not_owner', 'signature.signer_not_owner', { certificate: certText, owner: who(await findUser(db, foreign.user_id).then((u) => u!)), expected, kind: input.kind, index: input.dossier.index });
  }
  if (byCert?.status === 'pending' || byIin?.status === 'pending') {
    throw new ForbiddenError('signature.signer_pending', 'signature.signer_pending', { certificate: certText, expected });
  }
  const own = await listSignerBindings(db, { userId: user.id, status: ['active', 'pending'] });
  if (own.length) {
    const registered = own.map((b) => (b.kind === 'iin' ? `IIN ${b.iin}` : describeCertificate({ subject: b.subject ?? '', serialNumber: b.serial_number ?? '', iin: b.iin ?? undefined }))).join('; ');
    throw new ForbiddenError('signature.signer_not_registered', 'signature.signer_not_registered', { certificate: certText, expected, registered, kind: input.kind, index: input.dossier.index });
  }
  // First use: the certificate is nobody's and the user has none; bind it, pending confirmation.
  let der: Uint8Array | undefined;
  for (const bytes of input.certificates) {
    try {
      const c = readCertificate(bytes);
      if (c.info.issuer === signer.issuer && c.info.serialNumber === signer.serialNumber) der = c.der;
    } catch {
      // Not a certificate: evidence may hold other objects.
    }
  }
  if (!der) throw new ForbiddenError('signature.signer_not_registered', 'signature.signer_not_registered', { certificate: certText, expected, registered: '—', kind: input.kind, index: input.dossier.index });
  const cert = readCertificate(der);
  try {
    await db.transaction().execute(async (trx) => {
      const row = await insertSignerBinding(trx, {
        user_id: user.id,
        kind: 'certificate',
        status: 'pending',
        origin: 'first-use',
        ...certificateColumns(cert),
        created_by: input.actor.username,
      });
      await recordAudit(trx, {
        actor: input.actor,
        action: 'user.signer_bind_first_use',
        objectType: 'user',
        objectId: user.id,
        details: { binding: row.id, subject: row.subject, issuer: row.issuer, serialNumber: row.serial_number, sha256: row.certificate_sha256, iin: row.iin, dossier: input.dossier.id, kind: input.kind },
      });
    });
  } catch (error) {
    // A concurrent first use of the same certificate bound it already: the refusal below stands.
    if (!uniqueViolation(error)) throw error;
  }
  throw new ForbiddenError('signature.signer_pending', 'signature.signer_pending', { certificate: certText, expected });
}
