// PKCS#12 (.p12/.pfx) reader for signing: password-integrity MAC, PBES2 (PBKDF2 + AES-CBC, the
// `openssl pkcs12 -export` default since OpenSSL 3) and legacy PKCS#12 PBE with 3DES or RC2. Written
// over asn1js and WebCrypto only, so it runs in the browser as well as in Node.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ValidationError } from '../../common/errors';
import { OID, HASH_BY_OID, type HashName, bytesEqual, ensureEngine, parseDer, toArrayBuffer } from './asn1-util';
import { tripleDesCbcDecrypt } from './des';
import { gostPublicPointMatches, readGostPrivateKey, readGostPublicKey } from './gost';
import { rc2CbcDecrypt } from './rc2';

export interface Pkcs12Contents {
  /** PKCS#8 PrivateKeyInfo DER of the signing key. */
  privateKeyInfo: Uint8Array;
  /** The certificate of that key. */
  certificate: pkijs.Certificate;
  /** Other certificates in the file (usually the issuing chain). */
  chain: pkijs.Certificate[];
}

const BAG = {
  key: '1.2.840.113549.1.12.10.1.1',
  shroudedKey: '1.2.840.113549.1.12.10.1.2',
  cert: '1.2.840.113549.1.12.10.1.3',
  x509: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
};
const PBE = {
  sha1TripleDes: '1.2.840.113549.1.12.1.3',
  sha1TwoKeyTripleDes: '1.2.840.113549.1.12.1.4',
  sha1Rc2_128: '1.2.840.113549.1.12.1.5',
  sha1Rc2_40: '1.2.840.113549.1.12.1.6',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
};
const PRF: Record<string, HashName> = {
  '1.2.840.113549.2.7': 'SHA-1',
  '1.2.840.113549.2.9': 'SHA-256',
  '1.2.840.113549.2.10': 'SHA-384',
  '1.2.840.113549.2.11': 'SHA-512',
};
const CIPHER: Record<string, { name: 'AES-CBC' | '3DES'; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { name: 'AES-CBC', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'AES-CBC', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'AES-CBC', keyLength: 32 },
  '1.2.840.113549.3.7': { name: '3DES', keyLength: 24 },
};

function bad(reason: string): ValidationError {
  return new ValidationError('signature.pkcs12_unreadable', 'signature.pkcs12_unreadable', { reason });
}

function children(node: asn1js.AsnType | undefined, what: string): asn1js.AsnType[] {
  const value = (node as { valueBlock?: { value?: unknown } } | undefined)?.valueBlock?.value;
  if (!Array.isArray(value)) throw bad(`${what}: expected a constructed value`);
  return value as asn1js.AsnType[];
}

function oidOf(node: asn1js.AsnType | undefined, what: string): string {
  if (!(node instanceof asn1js.ObjectIdentifier)) throw bad(`${what}: expected an object identifier`);
  return node.valueBlock.toString();
}

/** Bytes of an OCTET STRING or [n] IMPLICIT OCTET STRING, primitive or BER-constructed. */
function octets(node: asn1js.AsnType | undefined, what: string): Uint8Array {
  if (!node) throw bad(`${what}: missing`);
  const block = (node as { valueBlock: { valueHexView?: Uint8Array; value?: unknown } }).valueBlock;
  if (node.idBlock.isConstructed) {
    const parts = children(node, what).map((c) => octets(c, what));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) (out.set(p, off), (off += p.length));
    return out;
  }
  if (!block.valueHexView) throw bad(`${what}: expected an octet string`);
  return new Uint8Array(block.valueHexView);
}

function integer(node: asn1js.AsnType | undefined, fallback: number): number {
  return node instanceof asn1js.Integer ? node.valueBlock.valueDec : fallback;
}

/** RFC 7292 B.1: password as BMPString with two trailing zero bytes. */
function bmpPassword(password: string): Uint8Array {
  const out = new Uint8Array((password.length + 1) * 2);
  for (let i = 0; i < password.length; i++) {
    const c = password.charCodeAt(i);
    out[i * 2] = c >> 8;
    out[i * 2 + 1] = c & 0xff;
  }
  return out;
}

const BLOCK_SIZE: Record<HashName, number> = { 'SHA-1': 64, 'SHA-256': 64, 'SHA-384': 128, 'SHA-512': 128 };

