// Reads one X.509 certificate (DER, PEM or bare base64) for registering a user's signing
// certificate: the identity fields the archive matches signatures against and shows.
import * as pkijs from 'pkijs';
import { createHash } from 'node:crypto';
import { ValidationError } from '../../common/errors';
import { decodeDerOrPem, toArrayBuffer } from './asn1-util';
import { signerInfoOf } from './verify.service';
import type { SignerInfo } from './types';

export interface CertificateDetails {
  der: Uint8Array;
  /** SHA-256 of the DER: the certificate's fingerprint. */
  sha256: string;
  info: SignerInfo;
  /** basicConstraints cA: a certification authority's certificate, never a person's signing one. */
  isCa: boolean;
}

/** One certificate from a file's bytes; `what` names the file in the error. */
export function readCertificate(bytes: Uint8Array, what = 'certificate'): CertificateDetails {
  const blocks = decodeDerOrPem(bytes);
  for (const der of blocks) {
    let cert: pkijs.Certificate;
    try {
      cert = pkijs.Certificate.fromBER(toArrayBuffer(der));
    } catch {
      continue;
    }
    const basic = cert.extensions?.find((e) => e.extnID === '2.5.29.19')?.parsedValue as { cA?: boolean } | undefined;
    return { der, sha256: createHash('sha256').update(der).digest('hex'), info: signerInfoOf(cert), isCa: basic?.cA === true };
  }
  throw new ValidationError('signature.certificate_unreadable', 'signature.certificate_unreadable', { file: what });
}
