// Shapes agreed in docs/CONTRACTS.md ("Signatures"). Other domains (ingest, server, UI) code
// against these, so change them only together with the contract.
import type { OcspQuery } from './ocsp';

export type { OcspQuery };

export type SignatureVerdict = 'valid' | 'invalid' | 'cannot-verify';

/** ok: true passed, false failed, null could not be decided (missing data or unsupported). */
export interface SignatureCheck {
  name: string;
  ok: boolean | null;
  message: string;
}

export interface SignerInfo {
  subject: string;
  serialNumber: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  /** Kazakhstan individual identification number, from subject serialNumber "IIN…". */
  iin?: string;
  /** Kazakhstan business identification number, from subject OU "BIN…". */
  bin?: string;
}

export interface SignerReport {
  signer: SignerInfo;
  verdict: SignatureVerdict;
  reason?: string;
  signingTime?: string;
  checks: SignatureCheck[];
}

export interface SignatureReport {
  verdict: SignatureVerdict;
  reason?: string;
  signers: SignerReport[];
  /**
   * What the verification used, to keep beside the signature (docs/signatures.md): every
   * certificate of the paths built, the CRLs consulted and, among the certificates, the trust
   * anchors the paths ended at.
   */
  evidence: VerificationEvidence;
}

/**
 * What a verification used: certificates of the paths, CRLs, the anchors; the OCSP responses
 * that decided a revocation status and every question put to a responder (answered or
 * "unavailable"), to keep beside the signature.
 */
export interface VerificationEvidence {
  certificates: Uint8Array[];
  crls: Uint8Array[];
  anchors?: Uint8Array[];
  ocsp?: Uint8Array[];
  ocspQueries?: OcspQuery[];
}

/**
 * OCSP: ask the responders that certificates name (validators/signature/ocsp.ts). Default: on
 * with the configuration's timeout when verifying against the trust folder, off when trust
 * material is given (re-verification from evidence never uses the network).
 */
export interface OcspSetting {
  enabled: boolean;
  timeoutMs?: number;
}

export interface VerifySignatureInput {
  signature: Uint8Array;
  /** Detached content as bytes or a file path; not needed for enveloping signatures. */
  content?: Uint8Array | string;
  /** Folder of trust anchors, intermediates and CRLs (PEM or DER); default: config trustDir. */
  trustDir?: string;
  /**
   * Trust material given directly instead of the folder (re-verification from an AIP's stored
   * evidence): anchors are trusted as they are, self-signed or not (an NCA RK intermediate CA
   * may be the anchor); certificates may complete a chain; CRLs give revocation.
   */
  trust?: TrustMaterial;
  /** Verification time, used when the signature carries no signing time; default: now. */
  at?: Date;
  /** Language of check messages and reasons; default Kazakh. */
  lang?: 'kk' | 'ru' | 'en';
  ocsp?: OcspSetting;
}

export interface TrustMaterial {
  anchors: Uint8Array[];
  certificates?: Uint8Array[];
  crls?: Uint8Array[];
  /** DER OCSPResponses kept as evidence; used like CRLs. */
  ocsp?: Uint8Array[];
}

export interface VerifyCertificateInput {
  /** The certificate to check (DER or PEM). */
  certificate: Uint8Array;
  /** File name or label of the certificate, for messages. */
  name?: string;
  /** Other certificates that may complete the chain (DER or PEM). */
  certificates?: Uint8Array[];
  trustDir?: string;
  trust?: TrustMaterial;
  /** Time at which the certificate must have been valid and not revoked; default now. */
  at?: Date;
  lang?: 'kk' | 'ru' | 'en';
  ocsp?: OcspSetting;
}

export interface CertificateReport {
  verdict: SignatureVerdict;
  reason?: string;
  certificate: SignerInfo;
  checks: SignatureCheck[];
  evidence: VerificationEvidence;
}