/** RFC 7292 Appendix B.2 key derivation (id 1 key, 2 IV, 3 MAC key). */
async function pkcs12Kdf(hash: HashName, password: Uint8Array, salt: Uint8Array, id: number, iterations: number, n: number): Promise<Uint8Array> {
  const v = BLOCK_SIZE[hash];
  const repeat = (src: Uint8Array): Uint8Array => {
    const len = src.length ? v * Math.ceil(src.length / v) : 0;
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const I = new Uint8Array([...repeat(salt), ...repeat(password)]);
  const D = new Uint8Array(v).fill(id);
  const result: number[] = [];
  while (result.length < n) {
    let A = new Uint8Array(await crypto.subtle.digest(hash, new Uint8Array([...D, ...I])));
    for (let r = 1; r < iterations; r++) A = new Uint8Array(await crypto.subtle.digest(hash, A));
    result.push(...A);
    if (result.length >= n) break;
    const B = new Uint8Array(v);
    for (let i = 0; i < v; i++) B[i] = A[i % A.length]!;
    // I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block of I.
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return new Uint8Array(result.slice(0, n));
}

async function decrypt(algorithm: asn1js.AsnType | undefined, data: Uint8Array, password: string): Promise<Uint8Array> {
  const [oidNode, params] = children(algorithm, 'encryption algorithm');
  const oid = oidOf(oidNode, 'encryption algorithm');
  if (oid === PBE.sha1TripleDes || oid === PBE.sha1TwoKeyTripleDes) {
    const [saltNode, iterNode] = children(params, 'PBE parameters');
    const salt = octets(saltNode, 'PBE salt');
    const iterations = integer(iterNode, 1);
    const pw = bmpPassword(password);
    const keyLength = oid === PBE.sha1TripleDes ? 24 : 16;
    const key = await pkcs12Kdf('SHA-1', pw, salt, 1, iterations, keyLength);
    const iv = await pkcs12Kdf('SHA-1', pw, salt, 2, iterations, 8);
    return tripleDesCbcDecrypt(key, iv, data);
  }
  if (oid === PBE.pbes2) {
    const [kdf, scheme] = children(params, 'PBES2 parameters');
    const [kdfOid, kdfParams] = children(kdf, 'PBES2 key derivation');
    if (oidOf(kdfOid, 'PBES2 key derivation') !== PBE.pbkdf2) throw bad('PBES2: only PBKDF2 is supported');
    const kp = children(kdfParams, 'PBKDF2 parameters');
    const salt = octets(kp[0], 'PBKDF2 salt');
    const iterations = integer(kp[1], 1);
    let prf: HashName = 'SHA-1';
    for (const extra of kp.slice(2)) {
      if (extra instanceof asn1js.Sequence) {
        const prfOid = oidOf(children(extra, 'PBKDF2 prf')[0], 'PBKDF2 prf');
        const found = PRF[prfOid];
        if (!found) throw bad(`PBKDF2: unsupported pseudo-random function ${prfOid}`);
        prf = found;
      }
    }
    const [cipherOid, ivNode] = children(scheme, 'PBES2 encryption scheme');
    const cipherId = oidOf(cipherOid, 'PBES2 encryption scheme');
    const cipher = CIPHER[cipherId];
    if (!cipher) throw bad(`PBES2: unsupported cipher ${cipherId}`);
    const iv = octets(ivNode, 'PBES2 IV');
    const baseKey = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
    const keyBits = await crypto.subtle.deriveBits(
      { name: 'PBKDF2', hash: prf, salt: toArrayBuffer(salt), iterations },
      baseKey,
      cipher.keyLength * 8,
    );
    if (cipher.name === '3DES') return tripleDesCbcDecrypt(new Uint8Array(keyBits), iv, data);
    const key = await crypto.subtle.importKey('raw', keyBits, 'AES-CBC', false, ['decrypt']);
    try {
      return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-CBC', iv: toArrayBuffer(iv) }, key, toArrayBuffer(data)));
    } catch {
      throw new ValidationError('signature.pkcs12_bad_password', 'signature.pkcs12_bad_password');
    }
  }
  if (oid === PBE.sha1Rc2_40 || oid === PBE.sha1Rc2_128) {
    const [saltNode, iterNode] = children(params, 'PBE parameters');
    const salt = octets(saltNode, 'PBE salt');
    const iterations = integer(iterNode, 1);
    const pw = bmpPassword(password);
    const bits = oid === PBE.sha1Rc2_40 ? 40 : 128;
    const key = await pkcs12Kdf('SHA-1', pw, salt, 1, iterations, bits / 8);
    const iv = await pkcs12Kdf('SHA-1', pw, salt, 2, iterations, 8);
    return rc2CbcDecrypt(key, bits, iv, data);
  }
  throw bad(`unsupported encryption algorithm ${oid}`);
}

async function checkMac(macData: asn1js.AsnType, authSafe: Uint8Array, password: string): Promise<void> {
  const [digestInfo, saltNode, iterNode] = children(macData, 'MAC data');
  const [alg, macNode] = children(digestInfo, 'MAC');
  const hashOid = oidOf(children(alg, 'MAC algorithm')[0], 'MAC algorithm');
  const hash = HASH_BY_OID[hashOid];
  if (!hash) throw bad(`unsupported MAC digest ${hashOid}`);
  const size = { 'SHA-1': 20, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 }[hash];
  const keyBytes = await pkcs12Kdf(hash, bmpPassword(password), octets(saltNode, 'MAC salt'), 3, integer(iterNode, 1), size);
  const key = await crypto.subtle.importKey('raw', toArrayBuffer(keyBytes), { name: 'HMAC', hash }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, toArrayBuffer(authSafe));
  if (!bytesEqual(mac, octets(macNode, 'MAC value'))) {
    throw new ValidationError('signature.pkcs12_bad_password', 'signature.pkcs12_bad_password');
  }
}

interface Bag {
  kind: 'key' | 'cert';
  der: Uint8Array;
  localKeyId?: Uint8Array;
}

async function readSafeContents(der: Uint8Array, password: string, bags: Bag[]): Promise<void> {
  for (const bag of children(parseDer(der, 'SafeContents'), 'SafeContents')) {
    const [idNode, valueWrap, attrs] = children(bag, 'SafeBag');
    const id = oidOf(idNode, 'SafeBag');
    const value = children(valueWrap, 'SafeBag value')[0];
    let localKeyId: Uint8Array | undefined;
    if (attrs instanceof asn1js.Set) {
      for (const attr of children(attrs, 'bag attributes')) {
        const [type, values] = children(attr, 'bag attribute');
        if (oidOf(type, 'bag attribute') === BAG.localKeyId) localKeyId = octets(children(values, 'localKeyId')[0], 'localKeyId');
      }
    }
    if (id === BAG.key && value) {
      bags.push({ kind: 'key', der: new Uint8Array(value.toBER(false)), localKeyId });
    } else if (id === BAG.shroudedKey) {
      const [alg, enc] = children(value, 'EncryptedPrivateKeyInfo');
      bags.push({ kind: 'key', der: await decrypt(alg, octets(enc, 'encrypted key'), password), localKeyId });
    } else if (id === BAG.cert) {
      const [certType, certWrap] = children(value, 'CertBag');
      if (oidOf(certType, 'CertBag') !== BAG.x509) continue; // SDSI certificates are not used for signing
      bags.push({ kind: 'cert', der: octets(children(certWrap, 'CertBag value')[0], 'certificate'), localKeyId });
    }
    // CRL and secret bags carry nothing needed for signing.
  }
}

async function publicJwk(key: CryptoKey): Promise<string> {
  const jwk = await crypto.subtle.exportKey('jwk', key);
  return JSON.stringify([jwk.n, jwk.e, jwk.x, jwk.y]);
}

/** Reads a PKCS#12 file. Throws ValidationError on a wrong password or an unreadable file. */
export async function loadPkcs12(pkcs12: Uint8Array, password: string): Promise<Pkcs12Contents> {
  ensureEngine();
  let pfx: asn1js.AsnType[];
  try {
    pfx = children(parseDer(pkcs12, 'PKCS#12'), 'PFX');
  } catch (error) {
    throw error instanceof ValidationError ? error : bad((error as Error).message);
  }
  const [, authSafeInfo, macData] = pfx;
  const [typeNode, contentWrap] = children(authSafeInfo, 'authSafe');
  if (oidOf(typeNode, 'authSafe') !== OID.data) throw bad('public-key integrity mode is not supported');
  const authSafe = octets(children(contentWrap, 'authSafe content')[0], 'authSafe content');
  if (macData) await checkMac(macData, authSafe, password);

  const bags: Bag[] = [];
  for (const info of children(parseDer(authSafe, 'AuthenticatedSafe'), 'AuthenticatedSafe')) {
    const [ctNode, wrap] = children(info, 'ContentInfo');
    const ct = oidOf(ctNode, 'ContentInfo');
    const inner = children(wrap, 'ContentInfo content')[0];
    if (ct === OID.data) {
      await readSafeContents(octets(inner, 'SafeContents'), password, bags);
    } else if (ct === OID.encryptedData) {
      const [, eci] = children(inner, 'EncryptedData');
      const [, alg, encrypted] = children(eci, 'EncryptedContentInfo');
      await readSafeContents(await decrypt(alg, octets(encrypted, 'encrypted content'), password), password, bags);
    } else {
      throw bad(`unsupported AuthenticatedSafe content ${ct}`);
    }
  }

  const keys = bags.filter((b) => b.kind === 'key');
  const certBags = bags.filter((b) => b.kind === 'cert');
  if (keys.length === 0) throw bad('no private key in the file');
  if (certBags.length === 0) throw bad('no certificate in the file');
  const key = keys[0]!;
  const certs = certBags.map((b) => ({ bag: b, cert: pkijs.Certificate.fromBER(toArrayBuffer(b.der)) }));

  let mine = key.localKeyId ? certs.find((c) => c.bag.localKeyId && bytesEqual(c.bag.localKeyId, key.localKeyId!)) : undefined;
  const keyInfo = pkijs.PrivateKeyInfo.fromBER(toArrayBuffer(key.der));
  const gostKey = readGostPrivateKey(keyInfo.privateKeyAlgorithm.algorithmId, keyInfo.privateKeyAlgorithm.algorithmParams,
    new Uint8Array(keyInfo.privateKey.valueBlock.valueHexView));
  if (!mine && typeof gostKey !== 'string') {
    // GOST keys are not WebCrypto keys: compare public points on the curve instead.
    mine = certs.find((c) => {
      const pub = readGostPublicKey(new Uint8Array(c.cert.subjectPublicKeyInfo.toSchema().toBER(false)));
      return typeof pub !== 'string' && gostPublicPointMatches(gostKey, pub);
    });
  } else if (!mine) {
    // No localKeyId: match the certificate's public key against the private key's.
    const privateKey = await importPrivateKey(key.der, true);
    const pub = await publicJwk(privateKey.key);
    for (const c of certs) {
      const spki = await crypto.subtle.importKey('spki', c.cert.subjectPublicKeyInfo.toSchema().toBER(false),
        privateKey.importAlgorithm, true, ['verify']).catch(() => null);
      if (spki && (await publicJwk(spki)) === pub) mine = c;
    }
  }
  if (!mine) throw bad('no certificate matches the private key');
  return { privateKeyInfo: key.der, certificate: mine.cert, chain: certs.filter((c) => c !== mine).map((c) => c.cert) };
}

export interface ImportedKey {
  key: CryptoKey;
  importAlgorithm: RsaHashedImportParams | EcKeyImportParams;
  kind: 'rsa' | 'ec';
}

/** Imports a PKCS#8 key for signing with SHA-256 (RSA PKCS#1 v1.5 or ECDSA on its curve). */
export async function importPrivateKey(pkcs8: Uint8Array, extractable = false): Promise<ImportedKey> {
  const info = pkijs.PrivateKeyInfo.fromBER(toArrayBuffer(pkcs8));
  const alg = info.privateKeyAlgorithm.algorithmId;
  let importAlgorithm: RsaHashedImportParams | EcKeyImportParams;
  let kind: 'rsa' | 'ec';
  if (alg === OID.rsaEncryption) {
    importAlgorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    kind = 'rsa';
  } else if (alg === OID.ecPublicKey) {
    const params = info.privateKeyAlgorithm.algorithmParams;
    const curveOid = params instanceof asn1js.ObjectIdentifier ? params.valueBlock.toString() : '';
    const namedCurve = { [OID.p256]: 'P-256', [OID.p384]: 'P-384', [OID.p521]: 'P-521' }[curveOid];
    if (!namedCurve) throw bad(`unsupported elliptic curve ${curveOid || '(explicit parameters)'}`);
    importAlgorithm = { name: 'ECDSA', namedCurve };
    kind = 'ec';
  } else {
    throw bad(`unsupported private key algorithm ${alg}`);
  }
  const key = await crypto.subtle.importKey('pkcs8', toArrayBuffer(pkcs8), importAlgorithm, extractable, ['sign']);
  return { key, importAlgorithm, kind };
}
