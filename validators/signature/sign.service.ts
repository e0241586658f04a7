// Creates CMS SignedData (RFC 5652) with a PKCS#12 key: signed attributes contentType,
// messageDigest, signingTime and signingCertificateV2 (RFC 5035, binds the signer's certificate
// so it cannot be swapped). RSA and ECDSA keys sign SHA-256 through WebCrypto; GOST keys (NCA RK
// GOST 34.10-2015 / 34.310-2004, Russian GOST R 34.10) sign with their own hash through gost.ts,
// in the form NCALayer writes. No Node built-ins: runs in Node and the browser.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID, asn1Time, digest, ensureEngine, toArrayBuffer } from './asn1-util';
import {
  GOST_DIGEST_OID, GOST_SIGNATURE_ALGORITHMS, gostDigest, readGostPrivateKey, signGost, type GostDigestName, type GostPrivateKey,
  type GostSignatureAlgorithm,
} from './gost';
import { importPrivateKey, loadPkcs12 } from './pkcs12';
import { ValidationError } from '../../common/errors';

export interface SignOptions {
  /** Include the content in the CMS (enveloping, "attached") instead of a detached signature. */
  attached?: boolean;
  /** Signing time to state in the signingTime attribute; default now. */
  signingTime?: Date;
}

/** Minimal unsigned big-endian INTEGER content (adds 0x00 when the high bit is set). */
function integerBytes(raw: Uint8Array): Uint8Array {
  let start = 0;
  while (start < raw.length - 1 && raw[start] === 0) start++;
  const trimmed = raw.subarray(start);
  return trimmed[0]! & 0x80 ? new Uint8Array([0, ...trimmed]) : trimmed;
}

/** WebCrypto gives ECDSA signatures as r||s; CMS carries DER Ecdsa-Sig-Value. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  const seq = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ valueHex: toArrayBuffer(integerBytes(raw.subarray(0, half))) }),
      new asn1js.Integer({ valueHex: toArrayBuffer(integerBytes(raw.subarray(half))) }),
    ],
  });
  return new Uint8Array(seq.toBER(false));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function signingCertificateV2(cert: pkijs.Certificate, certHash: Uint8Array): asn1js.Sequence {
  // ESSCertIDv2 with the default hash (SHA-256, so omitted) and issuerSerial.
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [cert.issuer.toSchema()] })],
      }),
      cert.serialNumber,
    ],
  });
  const essCertIdV2 = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: toArrayBuffer(certHash) }), issuerSerial] });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}

/**
 * Signs content with the key in a PKCS#12 file and returns CMS ContentInfo DER (.p7s).
 * Throws ValidationError (signature.pkcs12_bad_password / signature.pkcs12_unreadable).
 */
