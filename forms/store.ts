// Stored renditions of the official forms. A form made for keeping (PDF/A, JSON or CSV) is put
// into the content-addressed store on every copy, like any document of the archive, and
// recorded in form_renditions with what it renders; it is then signed like any document: the
// user signs the stored bytes in their own software and uploads a detached CMS, which is
// verified over exactly those bytes, refused unless valid and bound to that user (a certificate
// registered to someone else never counts), stored, and recorded. Every step is audited.
import type { Kysely } from 'kysely';
import { recordAudit, type Actor } from '../audit/audit.service';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../common/errors';
import type { Database } from '../database/database';
import { putEverywhere } from '../ingest/aip';
import { bindingOfCertificate, bindingOfIin } from '../accounts/signers.repository';
import { readVerifiedBytes, type Storage } from '../storage';
import type { SignatureReport } from '../validators/signature/types';
import type { Rendition } from './render';
import type { Role } from '../accounts/roles';
import { FORM_APPENDIX, type FormKind } from './types';

export interface FormRenditionView {
  id: string;
  kind: FormKind;
  subjectId: string;
  language: 'kk' | 'ru';
  format: 'pdf' | 'json' | 'csv';
  title: string;
  sha256: string;
  size: number;
  storageKey: string;
  createdBy: string;
  createdAt: string;
  signature: { sha256: string; verdict: string; signer: Record<string, unknown> | null; signedBy: string | null; signedAt: string } | null;
}

type Row = Awaited<ReturnType<typeof findRow>>;

async function findRow(db: Kysely<Database>, id: string) {
  return db.selectFrom('form_renditions').selectAll().where('id', '=', id).executeTakeFirst();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

function toView(row: NonNullable<Row>): FormRenditionView {
  const signer = typeof row.signer === 'string' ? (JSON.parse(row.signer) as Record<string, unknown>) : row.signer;
  return {
    id: row.id,
    kind: row.kind,
    subjectId: row.subject_id,
    language: row.language,
    format: row.format,
    title: row.title,
    sha256: row.sha256,
    size: Number(row.size),
    storageKey: row.storage_key,
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    signature:
      row.signature_sha256 && row.signed_at
        ? { sha256: row.signature_sha256, verdict: row.signature_verdict ?? 'valid', signer, signedBy: row.signed_by, signedAt: iso(row.signed_at) }
        : null,
  };
}

/** Stores the bytes on every copy and records the rendition (audit `form.store`). */
export async function storeRendition(
  deps: { db: Kysely<Database>; storage: Storage },
  actor: Actor,
  input: { kind: FormKind; subjectId: string; rendition: Rendition },
): Promise<FormRenditionView> {
  const { rendition } = input;
  const stored = await putEverywhere(deps.storage, { bytes: rendition.bytes });
  return deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('form_renditions')
      .values({
        kind: input.kind,
        subject_id: input.subjectId,
        language: rendition.language,
        format: rendition.format,
        title: rendition.title.slice(0, 1000),
        sha256: stored.sha256,
        size: stored.size,
        storage_key: stored.sha256,
        created_by: actor.username,
        created_by_user: actor.userId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'form.store',
      objectType: 'form_rendition',
      objectId: row.id,
      details: { kind: input.kind, subject: input.subjectId, language: rendition.language, format: rendition.format, sha256: stored.sha256, size: stored.size },
    });
    return toView(row);
  });
}

/** A stored rendition's record; 404 naming the id when there is none. */
export async function getRendition(db: Kysely<Database>, id: string): Promise<FormRenditionView> {
  const row = UUID.test(id) ? await findRow(db, id) : undefined;
  if (!row) throw new NotFoundError('forms.rendition_not_found', 'forms.rendition_not_found', { id });
  return toView(row);
}

/** The renditions of one form subject, newest first. */
export async function listRenditions(db: Kysely<Database>, kind: FormKind, subjectId: string): Promise<FormRenditionView[]> {
  const rows = await db.selectFrom('form_renditions').selectAll().where('kind', '=', kind).where('subject_id', '=', subjectId).orderBy('created_at', 'desc').execute();
  return rows.map(toView);
}

