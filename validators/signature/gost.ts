// GOST signatures: Kazakhstan's GOST 34.310-2004 and GOST 34.10-2015 (NCA RK, arc 1.2.398.3.10)
// and Russia's GOST R 34.10-2001 / 34.10-2012 (arcs 1.2.643.2.2 and 1.2.643.7.1). The curve
// arithmetic is @noble/curves' (audited); the hashes (Streebog = GOST R 34.11-2012, and
// GOST R 34.11-94 = GOST 34.311-95) are node-gost-crypto's. No library knows the NCA RK OIDs,
// so they are mapped here. No Node built-ins: signing with a GOST key also runs in the browser.
//
// Conventions, established on the NCA RK test files (../shared/fixtures/nca-rk/README.md):
// public key = OCTET STRING x||y, each little-endian; the digest is read as a little-endian
// integer; an NCA RK signature is r||s little-endian (the byte reverse of s||r big-endian),
// a Russian one (RFC 4491 §2.2.2, RFC 7091) is s||r big-endian.
import './gost-global';
import { weierstrass, type WeierstrassPoint, type WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';
import * as asn1js from 'asn1js';
import GostDigest from 'node-gost-crypto/lib/gostDigest.js';

export type GostDigestName = 'GOST R 34.11-2012 (256)' | 'GOST R 34.11-2012 (512)' | 'GOST 34.311-95' | 'GOST R 34.11-94 (CryptoPro)';

/** Digest algorithm OIDs (CMS digestAlgorithm, SPKI digest parameters). */
export const GOST_DIGEST_BY_OID: Record<string, GostDigestName> = {
  '1.2.398.3.10.1.3.3': 'GOST R 34.11-2012 (512)', // NCA RK, 34.11-2015 = Streebog-512
  '1.2.398.3.10.1.3.1': 'GOST 34.311-95', // NCA RK, GOST R 34.11-94 with the standard's test S-box
  '1.2.643.7.1.1.2.2': 'GOST R 34.11-2012 (256)',
  '1.2.643.7.1.1.2.3': 'GOST R 34.11-2012 (512)',
  '1.2.643.2.2.9': 'GOST R 34.11-94 (CryptoPro)',
};

export const GOST_DIGEST_OID: Record<GostDigestName, string> = {
  'GOST R 34.11-2012 (512)': '1.2.398.3.10.1.3.3',
  'GOST 34.311-95': '1.2.398.3.10.1.3.1',
  'GOST R 34.11-2012 (256)': '1.2.643.7.1.1.2.2',
  'GOST R 34.11-94 (CryptoPro)': '1.2.643.2.2.9',
};

const DIGEST_ALGORITHM: Record<GostDigestName, ConstructorParameters<typeof GostDigest>[0]> = {
  'GOST R 34.11-2012 (256)': { name: 'GOST R 34.11', version: 2012, length: 256 },
  'GOST R 34.11-2012 (512)': { name: 'GOST R 34.11', version: 2012, length: 512 },
  'GOST 34.311-95': { name: 'GOST R 34.11', version: 1994, sBox: 'D-TEST' },
  'GOST R 34.11-94 (CryptoPro)': { name: 'GOST R 34.11', version: 1994, sBox: 'D-A' },
};

const digesters = new Map<GostDigestName, GostDigest>();

/** One-shot GOST digest (the library has no incremental interface). */
export function gostDigest(name: GostDigestName, data: Uint8Array): Uint8Array {
  let digester = digesters.get(name);
  if (!digester) digesters.set(name, (digester = new GostDigest(DIGEST_ALGORITHM[name])));
  return new Uint8Array(digester.digest(data));
}

interface CurveParams {
  name: string;
  p: bigint;
  a: bigint;
  b: bigint;
  n: bigint;
  Gx: bigint;
  Gy: bigint;
}

// RFC 4357 §11.4 (CryptoPro) and RFC 7836 / TC26 (512-bit) parameter sets.
const CRYPTOPRO_A: CurveParams = {
  name: 'CryptoPro-A (256)',
  p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd97n,
  a: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd94n,
  b: 166n,
  n: 0xffffffffffffffffffffffffffffffff6c611070995ad10045841b09b761b893n,
  Gx: 1n,
  Gy: 0x8d91e471e0989cda27df505a453f2b7635294f2ddf23e3b122acc99c9e9f1e14n,
};
const CRYPTOPRO_B: CurveParams = {
  name: 'CryptoPro-B (256)',
  p: 0x8000000000000000000000000000000000000000000000000000000000000c99n,
  a: 0x8000000000000000000000000000000000000000000000000000000000000c96n,
  b: 0x3e1af419a269a5f866a7d3c25c3df80ae979259373ff2b182f49d4ce7e1bbc8bn,
  n: 0x800000000000000000000000000000015f700cfff1a624e5e497161bcc8a198fn,
  Gx: 1n,
  Gy: 0x3fa8124359f96680b83d1c3eb2c070e5c545c9858d03ecfb744bf8d717717efcn,
};
const CRYPTOPRO_C: CurveParams = {
  name: 'CryptoPro-C (256)',
  p: 0x9b9f605f5a858107ab1ec85e6b41c8aacf846e86789051d37998f7b9022d759bn,
  a: 0x9b9f605f5a858107ab1ec85e6b41c8aacf846e86789051d37998f7b9022d7598n,
  b: 32858n,
  n: 0x9b9f605f5a858107ab1ec85e6b41c8aa582ca3511eddfb74f02f3a6598980bb9n,
  Gx: 0n,
  Gy: 0x41ece55743711a8c3cbf3783cd08c0ee4d4dc440d4641a8f366e550dfdb3bb67n,
};
const TC26_512_A: CurveParams = {
  name: 'TC26 512 paramSetA',
  p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffdc7n,
  a: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffdc4n,
  b: 0xe8c2505dedfc86ddc1bd0b2b6667f1da34b82574761cb0e879bd081cfd0b6265ee3cb090f30d27614cb4574010da90dd862ef9d4ebee4761503190785a71c760n,
  n: 0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff27e69532f48d89116ff22b8d4e0560609b4b38abfad2b85dcacdb1411f10b275n,
  Gx: 3n,
  Gy: 0x7503cfe87a836ae3a61b8816e25450e6ce5e1c93acf1abc1778064fdcbefa921df1626be4fd036e93d75e6a50e3a41e98028fe5fc235f5b889a589cb5215f2a4n,
};
const TC26_512_B: CurveParams = {
  name: 'TC26 512 paramSetB',
  p: 0x8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006fn,
  a: 0x8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006cn,
  b: 0x687d1b459dc841457e3e06cf6f5e2517b97c7d614af138bcbf85dc806c4b289f3e965d2db1416d217f8b276fad1ab69c50f78bee1fa3106efb8ccbc7c5140116n,
  n: 0x800000000000000000000000000000000000000000000000000000000000000149a1ec142565a545acfdb77bd9d40cfa8b996712101bea0ec6346c54374f25bdn,
  Gx: 2n,
  Gy: 0x1a8f7eda389b094c2c071e3647a8940f3c123b697578c213be6dd9e6c8ec7335dcb228fd1edf4a39152cbcaaf8c0398828041055f94ceeec7e21340780fe41bdn,
};

/** Public key parameter sets by OID. Twisted Edwards sets (TC26 256-A, 512-C) are not mapped: "cannot verify". */
const CURVE_BY_OID: Record<string, CurveParams> = {
  '1.2.398.3.10.1.1.2.2.1': TC26_512_A, // NCA RK GOST 34.10-2015 512
  '1.2.398.3.10.1.1.1.1.1': CRYPTOPRO_A, // NCA RK GOST 34.310-2004
  '1.2.643.2.2.35.1': CRYPTOPRO_A,
  '1.2.643.2.2.35.2': CRYPTOPRO_B,
  '1.2.643.2.2.35.3': CRYPTOPRO_C,
  '1.2.643.2.2.36.0': CRYPTOPRO_A, // XchA
  '1.2.643.2.2.36.1': CRYPTOPRO_C, // XchB
  '1.2.643.7.1.2.1.1.2': CRYPTOPRO_A, // tc26 256 paramSetB
  '1.2.643.7.1.2.1.1.3': CRYPTOPRO_B, // paramSetC
  '1.2.643.7.1.2.1.1.4': CRYPTOPRO_C, // paramSetD
  '1.2.643.7.1.2.1.2.1': TC26_512_A,
  '1.2.643.7.1.2.1.2.2': TC26_512_B,
};

/** Byte layout of the signature value: NCA RK reverses the RFC 4491 s||r big-endian form. */
type Layout = 'nca' | 'rfc4491';

/** Subject public key algorithms. */
export const GOST_KEY_ALGORITHMS: Record<string, { label: string; layout: Layout }> = {
  '1.2.398.3.10.1.1.2.2': { label: 'GOST 34.10-2015 (512)', layout: 'nca' },
  '1.2.398.3.10.1.1.1.1': { label: 'GOST 34.310-2004', layout: 'nca' },
  '1.2.643.2.2.19': { label: 'GOST R 34.10-2001', layout: 'rfc4491' },
  '1.2.643.7.1.1.1.1': { label: 'GOST R 34.10-2012 (256)', layout: 'rfc4491' },
  '1.2.643.7.1.1.1.2': { label: 'GOST R 34.10-2012 (512)', layout: 'rfc4491' },
};

/** Signature algorithms (certificates, CRLs, CMS signerInfo). */
export const GOST_SIGNATURE_ALGORITHMS: Record<string, { label: string; digest: GostDigestName; layout: Layout }> = {
  '1.2.398.3.10.1.1.2.3.2': { label: 'GOST 34.10-2015 (512) with GOST 34.11-2015 (512)', digest: 'GOST R 34.11-2012 (512)', layout: 'nca' },
  '1.2.398.3.10.1.1.1.2': { label: 'GOST 34.310-2004 with GOST 34.311-95', digest: 'GOST 34.311-95', layout: 'nca' },
  '1.2.643.2.2.3': { label: 'GOST R 34.10-2001 with GOST R 34.11-94', digest: 'GOST R 34.11-94 (CryptoPro)', layout: 'rfc4491' },
  '1.2.643.7.1.1.3.2': { label: 'GOST R 34.10-2012 (256) with GOST R 34.11-2012 (256)', digest: 'GOST R 34.11-2012 (256)', layout: 'rfc4491' },
  '1.2.643.7.1.1.3.3': { label: 'GOST R 34.10-2012 (512) with GOST R 34.11-2012 (512)', digest: 'GOST R 34.11-2012 (512)', layout: 'rfc4491' },
};

export const NCA_GOST_2015_SIGNATURE_OID = '1.2.398.3.10.1.1.2.3.2';

export interface GostSignatureAlgorithm {
  label: string;
  digest: GostDigestName;
  layout: Layout;
}

/**
 * The GOST algorithm a signature uses, or undefined. CMS producers often name only the key
 * algorithm in signerInfo.signatureAlgorithm; the digest algorithm then completes it.
 */
export function gostSignatureAlgorithm(oid: string, digestOid?: string): GostSignatureAlgorithm | undefined {
  const named = GOST_SIGNATURE_ALGORITHMS[oid];
  if (named) return named;
  const key = GOST_KEY_ALGORITHMS[oid];
  const digest = digestOid ? GOST_DIGEST_BY_OID[digestOid] : undefined;
  if (key && digest) return { label: `${key.label} with ${digest}`, digest, layout: key.layout };
  return undefined;
}

const points = new Map<CurveParams, WeierstrassPointCons<bigint>>();

function pointClass(curve: CurveParams): WeierstrassPointCons<bigint> {
  let Point = points.get(curve);
  if (!Point) points.set(curve, (Point = weierstrass({ p: curve.p, n: curve.n, h: 1n, a: curve.a, b: curve.b, Gx: curve.Gx, Gy: curve.Gy })));
  return Point;
}

function littleEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  return value;
}

function bigEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}

function toBigEndian(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--, value >>= 8n) out[i] = Number(value & 0xffn);
  return out;
}

function coordinateLength(curve: CurveParams): number {
  return curve.p > 1n << 256n ? 64 : 32;
}

export interface GostPublicKey {
  algorithm: string;
  label: string;
  curve: CurveParams;
  point: WeierstrassPoint<bigint>;
}

/** Why a key cannot be used: 'not-gost' (another algorithm), 'unknown-curve', 'malformed'. */
export type GostKeyProblem = 'not-gost' | 'unknown-curve' | 'malformed';

function paramOids(params: unknown): string[] {
  if (!(params instanceof asn1js.Sequence)) return [];
  return params.valueBlock.value.filter((v): v is asn1js.ObjectIdentifier => v instanceof asn1js.ObjectIdentifier).map((v) => v.valueBlock.toString());
}

/** The curve named by GOST key parameters SEQUENCE { publicKeyParamSet, digestParamSet?, … }. */
export function gostCurveOf(params: unknown): CurveParams | undefined {
  const oid = paramOids(params)[0];
  return oid ? CURVE_BY_OID[oid] : undefined;
}

/** Reads a GOST public key from SubjectPublicKeyInfo DER; checks the point is on the curve. */
export function readGostPublicKey(spkiDer: Uint8Array): GostPublicKey | GostKeyProblem {
  const parsed = asn1js.fromBER(spkiDer.slice().buffer);
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) return 'malformed';
  const [algId, bits] = parsed.result.valueBlock.value;
  if (!(algId instanceof asn1js.Sequence) || !(bits instanceof asn1js.BitString)) return 'malformed';
  const [oidNode, params] = algId.valueBlock.value;
  if (!(oidNode instanceof asn1js.ObjectIdentifier)) return 'malformed';
  const algorithm = oidNode.valueBlock.toString();
  const key = GOST_KEY_ALGORITHMS[algorithm];
  if (!key) return 'not-gost';
  const curve = gostCurveOf(params);
  if (!curve) return 'unknown-curve';
  const inner = asn1js.fromBER(bits.valueBlock.valueHexView.slice().buffer);
  if (inner.offset === -1 || !(inner.result instanceof asn1js.OctetString)) return 'malformed';
  const xy = inner.result.valueBlock.valueHexView;
  const length = coordinateLength(curve);
  if (xy.length !== 2 * length) return 'malformed';
  try {
    const point = pointClass(curve).fromAffine({ x: littleEndian(xy.subarray(0, length)), y: littleEndian(xy.subarray(length)) });
    point.assertValidity();
    return { algorithm, label: key.label, curve, point };
  } catch {
    return 'malformed';
  }
}

