// Certificates of destruction after the execution (docs/destruction.md "Certificate"): their
// view, the statement the signatures cover, and the executor's own signature. The system signs
// the statement at execution (execute.ts); the executor then signs the same bytes in the browser
// with their own registered key (a detached CMS, as the head signs the act and the commission
// its protocol — accounts/registered-signature.ts checks it the same way). The statement names both PDF/A
// renditions by digest, so one signature covers the Kazakh and the Russian certificate. Only the
// user who executed the act signs it, once; audited `destruction.certificate_sign`.
import type { Kysely } from 'kysely';
import type { Database } from '../database/database';
import { recordAudit, type Actor } from '../audit/audit.service';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../common/errors';
import { verifyRegisteredSignature, type SignatureVerifier, type SignerRef } from '../accounts';
import { putEverywhere } from '../ingest/aip';
import { readVerifiedBytes, type Storage } from '../storage';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface CertificateView {
  id: string;
  actId: string;
  actNumber: string;
  executedAt: string;
  /** The executor's user id and name as the certificate names them. */
  executedBy: string;
  executorName: string | null;
  method: string;
  pdfSha256: string;
  statementSha256: string;
  systemSignature: string;
  systemKeyId: string;
  /** The executor's CMS over the statement; null until they sign. */
  executorSignature: { cmsSha256: string; signer: SignerRef | null; signedBy: string | null; signedAt: string | null } | null;
}

type Deps = { db: Kysely<Database>; storage: Storage };

function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

async function certificateRow(db: Kysely<Database>, id: string) {
  const row = UUID.test(id) ? await db.selectFrom('destruction_certificates').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
  if (!row) throw new NotFoundError('destruction.certificate_not_found', 'destruction.certificate_not_found', { id });
  return row;
}

export async function getCertificate(db: Kysely<Database>, id: string): Promise<CertificateView> {
  const row = await certificateRow(db, id);
  const executor = await db.selectFrom('users').select(['full_name']).where('id', '=', row.executed_by).executeTakeFirst();
  return {
    id: row.id,
    actId: row.act_id,
    actNumber: row.act_number,
    executedAt: new Date(row.executed_at).toISOString(),
    executedBy: row.executed_by,
    executorName: executor?.full_name ?? null,
    method: row.method,
    pdfSha256: row.pdf_sha256,
    statementSha256: row.statement_sha256,
    systemSignature: row.system_signature,
    systemKeyId: row.system_key_id,
    executorSignature: row.executor_cms_sha256
      ? {
          cmsSha256: row.executor_cms_sha256,
          signer: row.executor_signer ? json<SignerRef>(row.executor_signer) : null,
          signedBy: row.executor_signed_by,
          signedAt: row.executor_signed_at ? new Date(row.executor_signed_at).toISOString() : null,
        }
      : null,
  };
}

/** The statement's bytes: what the system key signed and what the executor signs. */
export async function certificateStatement(deps: Deps, id: string): Promise<Buffer> {
  const row = await certificateRow(deps.db, id);
  return readVerifiedBytes(deps.storage, row.statement_sha256);
}

/** The executor's stored CMS (404 before they signed). */
export async function executorSignatureOf(deps: Deps, id: string): Promise<{ bytes: Buffer; actNumber: string }> {
  const row = await certificateRow(deps.db, id);
  if (!row.executor_cms_sha256) throw new NotFoundError('destruction.certificate_unsigned', 'destruction.certificate_unsigned', { number: row.act_number });
  return { bytes: await readVerifiedBytes(deps.storage, row.executor_cms_sha256), actNumber: row.act_number };
}

/**
 * The executor signs the certificate: a detached CMS over the statement, from a certificate
 * registered to them. Refused for anyone but the user who executed the act (403), a second
 * time (409), or a CMS that does not verify over the statement (400).
 */
export async function signCertificate(
  deps: Deps & { verifySignature?: SignatureVerifier; trustDir?: string; now?: () => Date },
  actor: Actor,
  id: string,
  input: { cms: Uint8Array },
): Promise<CertificateView> {
  const row = await certificateRow(deps.db, id);
  const number = row.act_number;
  if (!actor.userId || actor.userId !== row.executed_by) {
    throw new ForbiddenError('destruction.certificate_signer_not_executor', 'destruction.certificate_signer_not_executor', { number, user: actor.username });
  }
  if (row.executor_cms_sha256) throw new ConflictError('destruction.certificate_signed_already', 'destruction.certificate_signed_already', { number });
  const statement = await readVerifiedBytes(deps.storage, row.statement_sha256);
  const { signer } = await verifyRegisteredSignature(deps.db, deps.verifySignature, { cms: input.cms, content: statement, trustDir: deps.trustDir, actor }, {
    unavailable: () => new AppError('destruction.verifier_unavailable', 'destruction.verifier_unavailable', {}),
    invalid: (reason, verdict) => new ValidationError('destruction.certificate_signature_invalid', 'destruction.certificate_signature_invalid', { number, reason }, { verdict }),
    notYours: (subject) => new ForbiddenError('destruction.certificate_signature_not_yours', 'destruction.certificate_signature_not_yours', { number, subject }),
  });
  const cms = await putEverywhere(deps.storage, { bytes: input.cms });
  const at = (deps.now ?? (() => new Date()))();
  await deps.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('destruction_certificates')
      .set({ executor_cms_sha256: cms.sha256, executor_signer: JSON.stringify(signer), executor_signed_by: actor.username, executor_signed_at: at })
      .where('id', '=', row.id)
      .where('executor_cms_sha256', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!updated) throw new ConflictError('destruction.certificate_signed_already', 'destruction.certificate_signed_already', { number });
    await recordAudit(trx, {
      actor,
      action: 'destruction.certificate_sign',
      objectType: 'destruction_act',
      objectId: row.act_id,
      details: { number, certificate: row.id, statement: row.statement_sha256, cms: cms.sha256, signer: signer.subject, certificateSerial: signer.serialNumber, certificateIssuer: signer.issuer },
    });
  });
  return getCertificate(deps.db, row.id);
}
