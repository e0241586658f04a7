// Small helpers over asn1js/pkijs shared by signing and verification. No Node imports here:
// signing also runs in the browser.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  encryptedData: '1.2.840.113549.1.7.6',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  sha1WithRsa: '1.2.840.113549.1.1.5',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  ecdsaSha512: '1.2.840.10045.4.3.4',
  ecdsaSha1: '1.2.840.10045.4.1',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
  p521: '1.3.132.0.35',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  ekuTimeStamping: '1.3.6.1.5.5.7.3.8',
} as const;

export type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

export const HASH_BY_OID: Record<string, HashName> = {
  [OID.sha1]: 'SHA-1',
  [OID.sha256]: 'SHA-256',
  [OID.sha384]: 'SHA-384',
  [OID.sha512]: 'SHA-512',
};

export const OID_BY_HASH: Record<HashName, string> = {
  'SHA-1': OID.sha1,
  'SHA-256': OID.sha256,
  'SHA-384': OID.sha384,
  'SHA-512': OID.sha512,
};

/**
 * GOST 34.310/34.311 (Kazakhstan, NCA RK) and GOST R 34.10/34.11 (Russia) arcs. Neither
 * Node nor browsers implement them, so such signatures are "cannot verify", never "invalid".
 */
const GOST_ARCS = ['1.2.398.3.10.1.', '1.2.643.2.2.', '1.2.643.7.1.', '1.2.398.3.10.1'];

export function isGostOid(oid: string): boolean {
  return GOST_ARCS.some((arc) => oid === arc || oid.startsWith(arc));
}

const NAME_LABELS: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.42': 'G',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'T',
  '1.2.840.113549.1.9.1': 'E',
  '0.9.2342.19200300.100.1.25': 'DC',
};

export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return Array.from(view, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function bytesEqual(a: ArrayBuffer | Uint8Array, b: ArrayBuffer | Uint8Array): boolean {
  const x = a instanceof Uint8Array ? a : new Uint8Array(a);
  const y = b instanceof Uint8Array ? b : new Uint8Array(b);
  if (x.length !== y.length) return false;
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}

function attributeValueText(value: unknown): string {
  const v = value as { valueBlock?: { value?: unknown; valueHexView?: Uint8Array } };
  if (v && v.valueBlock && typeof v.valueBlock.value === 'string') return v.valueBlock.value;
  if (v && v.valueBlock && v.valueBlock.valueHexView) return '#' + toHex(v.valueBlock.valueHexView);
  return String(value);
}

/** Attributes of a name in certificate order, as [label, value] pairs. */
export function nameAttributes(name: pkijs.RelativeDistinguishedNames): [string, string][] {
  return name.typesAndValues.map((tv) => [NAME_LABELS[tv.type] ?? tv.type, attributeValueText(tv.value)]);
}

/** RFC 4514 order (most specific first), readable for people: "CN=…, O=…, C=KZ". */
export function formatName(name: pkijs.RelativeDistinguishedNames): string {
  return nameAttributes(name)
    .reverse()
    .map(([k, v]) => `${k}=${v.replace(/([,+"\\<>;])/g, '\\$1')}`)
    .join(', ');
}

export function sameName(a: pkijs.RelativeDistinguishedNames, b: pkijs.RelativeDistinguishedNames): boolean {
  // pkijs compares normalised string values (case- and space-insensitive as RFC 5280 asks).
  return a.isEqual(b);
}

/** Kazakhstan identifiers carried in NCA RK certificates: IIN in serialNumber, BIN in OU. */
export function kazakhIdentifiers(name: pkijs.RelativeDistinguishedNames): { iin?: string; bin?: string } {
  const result: { iin?: string; bin?: string } = {};
  for (const [label, value] of nameAttributes(name)) {
    const iin = label === 'SERIALNUMBER' ? /^IIN(\d{12})$/i.exec(value.trim()) : null;
    if (iin && !result.iin) result.iin = iin[1];
    const bin = label === 'OU' ? /^BIN(\d{12})$/i.exec(value.trim()) : null;
    if (bin && !result.bin) result.bin = bin[1];
  }
  return result;
}

export function parseDer(bytes: Uint8Array | ArrayBuffer, what: string): asn1js.AsnType {
  const buffer = bytes instanceof Uint8Array ? toArrayBuffer(bytes) : bytes;
  const parsed = asn1js.fromBER(buffer);
  if (parsed.offset === -1) throw new Error(`${what}: not valid DER/BER (${parsed.result.error})`);
  return parsed.result;
}

function decodeBase64(text: string): Uint8Array | null {
  const clean = text.replace(/\s+/g, '');
  if (!clean || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(clean)) return null;
  const normal = clean.replace(/-/g, '+').replace(/_/g, '/');
  let binary: string;
  try {
    binary = atob(normal.padEnd(Math.ceil(normal.length / 4) * 4, '='));
  } catch {
    return null;
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * Accepts DER, PEM (any label) or bare base64 and returns DER blocks. Signature files come
 * from many tools (NCALayer writes base64, openssl PEM, most others DER).
 */
export function decodeDerOrPem(bytes: Uint8Array): Uint8Array[] {
  if (bytes.length > 0 && bytes[0] === 0x30) return [bytes];
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const blocks: Uint8Array[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const der = decodeBase64(m[2]!);
    if (der) blocks.push(der);
  }
  if (blocks.length) return blocks;
  const der = decodeBase64(text);
  return der && der[0] === 0x30 ? [der] : [];
}

export function asn1Time(date: Date): asn1js.UTCTime | asn1js.GeneralizedTime {
  // RFC 5280/5652: UTCTime up to 2049, GeneralizedTime after.
  return date.getUTCFullYear() < 2050 ? new asn1js.UTCTime({ valueDate: date }) : new asn1js.GeneralizedTime({ valueDate: date });
}

export function isoTime(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}

export async function digest(hash: HashName, data: Uint8Array | ArrayBuffer): Promise<Uint8Array> {
  const input = data instanceof Uint8Array ? toArrayBuffer(data) : data;
  return new Uint8Array(await globalThis.crypto.subtle.digest(hash, input));
}

let engineSet = false;

/** pkijs on the platform WebCrypto (Node 20 and browsers both have globalThis.crypto). */
export function ensureEngine(): void {
  if (engineSet) return;
  pkijs.setEngine('muragat', new pkijs.CryptoEngine({ name: 'muragat', crypto: globalThis.crypto }));
  engineSet = true;
}