export async function signDetached(content: Uint8Array, pkcs12: Uint8Array, password: string, options: SignOptions = {}): Promise<Uint8Array> {
  ensureEngine();
  const { privateKeyInfo, certificate, chain } = await loadPkcs12(pkcs12, password);
  const gost = gostKeyOf(privateKeyInfo);
  const certDer = new Uint8Array(certificate.toSchema().toBER(false));
  const messageDigest = gost ? gostDigest(gost.scheme.digest, content) : await digest('SHA-256', content);

  const attributes = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    new pkijs.Attribute({ type: OID.signingTime, values: [asn1Time(options.signingTime ?? new Date())] }),
    new pkijs.Attribute({
      type: OID.messageDigest,
      values: [new asn1js.OctetString({ valueHex: toArrayBuffer(messageDigest) })],
    }),
    new pkijs.Attribute({ type: OID.signingCertificateV2, values: [signingCertificateV2(certificate, await digest('SHA-256', certDer))] }),
  ];
  // DER SET OF is sorted by encoding; OpenSSL re-encodes before verifying, so order matters.
  attributes.sort((a, b) => compareBytes(new Uint8Array(a.toSchema().toBER(false)), new Uint8Array(b.toSchema().toBER(false))));
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes });
  const toBeSigned = new Uint8Array(signedAttrs.toSchema().toBER(false));
  toBeSigned[0] = 0x31; // signature covers the attributes as an explicit SET, not [0] IMPLICIT

  let signature: Uint8Array;
  let signatureAlgorithm: pkijs.AlgorithmIdentifier;
  let digestAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 });
  if (gost) {
    signature = signGost(gost.key, gost.scheme, toBeSigned);
    signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: gost.scheme.signatureOid, algorithmParams: new asn1js.Null() });
    digestAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: GOST_DIGEST_OID[gost.scheme.digest], algorithmParams: new asn1js.Null() });
  } else {
    const { key, kind } = await importPrivateKey(privateKeyInfo);
    ({ signature, signatureAlgorithm } = await webCryptoSign(key, kind, toBeSigned));
  }

  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: certificate.issuer, serialNumber: certificate.serialNumber }),
    digestAlgorithm,
    signedAttrs,
    signatureAlgorithm,
    signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
  });
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [digestAlgorithm],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: OID.data,
      ...(options.attached ? { eContent: new asn1js.OctetString({ valueHex: toArrayBuffer(content) }) } : {}),
    }),
    certificates: [certificate, ...chain],
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return new Uint8Array(contentInfo.toSchema().toBER(false));
}

async function webCryptoSign(key: CryptoKey, kind: 'rsa' | 'ec', toBeSigned: Uint8Array): Promise<{ signature: Uint8Array; signatureAlgorithm: pkijs.AlgorithmIdentifier }> {
  let signature: Uint8Array;
  let signatureAlgorithm: pkijs.AlgorithmIdentifier;
  if (kind === 'rsa') {
    signature = new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, toArrayBuffer(toBeSigned)));
    signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256WithRsa, algorithmParams: new asn1js.Null() });
  } else {
    const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, toArrayBuffer(toBeSigned)));
    signature = ecdsaRawToDer(raw);
    signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaSha256 });
  }
  return { signature, signatureAlgorithm };
}

/** How each GOST key algorithm signs: its hash and signature OIDs (as NCALayer and CryptoPro write them). */
const GOST_SCHEMES: Record<string, { digest: GostDigestName; signatureOid: string }> = {
  '1.2.398.3.10.1.1.2.2': { digest: 'GOST R 34.11-2012 (512)', signatureOid: '1.2.398.3.10.1.1.2.3.2' },
  '1.2.398.3.10.1.1.1.1': { digest: 'GOST 34.311-95', signatureOid: '1.2.398.3.10.1.1.1.2' },
  '1.2.643.2.2.19': { digest: 'GOST R 34.11-94 (CryptoPro)', signatureOid: '1.2.643.2.2.3' },
  '1.2.643.7.1.1.1.1': { digest: 'GOST R 34.11-2012 (256)', signatureOid: '1.2.643.7.1.1.3.2' },
  '1.2.643.7.1.1.1.2': { digest: 'GOST R 34.11-2012 (512)', signatureOid: '1.2.643.7.1.1.3.3' },
};

function gostKeyOf(pkcs8: Uint8Array): { key: GostPrivateKey; scheme: GostSignatureAlgorithm & { signatureOid: string } } | null {
  const info = pkijs.PrivateKeyInfo.fromBER(toArrayBuffer(pkcs8));
  const oid = info.privateKeyAlgorithm.algorithmId;
  const scheme = GOST_SCHEMES[oid];
  if (!scheme) return null;
  const key = readGostPrivateKey(oid, info.privateKeyAlgorithm.algorithmParams, new Uint8Array(info.privateKey.valueBlock.valueHexView));
  if (typeof key === 'string') {
    throw new ValidationError('signature.pkcs12_unreadable', 'signature.pkcs12_unreadable', { reason: `GOST private key: ${key}` });
  }
  return { key, scheme: { ...GOST_SIGNATURE_ALGORITHMS[scheme.signatureOid]!, signatureOid: scheme.signatureOid } };
}
