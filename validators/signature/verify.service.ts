// CMS/PKCS#7 signature verification (RFC 5652) for archived documents: message digest,
// signature over the signed attributes, RFC 3161 signature timestamp, path to a trust anchor
// from the trust folder, validity at signing time, key usage and revocation from CRLs and OCSP (ocsp.ts).
// Every check is reported; the verdict is `valid` only when every check passed, `invalid`
// when one failed and `cannot-verify` when one could not be decided (an unmapped algorithm, no
// CRL, no content…). GOST (NCA RK and Russian) is verified cryptographically through gost.ts.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, constants, readFile } from 'node:fs/promises';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { loadConfig } from '../../common/config';
import { ValidationError } from '../../common/errors';
import { DEFAULT_LANGUAGE, t, type Language } from '../../common/i18n';
import {
  HASH_BY_OID, OID, type HashName, bytesEqual, decodeDerOrPem, ensureEngine, formatName, isoTime,
  kazakhIdentifiers, toArrayBuffer, toHex,
} from './asn1-util';
import { nodeHashName, resolveSignatureAlgorithm, spkiOf, verifyWithKey, type ResolvedAlgorithm } from './crypto-verify';
import { GOST_DIGEST_BY_OID, gostDigest, type GostDigestName } from './gost';
import { derKey, isSelfIssued, loadTrustStore, trustStoreFrom, type LoadedCertificate, type LoadedCrl, type TrustStore } from './trust-store';
import { fetchOcsp, ocspStatus, ocspUrlsOf, parseOcspResponse, type LoadedOcsp, type OcspOptions, type OcspQuery } from './ocsp';
import type {
  CertificateReport, OcspSetting, SignatureCheck, SignatureReport, SignatureVerdict, SignerInfo, SignerReport, TrustMaterial, VerificationEvidence,
  VerifyCertificateInput, VerifySignatureInput,
} from './types';

const MAX_PATH_LENGTH = 10;
const CLOCK_SKEW_MS = 5 * 60_000;

type Translate = (key: string, params?: Record<string, unknown>) => string;

/** Digests a signature may name: SHA-2 (and SHA-1, refused later) or a GOST hash. */
type DigestName = HashName | GostDigestName;
const DIGEST_BY_OID: Record<string, DigestName> = { ...HASH_BY_OID, ...GOST_DIGEST_BY_OID };

function isGostDigest(name: DigestName): name is GostDigestName {
  return !name.startsWith('SHA-');
}

function hashBytes(name: DigestName, data: Uint8Array): Uint8Array {
  return isGostDigest(name) ? gostDigest(name, data) : new Uint8Array(createHash(nodeHashName(name)).update(data).digest());
}

interface Content {
  /** Digest of the content with the given hash, or null when no content is available. */
  digest(hash: DigestName): Promise<Uint8Array | null>;
  bytes(): Promise<Uint8Array | null>;
}

interface Context {
  tr: Translate;
  trust: TrustStore;
  pool: LoadedCertificate[];
  crls: LoadedCrl[];
  now: Date;
  evidenceCertificates: Map<string, Uint8Array>;
  evidenceCrls: Map<string, Uint8Array>;
  evidenceAnchors: Map<string, Uint8Array>;
  signatureCache: Map<string, boolean | null>;
  /** OCSP responses known (evidence given, or fetched during this verification). */
  ocsp: LoadedOcsp[];
  /** Responders are asked only when set (never when re-verifying from evidence). */
  ocspOptions: OcspOptions | null;
  evidenceOcsp: Map<string, Uint8Array>;
  ocspQueries: OcspQuery[];
}

interface SignerOptions {
  /** Time to evaluate certificates at when the signer states none (timestamp tokens: genTime). */
  time?: Date;
  /** Timestamp authority: requires the timeStamping extended key usage. */
  purpose: 'document' | 'timestamp';
  depth: number;
}

function check(name: string, ok: boolean | null, message: string): SignatureCheck {
  return { name, ok, message };
}

function verdictOf(checks: SignatureCheck[]): { verdict: SignatureVerdict; reason?: string } {
  const failed = checks.find((c) => c.ok === false);
  if (failed) return { verdict: 'invalid', reason: failed.message };
  const undecided = checks.find((c) => c.ok === null);
  if (undecided) return { verdict: 'cannot-verify', reason: undecided.message };
  return { verdict: 'valid' };
}

function certDer(cert: pkijs.Certificate): Uint8Array {
  return new Uint8Array(cert.toSchema().toBER(false));
}

function integerHex(value: asn1js.Integer): string {
  return toHex(value.valueBlock.valueHexView).replace(/^(00)+(?=.)/, '');
}

function sameSerial(a: asn1js.Integer, b: asn1js.Integer): boolean {
  return integerHex(a) === integerHex(b);
}

function extension<T>(cert: pkijs.Certificate, oid: string): T | undefined {
  return cert.extensions?.find((e) => e.extnID === oid)?.parsedValue as T | undefined;
}

/** Key usage bits (RFC 5280 4.2.1.3): bit 0 is the high bit of the first byte. */
function keyUsageBits(cert: pkijs.Certificate): Set<number> | null {
  const ku = extension<asn1js.BitString>(cert, OID.keyUsage);
  if (!ku) return null;
  const bytes = ku.valueBlock.valueHexView;
  const bits = new Set<number>();
  for (let i = 0; i < bytes.length * 8; i++) if (bytes[i >> 3]! & (0x80 >> (i & 7))) bits.add(i);
  return bits;
}

function describe(cert: pkijs.Certificate): string {
  const cn = cert.subject.typesAndValues.find((tv) => tv.type === '2.5.4.3');
  return cn ? `CN=${(cn.value as { valueBlock: { value: string } }).valueBlock.value}` : formatName(cert.subject);
}

