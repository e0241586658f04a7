// A detached CMS made in the browser with a person's own key, checked one way wherever a paper
// is signed — the commission's protocol (chair and secretary), the organisation head's approval
// of a destruction act, the executor's certificate of destruction: valid over exactly the stored
// bytes, and from a certificate registered — and active — to the user who submits it (for the
// local operator, actor.userId null, the certificate's holder). It lives with the signers'
// registry, so the commission, appraisal and destruction share it without depending on each
// other. The caller names its own refusals so each paper's messages stay its own.
import type { Kysely } from 'kysely';
import type { Database } from '../database/database';
import type { Actor } from '../audit/audit.service';
import type { AppError } from '../common/errors';
import { bindingOfCertificate, bindingOfIin } from './signers.repository';
import type { SignatureReport } from '../validators/signature/types';

export type SignatureVerifier = (input: { signature: Uint8Array; content?: Uint8Array; trustDir?: string }) => Promise<SignatureReport>;

/** Who signed, as kept beside the stored CMS. */
export type SignerRef = {
  subject: string | null;
  issuer: string | null;
  serialNumber: string | null;
  iin: string | null;
  signingTime: string | null;
};

export interface SignatureRefusals {
  /** No verifier configured (the server always has one). */
  unavailable(): AppError;
  /** The CMS does not verify over the content. */
  invalid(reason: string, verdict: string): AppError;
  /** The certificate is not registered, not active, or registered to someone else. */
  notYours(subject: string): AppError;
  /** The certificate is not registered or not active; without it, notYours answers that too. */
  unregistered?(subject: string): AppError;
}

export async function verifyRegisteredSignature(
  db: Kysely<Database>,
  verify: SignatureVerifier | undefined,
  input: { cms: Uint8Array; content: Uint8Array; trustDir?: string; actor: Actor },
  refuse: SignatureRefusals,
): Promise<{ signer: SignerRef; userId: string }> {
  if (!verify) throw refuse.unavailable();
  return checkRegisteredSignature(db, verify, input, refuse);
}

/** verifyRegisteredSignature for a caller that always has a verifier. */
export async function checkRegisteredSignature(
  db: Kysely<Database>,
  verify: SignatureVerifier,
  input: { cms: Uint8Array; content: Uint8Array; trustDir?: string; actor: Actor },
  refuse: Omit<SignatureRefusals, 'unavailable'>,
): Promise<{ signer: SignerRef; userId: string }> {
  const check = await verify({ signature: input.cms, content: input.content, trustDir: input.trustDir });
  const first = check.signers[0];
  if (check.verdict !== 'valid' || !first) throw refuse.invalid(check.reason ?? check.verdict, check.verdict);
  const info = first.signer;
  const binding = (info.issuer && info.serialNumber ? await bindingOfCertificate(db, info.issuer, info.serialNumber) : undefined) ?? (info.iin ? await bindingOfIin(db, info.iin) : undefined);
  // A key registered to someone else never counts.
  if (!binding || binding.status !== 'active') throw refuse.unregistered ? refuse.unregistered(info.subject ?? '') : refuse.notYours(info.subject ?? '');
  if (input.actor.userId !== null && binding.user_id !== input.actor.userId) throw refuse.notYours(info.subject ?? '');
  return {
    signer: { subject: info.subject ?? null, issuer: info.issuer ?? null, serialNumber: info.serialNumber ?? null, iin: info.iin ?? null, signingTime: first.signingTime ?? null },
    userId: input.actor.userId ?? binding.user_id,
  };
}