/** e of GOST R 34.10 step 2: the digest as a little-endian integer mod n, and 1 instead of 0. */
function digestScalar(curve: CurveParams, digest: Uint8Array): bigint {
  const e = littleEndian(digest) % curve.n;
  return e === 0n ? 1n : e;
}

/** true/false: the signature does/does not verify (any malformed input is false). */
export function verifyGost(key: GostPublicKey, algorithm: GostSignatureAlgorithm, data: Uint8Array, signature: Uint8Array): boolean {
  const { curve } = key;
  const length = coordinateLength(curve);
  if (signature.length !== 2 * length) return false;
  // NCA RK: r||s little-endian; reversed it is s||r big-endian, the RFC 4491 form.
  const sr = algorithm.layout === 'nca' ? signature.slice().reverse() : signature;
  const s = bigEndian(sr.subarray(0, length));
  const r = bigEndian(sr.subarray(length));
  if (r <= 0n || r >= curve.n || s <= 0n || s >= curve.n) return false;
  const Point = pointClass(curve);
  const Fn = Point.Fn;
  const v = Fn.inv(digestScalar(curve, gostDigest(algorithm.digest, data)));
  const z1 = Fn.mul(s, v);
  const z2 = Fn.neg(Fn.mul(r, v));
  const C = Point.BASE.multiplyUnsafe(z1).add(key.point.multiplyUnsafe(z2));
  if (C.is0()) return false;
  return C.toAffine().x % curve.n === r;
}