export function signerInfoOf(cert: pkijs.Certificate): SignerInfo {
  return {
    subject: formatName(cert.subject),
    serialNumber: integerHex(cert.serialNumber),
    issuer: formatName(cert.issuer),
    notBefore: isoTime(cert.notBefore.value),
    notAfter: isoTime(cert.notAfter.value),
    ...kazakhIdentifiers(cert.subject),
  };
}

/** Bytes of an OCTET STRING, concatenating BER constructed chunks. */
function octetBytes(node: asn1js.OctetString): Uint8Array {
  if (!node.idBlock.isConstructed) return new Uint8Array(node.valueBlock.valueHexView);
  const parts = (node.valueBlock.value as asn1js.OctetString[]).map(octetBytes);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) (out.set(p, off), (off += p.length));
  return out;
}

function contentFrom(source: Uint8Array | string | undefined): Content {
  const cache = new Map<DigestName, Uint8Array>();
  return {
    async digest(hash) {
      if (source === undefined) return null;
      const cached = cache.get(hash);
      if (cached) return cached;
      if (isGostDigest(hash)) {
        // The GOST library hashes in one piece: the content is read whole (documents ≤ 95 MB, p.147).
        const out = gostDigest(hash, typeof source === 'string' ? new Uint8Array(await readFile(source)) : source);
        cache.set(hash, out);
        return out;
      }
      const h = createHash(nodeHashName(hash));
      if (typeof source === 'string') {
        // Documents reach 95 MB (p.147); stream them rather than hold them in memory.
        for await (const chunk of createReadStream(source)) h.update(chunk as Buffer);
      } else {
        h.update(source);
      }
      const out = new Uint8Array(h.digest());
      cache.set(hash, out);
      return out;
    },
    async bytes() {
      if (source === undefined) return null;
      return typeof source === 'string' ? new Uint8Array(await readFile(source)) : source;
    },
  };
}

/** Certificate signature check, memoised (the same CA certificates recur in every signer's chain). */
function certificateSignedBy(ctx: Context, cert: pkijs.Certificate, issuer: pkijs.Certificate): boolean | null {
  const key = derKey(cert.tbsView) + ':' + derKey(spkiOf(issuer));
  if (ctx.signatureCache.has(key)) return ctx.signatureCache.get(key)!;
  const alg = resolveSignatureAlgorithm(cert.signatureAlgorithm);
  const ok = alg.supported ? verifyWithKey(spkiOf(issuer), alg, cert.tbsView, cert.signatureValue.valueBlock.valueHexView) : null;
  ctx.signatureCache.set(key, ok);
  return ok;
}

function isAnchor(ctx: Context, cert: LoadedCertificate): boolean {
  return ctx.trust.anchors.some((a) => bytesEqual(a.der, cert.der));
}

function akiMatches(cert: pkijs.Certificate, issuer: pkijs.Certificate): boolean {
  const aki = extension<pkijs.AuthorityKeyIdentifier>(cert, OID.authorityKeyIdentifier)?.keyIdentifier;
  const ski = extension<asn1js.OctetString>(issuer, OID.subjectKeyIdentifier);
  if (!aki || !ski) return true; // identifiers are optional; the signature check decides
  return bytesEqual(aki.valueBlock.valueHexView, ski.valueBlock.valueHexView);
}

interface PathResult {
  path: LoadedCertificate[];
  anchored: boolean;
  /** A certificate whose signature does not verify under an issuer of the right name. */
  badSignature?: pkijs.Certificate;
  /** A certificate signed with an algorithm we cannot check (GOST). */
  unsupported?: { cert: pkijs.Certificate; label: string };
}

/** Depth-first search from the signer to a trust anchor through CMS and trust-folder certificates. */
function buildPath(ctx: Context, path: LoadedCertificate[]): PathResult {
  const current = path[path.length - 1]!;
  if (isAnchor(ctx, current)) return { path, anchored: true };
  if (path.length >= MAX_PATH_LENGTH) return { path, anchored: false };
  const candidates = ctx.pool
    .filter((c) => !path.some((p) => bytesEqual(p.der, c.der)))
    .filter((c) => c.cert.subject.isEqual(current.cert.issuer) && akiMatches(current.cert, c.cert))
    .sort((a, b) => Number(isAnchor(ctx, b)) - Number(isAnchor(ctx, a)));
  let best: PathResult = { path, anchored: false };
  for (const candidate of candidates) {
    const signed = certificateSignedBy(ctx, current.cert, candidate.cert);
    if (signed === null) {
      const label = resolveSignatureAlgorithm(current.cert.signatureAlgorithm).label;
      best.unsupported ??= { cert: current.cert, label };
      continue;
    }
    if (!signed) {
      best.badSignature ??= current.cert;
      continue;
    }
    const result = buildPath(ctx, [...path, candidate]);
    if (result.anchored) return result;
    if (result.path.length > best.path.length) best = { ...result, badSignature: result.badSignature ?? best.badSignature, unsupported: result.unsupported ?? best.unsupported };
  }
  return best;
}

function withinValidity(cert: pkijs.Certificate, time: Date): boolean {
  return cert.notBefore.value.getTime() <= time.getTime() && time.getTime() <= cert.notAfter.value.getTime();
}

/** Per CRL object (trust stores are cached): signature results by issuer key, revoked serials. */
const crlFacts = new WeakMap<pkijs.CertificateRevocationList, { signedBy: Map<string, boolean>; revoked?: Map<string, pkijs.RevokedCertificate> }>();

function factsOf(crl: pkijs.CertificateRevocationList) {
  let facts = crlFacts.get(crl);
  if (!facts) crlFacts.set(crl, (facts = { signedBy: new Map() }));
  return facts;
}

