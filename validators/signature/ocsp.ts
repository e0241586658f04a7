// OCSP (RFC 6960) for the verifier: a signer or CA certificate that names an OCSP responder in
// its Authority Information Access extension is asked about, over HTTP POST, with a timeout —
// a responder that is down, slow or unreachable never holds a verification up and is recorded
// as "unavailable", which is not a failed check (the CRLs still decide then). A response is
// trusted only when it is signed by the certificate's issuer or by a responder the issuer
// certified for OCSP signing (id-kp-OCSPSigning); its SingleResponse must name the
// certificate (issuer name and key hashes, serial). Responses used are returned as evidence
// and kept in the AIP beside the CRLs (ingest/aip/signature-evidence.ts), so a re-verification
// from the AIP alone accepts them with the network gone. Requests and responses are built and
// parsed with pkijs.
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { bytesEqual, ensureEngine, toArrayBuffer } from './asn1-util';
import { resolveSignatureAlgorithm, spkiOf, verifyWithKey } from './crypto-verify';

const OID_AIA = '1.3.6.1.5.5.7.1.1';
const OID_AD_OCSP = '1.3.6.1.5.5.7.48.1';
const OID_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const OID_KP_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const OID_EXT_KEY_USAGE = '2.5.29.37';
const CLOCK_SKEW_MS = 5 * 60_000;
/** Answers are small (one SingleResponse and perhaps the responder's certificate). */
const MAX_RESPONSE_BYTES = 1024 * 1024;

const NODE_HASH: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

export interface LoadedOcsp {
  der: Uint8Array;
  basic: pkijs.BasicOCSPResponse;
  /** Where it came from: the responder's URL, or the evidence it was read from. */
  source: string;
}

/** One question asked of a responder, for the report and the AIP evidence. */
export interface OcspQuery {
  url: string;
  /** The certificate asked about (hex serial) and its subject. */
  serialNumber: string;
  subject: string;
  at: string;
  status: 'response' | 'unavailable';
  /** Why it was unavailable (timeout, refused, HTTP status, not a successful response). */
  reason?: string;
}

export interface OcspOptions {
  /** Milliseconds before a responder counts as unavailable. */
  timeoutMs: number;
}