export interface GostPrivateKey {
  /** Key algorithm OID and its parameters, as in the certificate. */
  algorithm: string;
  curve: CurveParams;
  d: bigint;
}

/**
 * Reads a GOST PKCS#8 PrivateKeyInfo: privateKey is an OCTET STRING holding the scalar as an
 * OCTET STRING or INTEGER, little-endian for the octets (NCA RK and CryptoPro export form).
 */
export function readGostPrivateKey(privateKeyAlgorithm: string, params: unknown, privateKey: Uint8Array): GostPrivateKey | GostKeyProblem {
  if (!GOST_KEY_ALGORITHMS[privateKeyAlgorithm]) return 'not-gost';
  const curve = gostCurveOf(params);
  if (!curve) return 'unknown-curve';
  let d: bigint;
  const inner = asn1js.fromBER(privateKey.slice().buffer);
  if (inner.offset !== -1 && inner.result instanceof asn1js.OctetString) d = littleEndian(inner.result.valueBlock.valueHexView);
  else if (inner.offset !== -1 && inner.result instanceof asn1js.Integer) d = bigEndian(inner.result.valueBlock.valueHexView);
  else d = littleEndian(privateKey);
  d %= curve.n;
  if (d === 0n) return 'malformed';
  return { algorithm: privateKeyAlgorithm, curve, d };
}

/** The public point of a private key, to match it with its certificate. */
export function gostPublicPointMatches(key: GostPrivateKey, publicKey: GostPublicKey): boolean {
  return key.curve === publicKey.curve && pointClass(key.curve).BASE.multiply(key.d).equals(publicKey.point);
}

function randomScalar(n: bigint, length: number): bigint {
  // 16 extra bytes make the bias of the reduction negligible (FIPS 186-5 A.2.1).
  const bytes = new Uint8Array(length + 16);
  globalThis.crypto.getRandomValues(bytes);
  return (bigEndian(bytes) % (n - 1n)) + 1n;
}

/** GOST R 34.10 signature (§6.1) of data with the key, in the layout of the algorithm. */
export function signGost(key: GostPrivateKey, algorithm: GostSignatureAlgorithm, data: Uint8Array): Uint8Array {
  const { curve, d } = key;
  const length = coordinateLength(curve);
  const Point = pointClass(curve);
  const Fn = Point.Fn;
  const e = digestScalar(curve, gostDigest(algorithm.digest, data));
  for (;;) {
    const k = randomScalar(curve.n, length);
    const r = Point.BASE.multiply(k).toAffine().x % curve.n;
    if (r === 0n) continue;
    const s = Fn.add(Fn.mul(r, d), Fn.mul(k, e));
    if (s === 0n) continue;
    const sr = new Uint8Array(2 * length);
    sr.set(toBigEndian(s, length), 0);
    sr.set(toBigEndian(r, length), length);
    return algorithm.layout === 'nca' ? sr.reverse() : sr;
  }
}