function crlSignedBy(crl: LoadedCrl, issuer: pkijs.Certificate): boolean {
  const facts = factsOf(crl.crl);
  const spki = spkiOf(issuer);
  const key = derKey(spki);
  let ok = facts.signedBy.get(key);
  if (ok === undefined) {
    const alg = resolveSignatureAlgorithm(crl.crl.signatureAlgorithm);
    ok = alg.supported && verifyWithKey(spki, alg, crl.crl.tbsView, crl.crl.signatureValue.valueBlock.valueHexView) === true;
    facts.signedBy.set(key, ok);
  }
  return ok;
}

function revokedEntry(crl: pkijs.CertificateRevocationList, serial: asn1js.Integer): pkijs.RevokedCertificate | undefined {
  const facts = factsOf(crl);
  facts.revoked ??= new Map((crl.revokedCertificates ?? []).map((r) => [integerHex(r.userCertificate), r]));
  return facts.revoked.get(integerHex(serial));
}

const CRL_EXT = { deltaIndicator: '2.5.29.27', issuingDistributionPoint: '2.5.29.28', crlNumber: '2.5.29.20', authorityKeyIdentifier: '2.5.29.35' };

/**
 * Only complete CRLs that cover this certificate count as revocation evidence: delta CRLs,
 * reason-partitioned or indirect CRLs and CRLs with unknown critical extensions are skipped.
 */
function crlCovers(crl: pkijs.CertificateRevocationList, cert: pkijs.Certificate): boolean {
  for (const ext of crl.crlExtensions?.extensions ?? []) {
    if (ext.extnID === CRL_EXT.deltaIndicator) return false;
    if (ext.extnID === CRL_EXT.issuingDistributionPoint) {
      const idp = ext.parsedValue as pkijs.IssuingDistributionPoint | undefined;
      if (!idp || idp.onlySomeReasons !== undefined || idp.indirectCRL || idp.onlyContainsAttributeCerts) return false;
      const isCa = extension<pkijs.BasicConstraints>(cert, OID.basicConstraints)?.cA === true;
      if (idp.onlyContainsUserCerts && isCa) return false;
      if (idp.onlyContainsCACerts && !isCa) return false;
    } else if (ext.critical && ext.extnID !== CRL_EXT.crlNumber && ext.extnID !== CRL_EXT.authorityKeyIdentifier) {
      return false;
    }
  }
  return true;
}

/**
 * Revocation status of cert at time from OCSP responses and the issuer's CRLs. Either one
 * saying "revoked" (before a trusted signing time) decides; else a "not revoked" from either
 * does; an OCSP responder that was unavailable is named in the message and changes nothing.
 */
function revocationOf(ctx: Context, cert: pkijs.Certificate, issuer: pkijs.Certificate, time: Date, timeTrusted: boolean): { ok: boolean | null; message: string } {
  const crl = crlRevocationOf(ctx, cert, issuer, time, timeTrusted);
  const { tr } = ctx;
  const who = describe(cert);
  const serial = integerHex(cert.serialNumber);
  const unavailable = ctx.ocspQueries
    .filter((q) => q.status === 'unavailable' && q.serialNumber === serial)
    .map((q) => tr('revocation_ocsp_unavailable', { cert: who, url: q.url, reason: q.reason ?? '' }));
  const status = ocspStatus(ctx.ocsp, cert, issuer, time, ctx.now);
  let ocsp: { ok: boolean | null; message: string } | null = null;
  if (status?.kind === 'good' || status?.kind === 'revoked') {
    ctx.evidenceOcsp.set(derKey(status.der), status.der);
    if (status.kind === 'good') ocsp = { ok: true, message: tr('revocation_ocsp_good', { cert: who, responder: status.responder, date: isoTime(status.thisUpdate) }) };
    else if (timeTrusted && status.revokedAt.getTime() > time.getTime()) ocsp = { ok: true, message: tr('revocation_ocsp_revoked_later', { cert: who, date: isoTime(status.revokedAt), responder: status.responder }) };
    else ocsp = { ok: false, message: tr('revocation_ocsp_revoked', { cert: who, date: isoTime(status.revokedAt), responder: status.responder }) };
  } else if (status?.kind === 'unknown') {
    unavailable.push(tr('revocation_ocsp_unknown', { cert: who, responder: status.responder }));
  } else if (status?.kind === 'untrusted') {
    unavailable.push(tr('revocation_ocsp_untrusted', { cert: who, source: status.source, reason: status.reason }));
  }
  const notes = unavailable.length ? ` (${unavailable.join('; ')})` : '';
  if (ocsp?.ok === false) return ocsp;
  if (crl.ok === false) return { ok: false, message: crl.message + notes };
  if (ocsp?.ok === true) return { ok: true, message: crl.ok === true ? `${ocsp.message}; ${crl.message}` : ocsp.message };
  return { ok: crl.ok, message: crl.message + notes };
}

/**
 * Asks the OCSP responders named by the certificates on the signer's path (each once per
 * verification), unless a response already at hand speaks for it. Failures are recorded as
 * unavailable queries; nothing here throws or waits past the timeout.
 */
async function askResponders(ctx: Context, signerCert: LoadedCertificate): Promise<void> {
  if (!ctx.ocspOptions) return;
  const { path } = buildPath(ctx, [signerCert]);
  for (let i = 0; i < path.length - 1; i++) {
    const cert = path[i]!.cert;
    const issuer = path[i + 1]!.cert;
    const urls = ocspUrlsOf(cert);
    if (!urls.length) continue;
    const known = ocspStatus(ctx.ocsp, cert, issuer, ctx.now, ctx.now);
    if (known && known.kind !== 'untrusted') continue;
    const serialNumber = integerHex(cert.serialNumber);
    if (ctx.ocspQueries.some((q) => q.serialNumber === serialNumber && urls.includes(q.url))) continue;
    for (const url of urls) {
      const answer = await fetchOcsp(cert, issuer, url, ctx.ocspOptions);
      const at = new Date().toISOString();
      if ('unavailable' in answer) {
        ctx.ocspQueries.push({ url, serialNumber, subject: formatName(cert.subject), at, status: 'unavailable', reason: answer.unavailable });
        continue;
      }
      ctx.ocspQueries.push({ url, serialNumber, subject: formatName(cert.subject), at, status: 'response' });
      ctx.ocsp.push(answer);
      break;
    }
  }
}