/** The stored bytes, read with verification against their sha256 (a damaged copy is never served). */
export async function readRendition(deps: { db: Kysely<Database>; storage: Storage }, id: string): Promise<{ view: FormRenditionView; bytes: Buffer }> {
  const view = await getRendition(deps.db, id);
  return { view, bytes: await readVerifiedBytes(deps.storage, view.storageKey) };
}

/**
 * Who signs each form (as the signer identity rules of issue 10 for dossiers): the organisation
 * head approves App. 26, 31 and 33; the department head App. 30 (p.207); the internal inventory
 * App. 32 is signed by its compiler, the archivist or the department's clerk (p.208).
 */
export const FORM_SIGNER_ROLES: Record<FormKind, Role[]> = {
  nomenclature: ['organisation_head'],
  schedule: ['organisation_head'],
  'acceptance-act': ['organisation_head'],
  inventory: ['department_head'],
  'internal-inventory': ['archivist', 'department_clerk'],
};

/**
 * Attaches a detached CMS signature over the stored bytes (audit `form.sign`). Refused when the
 * signature does not verify, when its certificate is registered to another user, or when the
 * rendition is signed already (a rendition is signed once; a new one is rendered and stored).
 */
export async function signRendition(
  deps: { db: Kysely<Database>; storage: Storage; trustDir?: string; verifySignature: (input: { signature: Uint8Array; content?: Uint8Array; trustDir?: string }) => Promise<SignatureReport> },
  actor: Actor,
  input: { renditionId: string; cms: Uint8Array },
): Promise<FormRenditionView> {
  const { view, bytes } = await readRendition(deps, input.renditionId);
  if (view.signature) throw new ConflictError('forms.rendition_signed', 'forms.rendition_signed', { id: view.id, signedBy: view.signature.signedBy ?? '' });
  const check = await deps.verifySignature({ signature: input.cms, content: bytes, trustDir: deps.trustDir });
  const first = check.signers[0];
  if (check.verdict !== 'valid' || !first) {
    throw new ValidationError('forms.signature_invalid', 'forms.signature_invalid', { id: view.id, reason: check.reason ?? check.verdict }, { verdict: check.verdict });
  }
  const info = first.signer;
  const binding = (info.issuer && info.serialNumber ? await bindingOfCertificate(deps.db, info.issuer, info.serialNumber) : undefined) ?? (info.iin ? await bindingOfIin(deps.db, info.iin) : undefined);
  if (binding && binding.status === 'active' && actor.userId !== null && binding.user_id !== actor.userId) {
    throw new ForbiddenError('forms.signature_not_yours', 'forms.signature_not_yours', { id: view.id, subject: info.subject ?? '' });
  }
  // The certificate must be registered (by the administrator, or confirmed after first use) to
  // the signer, and the signer must hold the role that signs this form.
  if (!binding || binding.status !== 'active') {
    throw new ForbiddenError('forms.signature_unregistered', 'forms.signature_unregistered', { id: view.id, subject: info.subject ?? '' });
  }
  if (actor.userId !== null && !actor.roles.some((r) => FORM_SIGNER_ROLES[view.kind].includes(r))) {
    throw new ForbiddenError('forms.signature_role', 'forms.signature_role', { id: view.id, appendix: FORM_APPENDIX[view.kind] });
  }
  const cms = await putEverywhere(deps.storage, { bytes: input.cms });
  const signer = { subject: info.subject ?? null, issuer: info.issuer ?? null, serialNumber: info.serialNumber ?? null, iin: info.iin ?? null, signingTime: first.signingTime ?? null };
  return deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('form_renditions')
      .set({ signature_sha256: cms.sha256, signature_verdict: 'valid', signer: JSON.stringify(signer), signed_by: actor.username, signed_at: new Date() })
      .where('id', '=', view.id)
      .where('signature_sha256', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new ConflictError('forms.rendition_signed', 'forms.rendition_signed', { id: view.id, signedBy: '' });
    await recordAudit(trx, {
      actor,
      action: 'form.sign',
      objectType: 'form_rendition',
      objectId: view.id,
      details: { kind: view.kind, subject: view.subjectId, sha256: view.sha256, cms: cms.sha256, signer: signer.subject, certificateSerial: signer.serialNumber, certificateIssuer: signer.issuer },
    });
    return toView(row);
  });
}