/** The OCSP responder URLs (http/https) named in the certificate's AIA extension. */
export function ocspUrlsOf(cert: pkijs.Certificate): string[] {
  const aia = cert.extensions?.find((e) => e.extnID === OID_AIA)?.parsedValue as pkijs.InfoAccess | undefined;
  const urls: string[] = [];
  for (const d of aia?.accessDescriptions ?? []) {
    if (d.accessMethod !== OID_AD_OCSP) continue;
    const name = d.accessLocation as pkijs.GeneralName;
    // uniformResourceIdentifier [6] IA5String
    if (name.type === 6 && typeof name.value === 'string' && /^https?:\/\//i.test(name.value)) urls.push(name.value);
  }
  return urls;
}

/** A DER OCSPResponse with status "successful" and a basic response, else null. */
export function parseOcspResponse(der: Uint8Array, source: string): LoadedOcsp | null {
  try {
    const response = pkijs.OCSPResponse.fromBER(toArrayBuffer(der));
    if (response.responseStatus.valueBlock.valueDec !== 0 || !response.responseBytes) return null;
    if (response.responseBytes.responseType !== OID_OCSP_BASIC) return null;
    const basic = pkijs.BasicOCSPResponse.fromBER(toArrayBuffer(new Uint8Array(response.responseBytes.response.valueBlock.valueHexView)));
    return { der, basic, source };
  } catch {
    return null;
  }
}

const digest = (oid: string, data: Uint8Array): Uint8Array | null => {
  const name = NODE_HASH[oid];
  return name ? new Uint8Array(createHash(name).update(data).digest()) : null;
};

function nameDer(cert: pkijs.Certificate): Uint8Array {
  const view = (cert.subject as unknown as { valueBeforeDecodeView?: Uint8Array }).valueBeforeDecodeView;
  return view && view.length ? new Uint8Array(view) : new Uint8Array(cert.subject.toSchema().toBER(false));
}

function keyBits(cert: pkijs.Certificate): Uint8Array {
  return new Uint8Array(cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView);
}

const serialHex = (i: asn1js.Integer) => Buffer.from(i.valueBlock.valueHexView).toString('hex').replace(/^(00)+(?=.)/, '');

/** Whether a SingleResponse's CertID names `cert` issued by `issuer`. */
function namesCertificate(id: pkijs.CertID, cert: pkijs.Certificate, issuer: pkijs.Certificate): boolean {
  if (serialHex(id.serialNumber) !== serialHex(cert.serialNumber)) return false;
  const oid = id.hashAlgorithm.algorithmId;
  const nameHash = digest(oid, nameDer(issuer));
  const keyHash = digest(oid, keyBits(issuer));
  return !!nameHash && !!keyHash && bytesEqual(nameHash, id.issuerNameHash.valueBlock.valueHexView) && bytesEqual(keyHash, id.issuerKeyHash.valueBlock.valueHexView);
}

function responderMatches(basic: pkijs.BasicOCSPResponse, candidate: pkijs.Certificate): boolean {
  const rid = basic.tbsResponseData.responderID as unknown;
  if (rid instanceof pkijs.RelativeDistinguishedNames) return candidate.subject.isEqual(rid);
  if (rid instanceof asn1js.OctetString) return bytesEqual(digest('1.3.14.3.2.26', keyBits(candidate))!, rid.valueBlock.valueHexView);
  return false;
}

function signatureOk(basic: pkijs.BasicOCSPResponse, signer: pkijs.Certificate): boolean | null {
  const alg = resolveSignatureAlgorithm(basic.signatureAlgorithm);
  if (!alg.supported) return null;
  return verifyWithKey(spkiOf(signer), alg, basic.tbsResponseData.tbsView, basic.signature.valueBlock.valueHexView);
}

/**
 * Who signed the response, if it may speak for certificates of `issuer`: the issuer itself, or
 * a responder certificate in the response signed by the issuer with id-kp-OCSPSigning, valid
 * when the response was produced. null with the reason otherwise.
 */
function authenticResponder(basic: pkijs.BasicOCSPResponse, issuer: pkijs.Certificate): { ok: true; responder: pkijs.Certificate } | { ok: false; reason: string } {
  if (responderMatches(basic, issuer)) {
    const ok = signatureOk(basic, issuer);
    return ok ? { ok: true, responder: issuer } : { ok: false, reason: ok === null ? 'unsupported signature algorithm' : 'signature does not verify' };
  }
  const delegated = (basic.certs ?? []).find((c) => responderMatches(basic, c));
  if (!delegated) return { ok: false, reason: 'responder certificate not found' };
  const alg = resolveSignatureAlgorithm(delegated.signatureAlgorithm);
  if (!delegated.issuer.isEqual(issuer.subject) || !alg.supported || !verifyWithKey(spkiOf(issuer), alg, delegated.tbsView, delegated.signatureValue.valueBlock.valueHexView)) {
    return { ok: false, reason: 'responder not certified by the issuer' };
  }
  const eku = delegated.extensions?.find((e) => e.extnID === OID_EXT_KEY_USAGE)?.parsedValue as pkijs.ExtKeyUsage | undefined;
  if (!eku?.keyPurposes.includes(OID_KP_OCSP_SIGNING)) return { ok: false, reason: 'responder lacks id-kp-OCSPSigning' };
  const produced = basic.tbsResponseData.producedAt.getTime();
  if (produced < delegated.notBefore.value.getTime() || produced > delegated.notAfter.value.getTime()) return { ok: false, reason: 'responder certificate not valid when the response was produced' };
  const ok = signatureOk(basic, delegated);
  return ok ? { ok: true, responder: delegated } : { ok: false, reason: ok === null ? 'unsupported signature algorithm' : 'signature does not verify' };
}

export type OcspVerdict =
  | { kind: 'good'; thisUpdate: Date; responder: string; source: string; der: Uint8Array }
  | { kind: 'revoked'; revokedAt: Date; thisUpdate: Date; responder: string; source: string; der: Uint8Array }
  | { kind: 'unknown'; responder: string; source: string }
  | { kind: 'untrusted'; reason: string; source: string };

const cn = (cert: pkijs.Certificate) => {
  const v = cert.subject.typesAndValues.find((tv) => tv.type === '2.5.4.3');
  return v ? `CN=${(v.value as { valueBlock: { value: string } }).valueBlock.value}` : 'responder';
};

/**
 * What the responses say about `cert` (issued by `issuer`) at `time`: the newest authentic
 * response that speaks for that time — current then, or produced afterwards (a later "good"
 * shows the certificate was not revoked before) — and not from the future of `now`.
 */
export function ocspStatus(responses: LoadedOcsp[], cert: pkijs.Certificate, issuer: pkijs.Certificate, time: Date, now: Date): OcspVerdict | null {
  let best: OcspVerdict | null = null;
  let bestAt = -Infinity;
  let untrusted: OcspVerdict | null = null;
  for (const r of responses) {
    const single = r.basic.tbsResponseData.responses.find((s) => namesCertificate(s.certID, cert, issuer));
    if (!single) continue;
    const auth = authenticResponder(r.basic, issuer);
    if (!auth.ok) {
      untrusted ??= { kind: 'untrusted', reason: auth.reason, source: r.source };
      continue;
    }
    const thisUpdate = single.thisUpdate;
    if (thisUpdate.getTime() > now.getTime() + CLOCK_SKEW_MS) continue;
    const covers = thisUpdate.getTime() >= time.getTime() - CLOCK_SKEW_MS || (single.nextUpdate && single.nextUpdate.getTime() >= time.getTime());
    if (!covers || thisUpdate.getTime() <= bestAt) continue;
    const status = single.certStatus as asn1js.AsnType & { idBlock: { tagNumber: number }; valueBlock: { value?: asn1js.AsnType[] } };
    const tag = status.idBlock.tagNumber;
    const responder = cn(auth.responder);
    if (tag === 0) best = { kind: 'good', thisUpdate, responder, source: r.source, der: r.der };
    else if (tag === 1) {
      const when = status.valueBlock.value?.[0];
      const revokedAt = when instanceof asn1js.GeneralizedTime ? when.toDate() : thisUpdate;
      best = { kind: 'revoked', revokedAt, thisUpdate, responder, source: r.source, der: r.der };
    } else best = { kind: 'unknown', responder, source: r.source };
    bestAt = thisUpdate.getTime();
  }
  return best ?? untrusted;
}

/** Answers already fetched in this process (ingest verifies many signatures of one signer). */
const answers = new Map<string, { until: number; result: LoadedOcsp | { unavailable: string } }>();
/**
 * Responders found unavailable, by URL: an archive without network (or whose DNS does not
 * answer) must not wait a timeout for every signer of a transfer, so a responder that failed is
 * not asked again for a minute, whatever the certificate.
 */
const down = new Map<string, { until: number; reason: string }>();
const ANSWER_TTL_MS = 5 * 60_000;
const UNAVAILABLE_TTL_MS = 60_000;

/**
 * Asks the responder at `url` about `cert`. Never throws and never waits longer than the
 * timeout: a failure is `{ unavailable: reason }`.
 */
export async function fetchOcsp(cert: pkijs.Certificate, issuer: pkijs.Certificate, url: string, options: OcspOptions): Promise<LoadedOcsp | { unavailable: string }> {
  const key = `${url} ${Buffer.from(keyBits(issuer)).toString('base64')} ${serialHex(cert.serialNumber)}`;
  const cached = answers.get(key);
  if (cached && cached.until > Date.now()) return cached.result;
  const failed = down.get(url);
  if (failed && failed.until > Date.now()) return { unavailable: failed.reason };
  let result: LoadedOcsp | { unavailable: string };
  try {
    ensureEngine();
    const request = new pkijs.OCSPRequest();
    await request.createForCertificate(cert, { hashAlgorithm: 'SHA-1', issuerCertificate: issuer });
    const body = new Uint8Array(request.toSchema(true).toBER(false));
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'error',
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > MAX_RESPONSE_BYTES) throw new Error(`response of ${length} bytes`);
    const der = new Uint8Array(await response.arrayBuffer());
    if (der.length > MAX_RESPONSE_BYTES) throw new Error(`response of ${der.length} bytes`);
    const parsed = parseOcspResponse(der, `OCSP ${url}`);
    if (!parsed) throw new Error('not a successful OCSP response');
    result = parsed;
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    const reason = e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${options.timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    result = { unavailable: String(reason).slice(0, 300) };
    down.set(url, { until: Date.now() + UNAVAILABLE_TTL_MS, reason: result.unavailable });
  }
  answers.set(key, { until: Date.now() + ('unavailable' in result ? UNAVAILABLE_TTL_MS : ANSWER_TTL_MS), result });
  return result;
}

/** Forgets fetched answers (tests that restart a responder). */
export function clearOcspCache(): void {
  answers.clear();
  down.clear();
}