/** Revocation status of cert at time from the issuer's CRLs. */
function crlRevocationOf(ctx: Context, cert: pkijs.Certificate, issuer: pkijs.Certificate, time: Date, timeTrusted: boolean): { ok: boolean | null; message: string } {
  const { tr } = ctx;
  const who = describe(cert);
  const byIssuer = ctx.crls.filter((c) => c.crl.issuer.isEqual(issuer.subject) && crlCovers(c.crl, cert));
  const authentic = byIssuer.filter((c) => crlSignedBy(c, issuer));
  // A CRL speaks for the signing time if it was current then or was issued afterwards
  // (a later CRL that does not list the certificate shows it was not revoked before).
  const usable = authentic
    .filter((c) => c.crl.thisUpdate.value.getTime() <= ctx.now.getTime())
    .filter((c) => !c.crl.nextUpdate || c.crl.nextUpdate.value.getTime() >= time.getTime() || c.crl.thisUpdate.value.getTime() >= time.getTime())
    .sort((a, b) => b.crl.thisUpdate.value.getTime() - a.crl.thisUpdate.value.getTime());
  const crl = usable[0];
  if (!crl) {
    if (!byIssuer.length) return { ok: null, message: tr('revocation_no_crl', { cert: who, issuer: describe(issuer) }) };
    if (!authentic.length) return { ok: null, message: tr('revocation_crl_bad_signature', { cert: who, issuer: describe(issuer) }) };
    return { ok: null, message: tr('revocation_crl_outdated', { cert: who, issuer: describe(issuer) }) };
  }
  ctx.evidenceCrls.set(derKey(crl.der), crl.der);
  const entry = revokedEntry(crl.crl, cert.serialNumber);
  const crlTime = isoTime(crl.crl.thisUpdate.value);
  if (!entry) return { ok: true, message: tr('revocation_not_revoked', { cert: who, crl: crl.source, date: crlTime }) };
  const revokedAt = entry.revocationDate.value;
  // Revocation after a time proven by a timestamp does not affect that signature; a time the
  // signer merely claims proves nothing, so then any revocation counts.
  if (timeTrusted && revokedAt.getTime() > time.getTime()) {
    return { ok: true, message: tr('revocation_revoked_later', { cert: who, date: isoTime(revokedAt) }) };
  }
  return { ok: false, message: tr('revocation_revoked', { cert: who, date: isoTime(revokedAt), crl: crl.source }) };
}

function findSignerCertificate(ctx: Context, signerInfo: pkijs.SignerInfo): LoadedCertificate | undefined {
  const sid = signerInfo.sid as pkijs.IssuerAndSerialNumber | asn1js.Constructed;
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return ctx.pool.find((c) => c.cert.issuer.isEqual(sid.issuer) && sameSerial(c.cert.serialNumber, sid.serialNumber));
  }
  // [0] SubjectKeyIdentifier
  const raw = (sid as { valueBlock: { valueHexView?: Uint8Array; value?: asn1js.AsnType[] } }).valueBlock;
  const keyId = raw.valueHexView && raw.valueHexView.length ? raw.valueHexView : (raw.value?.[0] as asn1js.OctetString | undefined)?.valueBlock.valueHexView;
  if (!keyId) return undefined;
  return ctx.pool.find((c) => {
    const ski = extension<asn1js.OctetString>(c.cert, OID.subjectKeyIdentifier);
    return ski ? bytesEqual(ski.valueBlock.valueHexView, keyId) : false;
  });
}

function describeSid(signerInfo: pkijs.SignerInfo): SignerInfo {
  const sid = signerInfo.sid as unknown;
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return { subject: '', serialNumber: integerHex(sid.serialNumber), issuer: formatName(sid.issuer), notBefore: '', notAfter: '' };
  }
  return { subject: '', serialNumber: '', issuer: '', notBefore: '', notAfter: '' };
}

function attributeValues(attrs: pkijs.SignedAndUnsignedAttributes | undefined, oid: string): asn1js.AsnType[][] {
  return (attrs?.attributes ?? []).filter((a) => a.type === oid).map((a) => a.values as asn1js.AsnType[]);
}

function asDate(node: asn1js.AsnType | undefined): Date | undefined {
  if (node instanceof asn1js.UTCTime || node instanceof asn1js.GeneralizedTime) return node.toDate();
  return undefined;
}

