// Maps CMS/X.509 signature algorithm identifiers to a verification: RSA PKCS#1 v1.5, RSASSA-PSS
// and ECDSA with Node's crypto (OpenSSL), the GOST families of gost.ts (NCA RK and Russian OIDs)
// with @noble/curves. SHA-1 and GOST variants not mapped are recognised and refused by name so
// the report can say "cannot verify" precisely instead of "invalid".
import { constants, createPublicKey, verify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { HASH_BY_OID, OID, type HashName, isGostOid } from './asn1-util';
import { gostSignatureAlgorithm, readGostPublicKey, verifyGost, type GostSignatureAlgorithm } from './gost';

export type ResolvedAlgorithm =
  | { supported: true; kind: 'rsa' | 'pss' | 'ecdsa'; hash: HashName; saltLength?: number; label: string }
  | { supported: true; kind: 'gost'; gost: GostSignatureAlgorithm; label: string }
  | { supported: false; gost: boolean; label: string; oid: string };

const RSA_HASH: Record<string, HashName> = {
  [OID.sha1WithRsa]: 'SHA-1',
  [OID.sha256WithRsa]: 'SHA-256',
  [OID.sha384WithRsa]: 'SHA-384',
  [OID.sha512WithRsa]: 'SHA-512',
};
const ECDSA_HASH: Record<string, HashName> = {
  [OID.ecdsaSha1]: 'SHA-1',
  [OID.ecdsaSha256]: 'SHA-256',
  [OID.ecdsaSha384]: 'SHA-384',
  [OID.ecdsaSha512]: 'SHA-512',
};

const NODE_HASH: Record<HashName, string> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

export function nodeHashName(hash: HashName): string {
  return NODE_HASH[hash];
}

function unsupported(oid: string, label?: string): ResolvedAlgorithm {
  const gost = isGostOid(oid);
  return { supported: false, gost, oid, label: label ?? (gost ? `GOST (${oid})` : oid) };
}

/** SHA-1 is refused: collisions are practical, so it proves nothing about archived content. */
function withHash(kind: 'rsa' | 'pss' | 'ecdsa', hash: HashName | undefined, oid: string, label: string, saltLength?: number): ResolvedAlgorithm {
  if (!hash) return unsupported(oid);
  if (hash === 'SHA-1') return unsupported(oid, `${label} with SHA-1`);
  return { supported: true, kind, hash, label: `${label} with ${hash}`, ...(saltLength !== undefined ? { saltLength } : {}) };
}

/**
 * digestOid: the SignerInfo digestAlgorithm, needed when the signature algorithm names only
 * the key type (rsaEncryption, id-ecPublicKey), as many CMS producers write it.
 */
export function resolveSignatureAlgorithm(alg: pkijs.AlgorithmIdentifier, digestOid?: string): ResolvedAlgorithm {
  const oid = alg.algorithmId;
  const gost = gostSignatureAlgorithm(oid, digestOid);
  if (gost) return { supported: true, kind: 'gost', gost, label: gost.label };
  if (isGostOid(oid) || (digestOid && isGostOid(digestOid))) return unsupported(isGostOid(oid) ? oid : digestOid!);
  if (oid in RSA_HASH) return withHash('rsa', RSA_HASH[oid], oid, 'RSA PKCS#1 v1.5');
  if (oid in ECDSA_HASH) return withHash('ecdsa', ECDSA_HASH[oid], oid, 'ECDSA');
  if (oid === OID.rsaEncryption) return withHash('rsa', digestOid ? HASH_BY_OID[digestOid] : undefined, digestOid ?? oid, 'RSA PKCS#1 v1.5');
  if (oid === OID.ecPublicKey) return withHash('ecdsa', digestOid ? HASH_BY_OID[digestOid] : undefined, digestOid ?? oid, 'ECDSA');
  if (oid === OID.rsaPss) {
    let params: pkijs.RSASSAPSSParams;
    try {
      params = alg.algorithmParams instanceof asn1js.Sequence ? new pkijs.RSASSAPSSParams({ schema: alg.algorithmParams }) : new pkijs.RSASSAPSSParams();
    } catch {
      return unsupported(oid, 'RSA-PSS (malformed parameters)');
    }
    const hash = HASH_BY_OID[params.hashAlgorithm.algorithmId];
    const mgf = params.maskGenAlgorithm;
    const mgfHash = mgf.algorithmParams instanceof asn1js.Sequence ? new pkijs.AlgorithmIdentifier({ schema: mgf.algorithmParams }).algorithmId : OID.sha1;
    // OpenSSL (and so Node) ties the MGF1 hash to the message hash.
    if (mgf.algorithmId !== OID.mgf1 || mgfHash !== params.hashAlgorithm.algorithmId) return unsupported(oid, 'RSA-PSS with a different MGF1 hash');
    return withHash('pss', hash, params.hashAlgorithm.algorithmId, 'RSA-PSS', params.saltLength);
  }
  return unsupported(oid);
}

/**
 * true/false: the signature does/does not verify with this key (a key of the wrong type is
 * false); null: a GOST key on a parameter set not mapped, so it cannot be decided.
 */
export function verifyWithKey(spkiDer: Uint8Array, alg: Extract<ResolvedAlgorithm, { supported: true }>, data: Uint8Array, signature: Uint8Array): boolean | null {
  if (alg.kind === 'gost') {
    const key = readGostPublicKey(spkiDer);
    if (key === 'unknown-curve') return null;
    if (typeof key === 'string') return false;
    return verifyGost(key, alg.gost, data, signature);
  }
  let key;
  try {
    key = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
  } catch {
    return false;
  }
  const type = key.asymmetricKeyType;
  if (alg.kind === 'ecdsa' ? type !== 'ec' : type !== 'rsa' && type !== 'rsa-pss') return false;
  const options =
    alg.kind === 'rsa'
      ? { key, padding: constants.RSA_PKCS1_PADDING }
      : alg.kind === 'pss'
        ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength ?? 20 }
        : { key, dsaEncoding: 'der' as const };
  try {
    return verify(NODE_HASH[alg.hash], data, options, signature);
  } catch {
    return false;
  }
}

export function spkiOf(cert: pkijs.Certificate): Uint8Array {
  return new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER(false));
}
