// The archive's own signature on what it attests (fixity reports): CMS SignedData (RFC 5652)
// with the system key — Ed25519 per RFC 8419, SHA-512 message digest — and a self-signed
// certificate of that key kept beside it in the key folder, so any CMS tool can read who
// signed. The certificate is made once by `openssl req -x509` (OpenSSL 3.0's `cms -sign`
// cannot sign with Ed25519, so the SignedData is assembled here with pkijs, as
// validators/signature/sign.service.ts does for users' keys).
import { createHash, createPublicKey, sign as edSign, verify as edVerify } from 'node:crypto';
import { link, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { SystemKey } from '../audit/audit-anchor';
import { OID, asn1Time, ensureEngine, formatName, toArrayBuffer } from '../validators/signature/asn1-util';
import { openssl } from '../validators/signature/openssl-ca';

const ED25519 = '1.3.101.112';
const KEY_FILE = 'system-ed25519.pem';

export interface SystemCertificate {
  der: Buffer;
  pem: string;
  subject: string;
}

/** The system key's certificate (made on first use, write-once, named by the key id). */
export async function systemCertificate(keyDir: string, key: SystemKey): Promise<SystemCertificate> {
  const file = path.join(keyDir, `system-ed25519-${key.keyId.slice(0, 16)}.crt`);
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const temp = `${file}.${process.pid}.tmp`;
    await openssl(['req', '-x509', '-new', '-key', path.join(keyDir, KEY_FILE), '-subj', '/O=Muragat/CN=Muragat archive system key', '-days', '36500', '-out', temp], keyDir);
    try {
      await link(temp, file);
    } catch (linkError) {
      if ((linkError as NodeJS.ErrnoException).code !== 'EEXIST') throw linkError;
    } finally {
      await unlink(temp).catch(() => {});
    }
    pem = await readFile(file, 'utf8');
  }
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const cert = new pkijs.Certificate({ schema: asn1js.fromBER(toArrayBuffer(der)).result });
  return { der, pem, subject: formatName(cert.subject) };
}

/** Detached CMS over content, signed with the system key. */
export async function signWithSystemKey(content: Uint8Array, key: SystemKey, certificate: SystemCertificate, signingTime = new Date()): Promise<Uint8Array> {
  ensureEngine();
  const cert = new pkijs.Certificate({ schema: asn1js.fromBER(toArrayBuffer(certificate.der)).result });
  const digest = createHash('sha512').update(content).digest();
  const attributes = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    new pkijs.Attribute({ type: OID.signingTime, values: [asn1Time(signingTime)] }),
    new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: toArrayBuffer(digest) })] }),
  ];
  // DER SET OF is sorted by encoding.
  const enc = (a: pkijs.Attribute) => Buffer.from(a.toSchema().toBER(false));
  attributes.sort((a, b) => Buffer.compare(enc(a), enc(b)));
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes });
  const toBeSigned = new Uint8Array(signedAttrs.toSchema().toBER(false));
  toBeSigned[0] = 0x31; // the signature covers the attributes as an explicit SET
  const signature = edSign(null, toBeSigned, key.privateKey);
  const sha512 = new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha512 });
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: sha512,
    signedAttrs,
    signatureAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: ED25519 }),
    signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
  });
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [sha512],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: [cert],
    signerInfos: [signerInfo],
  });
  const info = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return new Uint8Array(info.toSchema().toBER(false));
}

/**
 * Checks a system-key CMS over content: the message digest, the Ed25519 signature over the
 * signed attributes, and that the embedded certificate carries the given system key (when
 * given). Returns the signer's subject and the key id of the certificate's public key.
 */
export function verifySystemSignature(cms: Uint8Array, content: Uint8Array, expected?: SystemKey): { ok: boolean; reason?: string; subject?: string; keyId?: string } {
  ensureEngine();
  try {
    const info = new pkijs.ContentInfo({ schema: asn1js.fromBER(toArrayBuffer(cms)).result });
    const sd = new pkijs.SignedData({ schema: info.content });
    const si = sd.signerInfos[0];
    const cert = sd.certificates?.[0];
    if (!si || !(cert instanceof pkijs.Certificate) || !si.signedAttrs) return { ok: false, reason: 'no signer, certificate or signed attributes' };
    if (si.signatureAlgorithm.algorithmId !== ED25519) return { ok: false, reason: `signature algorithm ${si.signatureAlgorithm.algorithmId} is not Ed25519` };
    const md = si.signedAttrs.attributes.find((a) => a.type === OID.messageDigest)?.values[0] as asn1js.OctetString | undefined;
    const digest = createHash('sha512').update(content).digest();
    if (!md || Buffer.compare(Buffer.from(md.valueBlock.valueHexView), digest) !== 0) return { ok: false, reason: 'the content does not match the signed message digest' };
    const spki = Buffer.from(cert.subjectPublicKeyInfo.toSchema().toBER(false));
    const publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    const keyId = createHash('sha256').update(spki).digest('hex');
    const signed = new Uint8Array(si.signedAttrs.toSchema().toBER(false));
    signed[0] = 0x31;
    if (!edVerify(null, signed, publicKey, Buffer.from(si.signature.valueBlock.valueHexView))) return { ok: false, reason: 'the signature does not verify', keyId };
    if (expected && expected.keyId !== keyId) return { ok: false, reason: `signed by key ${keyId.slice(0, 16)}…, not the system key ${expected.keyId.slice(0, 16)}…`, keyId };
    return { ok: true, subject: formatName(cert.subject), keyId };
  } catch (error) {
    return { ok: false, reason: `not a readable CMS signature: ${(error as Error).message}` };
  }
}
