// Loads the trust folder (MURAGAT_TRUST_DIR): self-signed certificates are trust anchors,
// other certificates are intermediates that may complete a chain, and CRLs give offline
// revocation data. Files may be PEM (several blocks) or DER, any extension. Certificates in
// its `anchors/` sub-folder are anchors even when not self-signed: NCA RK's test and
// production roots are often not at hand, and its issuing CA is then the point of trust.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as pkijs from 'pkijs';
import { decodeDerOrPem, toArrayBuffer } from './asn1-util';
import type { TrustMaterial } from './types';

export interface LoadedCertificate {
  cert: pkijs.Certificate;
  der: Uint8Array;
  source: string;
}

export interface LoadedCrl {
  crl: pkijs.CertificateRevocationList;
  der: Uint8Array;
  source: string;
}

export interface TrustStore {
  dir: string;
  anchors: LoadedCertificate[];
  intermediates: LoadedCertificate[];
  crls: LoadedCrl[];
  /** Files that could not be read as certificates or CRLs (reported, not fatal). */
  skipped: { file: string; reason: string }[];
  /** False when the folder does not exist. */
  exists: boolean;
}

// National CAs publish full CRLs of tens of megabytes; larger files are not trust material.
const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** Parsed stores by folder, reused while no file in it changed (ingest verifies many files). */
const cache = new Map<string, { fingerprint: string; store: TrustStore }>();

/** Identity of a DER object; hashing keeps keys short for multi-megabyte CRLs. */
export function derKey(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

export function isSelfIssued(cert: pkijs.Certificate): boolean {
  return cert.subject.isEqual(cert.issuer);
}

function parseBlock(der: Uint8Array): { cert?: pkijs.Certificate; crl?: pkijs.CertificateRevocationList } {
  try {
    return { cert: pkijs.Certificate.fromBER(toArrayBuffer(der)) };
  } catch {
    try {
      return { crl: pkijs.CertificateRevocationList.fromBER(toArrayBuffer(der)) };
    } catch {
      return {};
    }
  }
}

/** Reads the folder, or returns the cached result when no file was added, removed or changed. */
export async function loadTrustStore(dir: string): Promise<TrustStore> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch {
    return { dir, anchors: [], intermediates: [], crls: [], skipped: [], exists: false };
  }
  if (names.includes(ANCHORS_DIR)) {
    names.push(...(await readdir(path.join(dir, ANCHORS_DIR)).catch(() => [] as string[])).sort().map((n) => `${ANCHORS_DIR}/${n}`));
  }
  const files: { name: string; file: string; size: number }[] = [];
  const parts: string[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) continue;
    files.push({ name, file, size: info.size });
    parts.push(`${name}\u0000${info.size}\u0000${info.mtimeMs}`);
  }
  const fingerprint = parts.join('\u0001');
  const cached = cache.get(dir);
  if (cached && cached.fingerprint === fingerprint) return cached.store;
  const store = await readStore(dir, files);
  cache.set(dir, { fingerprint, store });
  return store;
}

const ANCHORS_DIR = 'anchors';

async function readStore(dir: string, files: { name: string; file: string; size: number }[]): Promise<TrustStore> {
  const store: TrustStore = { dir, anchors: [], intermediates: [], crls: [], skipped: [], exists: true };
  const seen = new Set<string>();
  for (const { name, file, size } of files) {
    if (size > MAX_FILE_BYTES) {
      store.skipped.push({ file: name, reason: 'too large' });
      continue;
    }
    const blocks = decodeDerOrPem(new Uint8Array(await readFile(file)));
    if (!blocks.length) {
      store.skipped.push({ file: name, reason: 'not PEM or DER' });
      continue;
    }
    for (const der of blocks) {
      const key = derKey(der);
      if (seen.has(key)) continue;
      seen.add(key);
      const parsed = parseBlock(der);
      if (parsed.cert) {
        const anchor = name.startsWith(`${ANCHORS_DIR}/`) || isSelfIssued(parsed.cert);
        (anchor ? store.anchors : store.intermediates).push({ cert: parsed.cert, der, source: name });
      } else if (parsed.crl) {
        store.crls.push({ crl: parsed.crl, der, source: name });
      } else {
        store.skipped.push({ file: name, reason: 'neither a certificate nor a CRL' });
      }
    }
  }
  return store;
}

/**
 * A store from trust material held in memory (an AIP's evidence): every given anchor is
 * trusted; no folder is read. Unreadable blocks are listed in `skipped`.
 */
export function trustStoreFrom(material: TrustMaterial, label = 'evidence'): TrustStore {
  const store: TrustStore = { dir: label, anchors: [], intermediates: [], crls: [], skipped: [], exists: true };
  const seen = new Set<string>();
  const add = (bytes: Uint8Array, index: number, role: 'anchor' | 'certificate' | 'crl') => {
    for (const der of decodeDerOrPem(bytes)) {
      const key = derKey(der);
      if (seen.has(key)) continue;
      seen.add(key);
      const parsed = parseBlock(der);
      const source = `${label}:${role}#${index + 1}`;
      if (parsed.cert && role !== 'crl') (role === 'anchor' ? store.anchors : store.intermediates).push({ cert: parsed.cert, der, source });
      else if (parsed.crl && role === 'crl') store.crls.push({ crl: parsed.crl, der, source });
      else store.skipped.push({ file: source, reason: role === 'crl' ? 'not a CRL' : 'not a certificate' });
    }
  };
  material.anchors.forEach((b, i) => add(b, i, 'anchor'));
  (material.certificates ?? []).forEach((b, i) => add(b, i, 'certificate'));
  (material.crls ?? []).forEach((b, i) => add(b, i, 'crl'));
  return store;
}