/** signingCertificate (v1, SHA-1) / signingCertificateV2: the first certHash must match the signer. */
async function signingCertificateCheck(tr: Translate, signerInfo: pkijs.SignerInfo, cert: pkijs.Certificate): Promise<SignatureCheck | null> {
  const v2 = attributeValues(signerInfo.signedAttrs, OID.signingCertificateV2)[0]?.[0];
  const v1 = attributeValues(signerInfo.signedAttrs, OID.signingCertificate)[0]?.[0];
  const value = v2 ?? v1;
  if (!value) return null;
  try {
    const certs = (value as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
    const first = certs.valueBlock.value[0] as asn1js.Sequence;
    const parts = first.valueBlock.value;
    let hash: DigestName = v2 ? 'SHA-256' : 'SHA-1';
    let index = 0;
    if (v2 && parts[0] instanceof asn1js.Sequence) {
      const algOid = new pkijs.AlgorithmIdentifier({ schema: parts[0] }).algorithmId;
      const named = DIGEST_BY_OID[algOid];
      if (!named) return check('signing_certificate', null, tr('signing_certificate_unsupported', { oid: algOid }));
      hash = named;
      index = 1;
    }
    const expected = (parts[index] as asn1js.OctetString).valueBlock.valueHexView;
    const actual = hashBytes(hash, certDer(cert));
    return bytesEqual(expected, actual)
      ? check('signing_certificate', true, tr('signing_certificate_ok'))
      : check('signing_certificate', false, tr('signing_certificate_mismatch'));
  } catch {
    return check('signing_certificate', false, tr('signing_certificate_malformed'));
  }
}

interface TimestampResult {
  check: SignatureCheck;
  genTime?: Date;
  evidence?: true;
}

async function verifyTimestamp(ctx: Context, token: asn1js.AsnType, signatureValue: Uint8Array, depth: number): Promise<TimestampResult> {
  const { tr } = ctx;
  let signed: pkijs.SignedData;
  let tst: pkijs.TSTInfo;
  let eContent: Uint8Array;
  try {
    const info = new pkijs.ContentInfo({ schema: token });
    signed = new pkijs.SignedData({ schema: info.content });
    if (signed.encapContentInfo.eContentType !== OID.tstInfo || !signed.encapContentInfo.eContent) throw new Error('not a TSTInfo');
    eContent = octetBytes(signed.encapContentInfo.eContent);
    tst = pkijs.TSTInfo.fromBER(toArrayBuffer(eContent));
  } catch {
    return { check: check('timestamp', false, tr('timestamp_malformed')) };
  }
  const hash = DIGEST_BY_OID[tst.messageImprint.hashAlgorithm.algorithmId];
  if (!hash || hash === 'SHA-1') {
    return { check: check('timestamp', null, tr('timestamp_unsupported_hash', { oid: tst.messageImprint.hashAlgorithm.algorithmId })) };
  }
  const imprint = hashBytes(hash, signatureValue);
  if (!bytesEqual(imprint, tst.messageImprint.hashedMessage.valueBlock.valueHexView)) {
    return { check: check('timestamp', false, tr('timestamp_imprint_mismatch')) };
  }
  const genTime = tst.genTime;
  const tokenCtx: Context = { ...ctx, pool: uniqueCertificates([...ctx.pool, ...cmsCertificates(signed)]), crls: [...ctx.crls, ...cmsCrls(signed)] };
  const reports = await Promise.all(
    signed.signerInfos.map((si) => verifySigner(tokenCtx, signed, si, contentFrom(eContent), { time: genTime, purpose: 'timestamp', depth: depth + 1 })),
  );
  const tsa = reports[0];
  if (!tsa) return { check: check('timestamp', false, tr('timestamp_malformed')) };
  const when = isoTime(genTime);
  if (tsa.verdict === 'valid') return { check: check('timestamp', true, tr('timestamp_ok', { tsa: tsa.signer.subject, time: when })), genTime };
  const detail = tsa.reason ?? '';
  return tsa.verdict === 'invalid'
    ? { check: check('timestamp', false, tr('timestamp_invalid', { time: when, reason: detail })) }
    : { check: check('timestamp', null, tr('timestamp_cannot_verify', { time: when, reason: detail })) };
}

async function verifySigner(ctx: Context, signedData: pkijs.SignedData, signerInfo: pkijs.SignerInfo, content: Content, options: SignerOptions): Promise<SignerReport> {
  const { tr } = ctx;
  const checks: SignatureCheck[] = [];
  const found = findSignerCertificate(ctx, signerInfo);
  const signer = found ? signerInfoOf(found.cert) : describeSid(signerInfo);
  if (!found) {
    checks.push(check('signer_certificate', null, tr('signer_certificate_missing', { issuer: signer.issuer, serial: signer.serialNumber })));
  } else {
    checks.push(check('signer_certificate', true, tr('signer_certificate_found', { subject: signer.subject })));
    ctx.evidenceCertificates.set(toHex(found.der), found.der);
  }

  // Algorithms
  const digestOid = signerInfo.digestAlgorithm.algorithmId;
  const digestHash = DIGEST_BY_OID[digestOid];
  const alg: ResolvedAlgorithm = resolveSignatureAlgorithm(signerInfo.signatureAlgorithm, digestOid);
  let cryptoOk = true;
  if (!alg.supported) {
    cryptoOk = false;
    checks.push(check('algorithm', null, alg.gost ? tr('algorithm_gost', { oid: alg.oid }) : tr('algorithm_unsupported', { algorithm: alg.label })));
  } else if (!digestHash || digestHash === 'SHA-1') {
    cryptoOk = false;
    checks.push(check('algorithm', null, tr('algorithm_unsupported', { algorithm: digestHash ?? digestOid })));
  } else {
    checks.push(check('algorithm', true, tr('algorithm_ok', { algorithm: alg.label, digest: digestHash })));
  }

  // Signed attributes: content type, message digest, signing time, signing certificate.
  const signedAttrs = signerInfo.signedAttrs;
  let signedBytes: Uint8Array | null = null;
  let claimedTime: Date | undefined;
  if (signedAttrs) {
    const contentTypes = attributeValues(signedAttrs, OID.contentType);
    const ct = contentTypes[0]?.[0];
    const ctOid = ct instanceof asn1js.ObjectIdentifier ? ct.valueBlock.toString() : undefined;
    if (contentTypes.length !== 1 || ctOid !== signedData.encapContentInfo.eContentType) {
      checks.push(check('content_type', false, tr('content_type_mismatch', { expected: signedData.encapContentInfo.eContentType, actual: ctOid ?? '-' })));
    } else {
      checks.push(check('content_type', true, tr('content_type_ok')));
    }
    const digests = attributeValues(signedAttrs, OID.messageDigest);
    const md = digests[0]?.[0];
    if (digests.length !== 1 || !(md instanceof asn1js.OctetString)) {
      checks.push(check('message_digest', false, tr('message_digest_missing')));
    } else if (!cryptoOk || !digestHash) {
      checks.push(check('message_digest', null, tr('not_checked_algorithm')));
    } else {
      const actual = await content.digest(digestHash);
      if (!actual) checks.push(check('message_digest', null, tr('content_missing')));
      else if (bytesEqual(actual, md.valueBlock.valueHexView)) checks.push(check('message_digest', true, tr('message_digest_ok', { digest: digestHash })));
      else checks.push(check('message_digest', false, tr('message_digest_mismatch')));
    }
    signedBytes = new Uint8Array(signedAttrs.encodedValue);
    claimedTime = asDate(attributeValues(signedAttrs, OID.signingTime)[0]?.[0]);
    if (found) {
      const sc = await signingCertificateCheck(tr, signerInfo, found.cert);
      if (sc) checks.push(sc);
    }
  } else if (cryptoOk) {
    // No signed attributes: the signature covers the content itself.
    signedBytes = await content.bytes();
    if (!signedBytes) checks.push(check('message_digest', null, tr('content_missing')));
  }

  // The signature value.
  const signatureValue = new Uint8Array(signerInfo.signature.valueBlock.valueHexView);
  if (!cryptoOk || !alg.supported) {
    checks.push(check('signature', null, tr('not_checked_algorithm')));
  } else if (!found) {
    checks.push(check('signature', null, tr('not_checked_no_certificate')));
  } else if (!signedBytes) {
    checks.push(check('signature', null, tr('content_missing')));
  } else {
    const verified = verifyWithKey(spkiOf(found.cert), alg, signedBytes, signatureValue);
    if (verified === null) checks.push(check('signature', null, tr('gost_parameters_unknown', { algorithm: alg.label })));
    else if (verified) checks.push(check('signature', true, tr(signedAttrs ? 'signature_ok_attributes' : 'signature_ok_content')));
    else checks.push(check('signature', false, tr('signature_mismatch')));
  }

  // Time: a verified timestamp, else the claimed signingTime, else the verification time.
  let time = options.time ?? ctx.now;
  let timeTrusted = options.time !== undefined;
  const tokens = options.depth === 0 ? attributeValues(signerInfo.unsignedAttrs, OID.signatureTimeStampToken) : [];
  let timestamped: Date | undefined;
  for (const values of tokens) {
    const token = values[0];
    if (!token) continue;
    const ts = await verifyTimestamp(ctx, token, signatureValue, options.depth);
    checks.push(ts.check);
    if (ts.genTime && !timestamped) timestamped = ts.genTime;
  }
  if (timestamped) {
    time = timestamped;
    timeTrusted = true;
    checks.push(check('signing_time', true, tr('signing_time_timestamp', { time: isoTime(time) })));
  } else if (options.time) {
    // A timestamp token's own signer is judged at the token's genTime.
    checks.push(check('signing_time', true, tr('signing_time_given', { time: isoTime(time) })));
  } else if (claimedTime) {
    time = claimedTime;
    timeTrusted = false;
    // A stated time after the verification time is a wrong clock or a forgery; either way the
    // certificates cannot be judged at it.
    checks.push(claimedTime.getTime() > ctx.now.getTime() + CLOCK_SKEW_MS
      ? check('signing_time', null, tr('signing_time_future', { time: isoTime(time), now: isoTime(ctx.now) }))
      : check('signing_time', true, tr('signing_time_claimed', { time: isoTime(time) })));
  } else {
    checks.push(check('signing_time', true, tr('signing_time_none', { time: isoTime(time) })));
  }

  if (found) {
    await askResponders(ctx, found);
    checks.push(...certificateChecks(ctx, found, time, timeTrusted, options.purpose));
  } else checks.push(check('chain', null, tr('not_checked_no_certificate')));

  return { signer, ...verdictOf(checks), ...(claimedTime || timestamped ? { signingTime: isoTime(timestamped ?? claimedTime!) } : {}), checks };
}

function certificateChecks(ctx: Context, signerCert: LoadedCertificate, time: Date, timeTrusted: boolean, purpose: 'document' | 'timestamp'): SignatureCheck[] {
  const { tr } = ctx;
  const checks: SignatureCheck[] = [];
  const result = buildPath(ctx, [signerCert]);
  const path = result.path;
  for (const c of path) ctx.evidenceCertificates.set(toHex(c.der), c.der);
  const names = path.map((c) => describe(c.cert)).join(' ← ');

  // Chain
  if (result.anchored) {
    const anchor = path[path.length - 1]!;
    ctx.evidenceAnchors.set(toHex(anchor.der), anchor.der);
    checks.push(check('chain', true, tr('chain_ok', { path: names, anchor: anchor.source })));
  } else if (result.badSignature) {
    checks.push(check('chain', false, tr('chain_bad_signature', { cert: describe(result.badSignature) })));
  } else if (result.unsupported) {
    checks.push(check('chain', null, tr('chain_unsupported_algorithm', { cert: describe(result.unsupported.cert), algorithm: result.unsupported.label })));
  } else if (!ctx.trust.exists || ctx.trust.anchors.length === 0) {
    checks.push(check('chain', null, tr('chain_no_anchors', { dir: ctx.trust.dir })));
  } else if (isSelfIssued(path[path.length - 1]!.cert)) {
    checks.push(check('chain', null, tr('chain_untrusted_root', { path: names })));
  } else {
    checks.push(check('chain', null, tr('chain_issuer_missing', { path: names, issuer: formatName(path[path.length - 1]!.cert.issuer) })));
  }

  // Validity at the signing time, every certificate of the path.
  const outside = path.filter((c) => !withinValidity(c.cert, time));
  checks.push(
    outside.length
      ? check('validity', false, outside.map((c) => tr('validity_outside', {
          cert: describe(c.cert), from: isoTime(c.cert.notBefore.value), to: isoTime(c.cert.notAfter.value), time: isoTime(time),
        })).join('; '))
      : check('validity', true, tr('validity_ok', { time: isoTime(time), count: path.length })),
  );

  // Issuers must be CAs allowed to sign certificates (the anchor is trusted by configuration).
  const issuerProblems: string[] = [];
  path.forEach((c, i) => {
    if (i === 0 || (result.anchored && i === path.length - 1)) return;
    const bc = extension<pkijs.BasicConstraints>(c.cert, OID.basicConstraints);
    const ku = keyUsageBits(c.cert);
    if (!bc?.cA) issuerProblems.push(tr('issuer_not_ca', { cert: describe(c.cert) }));
    else if (ku && !ku.has(5)) issuerProblems.push(tr('issuer_no_cert_sign', { cert: describe(c.cert) }));
    const pathLen = bc?.pathLenConstraint;
    const limit = typeof pathLen === 'number' ? pathLen : pathLen?.valueBlock.valueDec;
    if (limit !== undefined && i - 1 > limit) issuerProblems.push(tr('issuer_path_length', { cert: describe(c.cert) }));
  });
  if (path.length > 1) {
    checks.push(issuerProblems.length ? check('issuer_constraints', false, issuerProblems.join('; ')) : check('issuer_constraints', true, tr('issuer_constraints_ok')));
  }

  // Key usage of the signer's certificate.
  const ku = keyUsageBits(signerCert.cert);
  if (ku && !ku.has(0) && !ku.has(1)) checks.push(check('key_usage', false, tr('key_usage_not_signing')));
  else if (purpose === 'timestamp') {
    const eku = extension<pkijs.ExtKeyUsage>(signerCert.cert, OID.extKeyUsage);
    checks.push(eku?.keyPurposes.includes(OID.ekuTimeStamping) ? check('key_usage', true, tr('key_usage_tsa_ok')) : check('key_usage', false, tr('key_usage_not_tsa')));
  } else {
    checks.push(check('key_usage', true, tr(ku ? 'key_usage_ok' : 'key_usage_absent')));
  }

  // Revocation of every certificate below the anchor (or below the last issuer found).
  const statuses: { ok: boolean | null; message: string }[] = [];
  for (let i = 0; i < path.length - 1; i++) statuses.push(revocationOf(ctx, path[i]!.cert, path[i + 1]!.cert, time, timeTrusted));
  if (!result.anchored) statuses.push({ ok: null, message: tr('revocation_no_issuer', { cert: describe(path[path.length - 1]!.cert) }) });
  const revoked = statuses.filter((s) => s.ok === false);
  const unknown = statuses.filter((s) => s.ok === null);
  // Every certificate's status is stated, problems first.
  const message = [...revoked, ...unknown, ...statuses.filter((s) => s.ok === true)].map((s) => s.message).join('; ');
  checks.push(check('revocation', revoked.length ? false : unknown.length ? null : true, message));
  return checks;
}

function cmsCertificates(signed: pkijs.SignedData): LoadedCertificate[] {
  return (signed.certificates ?? [])
    .filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
    .map((cert) => ({ cert, der: certDer(cert), source: 'CMS' }));
}

/** First occurrence wins, so a root both in the CMS and the trust folder is named by its file. */
function uniqueCertificates(certs: LoadedCertificate[]): LoadedCertificate[] {
  const seen = new Set<string>();
  return certs.filter((c) => {
    const key = derKey(c.der);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function cmsCrls(signed: pkijs.SignedData): LoadedCrl[] {
  return (signed.crls ?? [])
    .filter((c): c is pkijs.CertificateRevocationList => c instanceof pkijs.CertificateRevocationList)
    .map((crl) => ({ crl, der: new Uint8Array(crl.toSchema().toBER(false)), source: 'CMS' }));
}

function failedReport(tr: Translate, key: string, params: Record<string, unknown> = {}): SignatureReport {
  return { verdict: 'invalid', reason: tr(key, params), signers: [], evidence: { certificates: [], crls: [] } };
}

function evidenceOf(ctx: Context): VerificationEvidence {
  return {
    certificates: [...ctx.evidenceCertificates.values()],
    crls: [...ctx.evidenceCrls.values()],
    anchors: [...ctx.evidenceAnchors.values()],
    ocsp: [...ctx.evidenceOcsp.values()],
    ocspQueries: ctx.ocspQueries,
  };
}

/** OCSP responses given as trust material (evidence); unreadable ones are not evidence. */
function givenOcsp(trust: TrustMaterial | undefined): LoadedOcsp[] {
  return (trust?.ocsp ?? []).map((der, i) => parseOcspResponse(der, `evidence:ocsp#${i + 1}`)).filter((r): r is LoadedOcsp => r !== null);
}

/** Whether and how long to ask responders: the caller's say, else off for given trust material, else the configuration. */
function ocspOptionsOf(input: { ocsp?: OcspSetting; trust?: TrustMaterial }): OcspOptions | null {
  const fallback = (() => {
    try {
      return loadConfig().ocsp;
    } catch {
      return undefined;
    }
  });
  if (input.ocsp) return input.ocsp.enabled ? { timeoutMs: input.ocsp.timeoutMs ?? fallback()?.timeoutMs ?? 5000 } : null;
  if (input.trust) return null;
  const configured = fallback() ?? { enabled: true, timeoutMs: 5000 };
  return configured.enabled ? { timeoutMs: configured.timeoutMs } : null;
}

/** JSON-safe form of a report (HTTP, CLI --json): evidence as base64 DER strings. */
export function signatureReportToJson(
  report: SignatureReport,
): Omit<SignatureReport, 'evidence'> & { evidence: { certificates: string[]; crls: string[]; anchors: string[]; ocsp: string[]; ocspQueries: OcspQuery[] } } {
  const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  return {
    ...report,
    evidence: {
      certificates: report.evidence.certificates.map(base64),
      crls: report.evidence.crls.map(base64),
      anchors: (report.evidence.anchors ?? []).map(base64),
      ocsp: (report.evidence.ocsp ?? []).map(base64),
      ocspQueries: report.evidence.ocspQueries ?? [],
    },
  };
}

/** Verifies a CMS/PKCS#7 signature (detached or enveloping; DER, PEM or base64). */
export async function verifySignature(input: VerifySignatureInput): Promise<SignatureReport> {
  ensureEngine();
  const lang: Language = input.lang ?? DEFAULT_LANGUAGE;
  const tr: Translate = (key, params = {}) => t(lang, `signature.${key}`, params);

  const blocks = decodeDerOrPem(input.signature);
  if (blocks.length !== 1) return failedReport(tr, 'not_cms');
  let signed: pkijs.SignedData;
  try {
    const info = pkijs.ContentInfo.fromBER(toArrayBuffer(blocks[0]!));
    if (info.contentType !== OID.signedData) return failedReport(tr, 'not_signed_data', { type: info.contentType });
    signed = new pkijs.SignedData({ schema: info.content });
  } catch {
    return failedReport(tr, 'not_cms');
  }

  if (typeof input.content === 'string') {
    try {
      await access(input.content, constants.R_OK);
    } catch {
      throw new ValidationError('signature.content_unreadable', 'signature.content_unreadable', { file: input.content });
    }
  }
  const eContent = signed.encapContentInfo.eContent ? octetBytes(signed.encapContentInfo.eContent) : undefined;
  const content = contentFrom(eContent ?? input.content);

  const trust = await trustOf(input);
  const ctx: Context = {
    tr,
    trust,
    pool: uniqueCertificates([...trust.anchors, ...trust.intermediates, ...cmsCertificates(signed)]),
    crls: [...trust.crls, ...cmsCrls(signed)],
    now: input.at ?? new Date(),
    evidenceCertificates: new Map(),
    evidenceCrls: new Map(),
    evidenceAnchors: new Map(),
    signatureCache: new Map(),
    ocsp: givenOcsp(input.trust),
    ocspOptions: ocspOptionsOf(input),
    evidenceOcsp: new Map(),
    ocspQueries: [],
  };

  const signers: SignerReport[] = [];
  for (const signerInfo of signed.signerInfos) {
    const report = await verifySigner(ctx, signed, signerInfo, content, { purpose: 'document', depth: 0 });
    if (eContent && input.content !== undefined) {
      // Both attached and separately supplied content: they must be the same document.
      const other = contentFrom(input.content);
      const same = bytesEqual((await other.digest('SHA-256'))!, (await content.digest('SHA-256'))!);
      report.checks.push(check('attached_content', same, tr(same ? 'attached_content_same' : 'attached_content_differs')));
      Object.assign(report, verdictOf(report.checks));
    }
    signers.push(report);
  }

  const evidence = evidenceOf(ctx);
  if (!signers.length) return { ...failedReport(tr, 'no_signers'), evidence };
  const describeSigner = (s: SignerReport) => s.signer.subject || s.signer.issuer;
  const invalid = signers.find((s) => s.verdict === 'invalid');
  if (invalid) return { verdict: 'invalid', reason: `${describeSigner(invalid)}: ${invalid.reason}`, signers, evidence };
  const undecided = signers.find((s) => s.verdict === 'cannot-verify');
  if (undecided) return { verdict: 'cannot-verify', reason: `${describeSigner(undecided)}: ${undecided.reason}`, signers, evidence };
  return { verdict: 'valid', signers, evidence };
}

async function trustOf(input: { trust?: TrustMaterial; trustDir?: string }): Promise<TrustStore> {
  return input.trust ? trustStoreFrom(input.trust) : loadTrustStore(input.trustDir ?? loadConfig().trustDir);
}

/**
 * Checks one certificate on its own (no signature): path to a trust anchor with every
 * certificate signature verified (RSA, ECDSA or GOST), validity at `at`, issuer constraints
 * and revocation from the CRLs. Used for signer certificates registered to users and for
 * CA material kept as evidence.
 */
export async function verifyCertificate(input: VerifyCertificateInput): Promise<CertificateReport> {
  ensureEngine();
  const lang: Language = input.lang ?? DEFAULT_LANGUAGE;
  const tr: Translate = (key, params = {}) => t(lang, `signature.${key}`, params);
  const blocks = decodeDerOrPem(input.certificate);
  let cert: pkijs.Certificate;
  try {
    if (blocks.length !== 1) throw new Error('not one block');
    cert = pkijs.Certificate.fromBER(toArrayBuffer(blocks[0]!));
  } catch {
    throw new ValidationError('signature.certificate_unreadable', 'signature.certificate_unreadable', { file: input.name ?? '-' });
  }
  const trust = await trustOf(input);
  const extra: LoadedCertificate[] = [];
  for (const bytes of input.certificates ?? []) {
    for (const der of decodeDerOrPem(bytes)) {
      try {
        extra.push({ cert: pkijs.Certificate.fromBER(toArrayBuffer(der)), der, source: 'input' });
      } catch {
        // Not a certificate: it cannot complete a chain, and the chain check says what is missing.
      }
    }
  }
  const subject: LoadedCertificate = { cert, der: blocks[0]!, source: 'input' };
  const ctx: Context = {
    tr,
    trust,
    pool: uniqueCertificates([...trust.anchors, ...trust.intermediates, ...extra, subject]),
    crls: [...trust.crls],
    now: input.at ?? new Date(),
    evidenceCertificates: new Map(),
    evidenceCrls: new Map(),
    evidenceAnchors: new Map(),
    signatureCache: new Map(),
    ocsp: givenOcsp(input.trust),
    ocspOptions: ocspOptionsOf(input),
    evidenceOcsp: new Map(),
    ocspQueries: [],
  };
  await askResponders(ctx, subject);
  // The time is the caller's question ("valid at …"), so a later revocation does not count.
  const checks = certificateChecks(ctx, subject, ctx.now, true, 'document');
  return { certificate: signerInfoOf(cert), ...verdictOf(checks), checks, evidence: evidenceOf(ctx) };
}
