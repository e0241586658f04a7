// Signature evidence kept in the AIP (p.94–97-1, 004 §7.5.9; docs/signatures.md): for every
// signature verified at ingest or at signing, the certificates of its chain, the trust anchor
// used, the CRLs and the timestamp tokens, as objects under signature-evidence/, plus one record
// per signature in signature-evidence/records.json naming them by sha256 with the signer's
// subject, issuer and serial. A signature is re-verified from these objects alone: no trust
// folder, no network. The objects are public material, so they stay clear in sealed AIPs.
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { readVerifiedBytes, type Storage } from '../../storage';
import { verifySignature, type SignatureReport, type SignatureVerdict, type SignerInfo } from '../../validators/signature';
import type { OcspQuery } from '../../validators/signature/types';
import type { AipManifest, SignerMetadata } from '../../validators/schemas/types';
import { openSealedFromStore, putEverywhere, readJsonObject, readManifest, serialiseJson, SEALING_MAP_PATH, type AipBuilder, type AipEntry, type SealingMap } from './index';

export const EVIDENCE_DIR = 'signature-evidence';
export const EVIDENCE_RECORDS_PATH = `${EVIDENCE_DIR}/records.json`;

// OCSP responses (validators/signature/ocsp.ts) sit beside the CRLs: signature-evidence/ocsp-responses/<sha256>.ocsp.
type ObjectKind = 'certificate' | 'crl' | 'timestamp' | 'ocsp-response';
const EXTENSION: Record<ObjectKind, string> = { certificate: 'cer', crl: 'crl', timestamp: 'tst', 'ocsp-response': 'ocsp' };
const TIMESTAMP_TOKEN = '1.2.840.113549.1.9.16.2.14';

export interface EvidenceSigner extends SignerInfo {
  verdict: SignatureVerdict;
  signingTime?: string;
}

/** What one verification used, by sha256 of each DER object (without AIP paths yet). */
export interface EvidenceOfVerification {
  /** sha256 of the CMS file verified. */
  signatureSha256: string;
  verifiedAt: string;
  verdict: SignatureVerdict;
  reason?: string;
  signers: EvidenceSigner[];
  anchors: string[];
  certificates: string[];
  crls: string[];
  timestamps: string[];
  /** OCSP responses that decided a revocation status (absent in records made before OCSP). */
  ocsp?: string[];
  /** Questions put to OCSP responders, answered or "unavailable" (a responder offline is not a failure). */
  ocspQueries?: OcspQuery[];
}

export interface SignatureEvidenceRecord extends Omit<EvidenceOfVerification, 'signatureSha256'> {
  /** The CMS in this AIP. */
  signature: { path: string; sha256: string };
  /** What it signs, in this AIP. */
  content: { path: string; sha256: string };
  /** How it was obtained: at ingest (transfer) or when signed in the archive. */
  origin: 'ingest' | 'signing';
}

export interface SignatureEvidenceFile {
  schemaVersion: 'muragat.signature-evidence/1';
  records: SignatureEvidenceRecord[];
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The parts of a verification report kept (ingest's tool type and the verifier's both fit). */
export interface VerificationOutcome {
  verdict: SignatureVerdict;
  reason?: string;
  signers: { signer: SignerInfo | Pick<SignerInfo, 'subject' | 'serialNumber' | 'issuer'>; verdict: string; signingTime?: string }[];
  evidence?: SignatureReport['evidence'];
}

/** Reads an object of the AIP by its plaintext sha256 (a sealed dossier's reader unseals). */
export type EvidenceObjectReader = (sha256: string) => Promise<Uint8Array>;

export function evidencePath(kind: ObjectKind, sha: string): string {
  return `${EVIDENCE_DIR}/${kind}s/${sha}.${EXTENSION[kind]}`;
}

/** Timestamp tokens (RFC 3161) carried as unsigned attributes of the signers. */
function timestampTokens(cms: Uint8Array): Uint8Array[] {
  try {
    const info = pkijs.ContentInfo.fromBER(cms.slice().buffer);
    const signed = new pkijs.SignedData({ schema: info.content });
    return signed.signerInfos.flatMap((si) =>
      (si.unsignedAttrs?.attributes ?? []).filter((a) => a.type === TIMESTAMP_TOKEN).flatMap((a) => (a.values as asn1js.AsnType[]).map((v) => new Uint8Array(v.toBER(false)))));
  } catch {
    // Not parseable as CMS (PEM or base64 text): the verifier decoded it; tokens stay inside the CMS file.
    return [];
  }
}

/** The objects and the record of one verification report. */
export function evidenceOf(report: VerificationOutcome, cms: Uint8Array, verifiedAt = new Date()): { evidence: EvidenceOfVerification; objects: Map<string, { kind: ObjectKind; bytes: Uint8Array }> } {
  const objects = new Map<string, { kind: ObjectKind; bytes: Uint8Array }>();
  const add = (kind: ObjectKind, bytes: Uint8Array) => {
    const sha = sha256(bytes);
    objects.set(sha, { kind, bytes });
    return sha;
  };
  const e = report.evidence ?? { certificates: [], crls: [] };
  const certificates = (e.certificates ?? []).map((b) => add('certificate', b));
  const anchors = (e.anchors ?? []).map((b) => add('certificate', b));
  const crls = (e.crls ?? []).map((b) => add('crl', b));
  const ocsp = (e.ocsp ?? []).map((b) => add('ocsp-response', b));
  const timestamps = timestampTokens(cms).map((b) => add('timestamp', b));
  return {
    evidence: {
      signatureSha256: sha256(cms),
      verifiedAt: verifiedAt.toISOString(),
      verdict: report.verdict,
      ...(report.reason ? { reason: report.reason.slice(0, 2000) } : {}),
      signers: report.signers.map((s) => ({
        notBefore: '',
        notAfter: '',
        ...s.signer,
        verdict: (['valid', 'invalid'].includes(s.verdict) ? s.verdict : 'cannot-verify') as SignatureVerdict,
        ...(s.signingTime ? { signingTime: s.signingTime } : {}),
      })),
      anchors: [...new Set(anchors)],
      certificates: [...new Set(certificates)],
      crls: [...new Set(crls)],
      timestamps: [...new Set(timestamps)],
      ...(ocsp.length ? { ocsp: [...new Set(ocsp)] } : {}),
      ...(e.ocspQueries?.length ? { ocspQueries: e.ocspQueries } : {}),
    },
    objects,
  };
}

/**
 * At ingest the verification happens steps before the AIP is built: its objects wait in the
 * transfer's work folder (content-addressed, so shared CA material is written once).
 */
export async function keepEvidenceInWork(work: string, report: VerificationOutcome, cms: Uint8Array): Promise<EvidenceOfVerification> {
  const { evidence, objects } = evidenceOf(report, cms);
  const dir = path.join(work, EVIDENCE_DIR);
  await mkdir(dir, { recursive: true });
  for (const [sha, { bytes }] of objects) {
    const file = path.join(dir, sha);
    if (!(await stat(file).catch(() => null))) await writeFile(file, bytes);
  }
  return evidence;
}

function objectShas(e: EvidenceOfVerification): { kind: ObjectKind; sha: string }[] {
  return [
    ...[...new Set([...e.anchors, ...e.certificates])].map((sha) => ({ kind: 'certificate' as const, sha })),
    ...e.crls.map((sha) => ({ kind: 'crl' as const, sha })),
    ...e.timestamps.map((sha) => ({ kind: 'timestamp' as const, sha })),
    ...(e.ocsp ?? []).map((sha) => ({ kind: 'ocsp-response' as const, sha })),
  ];
}

/** Adds the objects of evidence kept in the work folder to the AIP; returns its record. */
export async function addWorkEvidence(
  aip: AipBuilder,
  work: string,
  evidence: EvidenceOfVerification,
  place: { signature: { path: string; sha256: string }; content: { path: string; sha256: string } },
): Promise<SignatureEvidenceRecord> {
  for (const { kind, sha } of objectShas(evidence)) {
    await aip.addFile(evidencePath(kind, sha), 'evidence', path.join(work, EVIDENCE_DIR, sha), sha);
  }
  return recordOf(evidence, place, 'ingest');
}

/** Adds the objects of a verification made now (signing) to the AIP; returns its record. */
export async function addReportEvidence(
  aip: AipBuilder,
  report: VerificationOutcome,
  cms: Uint8Array,
  place: { signature: { path: string; sha256: string }; content: { path: string; sha256: string } },
): Promise<SignatureEvidenceRecord> {
  const { evidence, objects } = evidenceOf(report, cms);
  for (const [sha, { kind, bytes }] of objects) await aip.addBytes(evidencePath(kind, sha), 'evidence', bytes);
  return recordOf(evidence, place, 'signing');
}

function recordOf(e: EvidenceOfVerification, place: { signature: { path: string; sha256: string }; content: { path: string; sha256: string } }, origin: 'ingest' | 'signing'): SignatureEvidenceRecord {
  const { signatureSha256: _, ...rest } = e;
  return { ...rest, signature: place.signature, content: place.content, origin };
}

export function evidenceFile(records: SignatureEvidenceRecord[]): SignatureEvidenceFile {
  return { schemaVersion: 'muragat.signature-evidence/1', records: [...records].sort((a, b) => (a.signature.path < b.signature.path ? -1 : a.signature.path > b.signature.path ? 1 : 0)) };
}

/**
 * For a signature added to a stored AIP (dossier signing): writes the objects to the store and
 * returns the manifest entries to add (objects, and records.json replacing the previous one).
 */
export async function appendEvidenceEntries(
  storage: Storage,
  previous: AipManifest,
  report: VerificationOutcome,
  cms: Uint8Array,
  place: { signature: { path: string; sha256: string }; content: { path: string; sha256: string } },
): Promise<AipEntry[]> {
  const { evidence, objects } = evidenceOf(report, cms);
  const entries: AipEntry[] = [];
  const known = new Set(previous.files.map((f) => f.path));
  for (const [sha, { kind, bytes }] of objects) {
    const p = evidencePath(kind, sha);
    if (known.has(p)) continue;
    const put = await putEverywhere(storage, { bytes });
    entries.push({ path: p, sha256: put.sha256, size: put.size, role: 'evidence' });
  }
  const old = await readEvidenceFile(storage, previous);
  const records = [...(old?.records ?? []).filter((r) => r.signature.sha256 !== place.signature.sha256), recordOf(evidence, place, 'signing')];
  const put = await putEverywhere(storage, { bytes: serialiseJson(evidenceFile(records)) });
  entries.push({ path: EVIDENCE_RECORDS_PATH, sha256: put.sha256, size: put.size, role: 'evidence' });
  return entries;
}

export async function readEvidenceFile(storage: Storage, manifest: AipManifest): Promise<SignatureEvidenceFile | null> {
  const entry = manifest.files.find((f) => f.path === EVIDENCE_RECORDS_PATH);
  return entry ? readJsonObject<SignatureEvidenceFile>(storage, entry.sha256) : null;
}

export interface Reverification {
  record: SignatureEvidenceRecord;
  report: SignatureReport;
}

/**
 * Re-verifies every signature of an AIP from its own evidence: the CMS and the content read
 * from the store, the anchors, certificates and CRLs taken from signature-evidence/. Nothing
 * else is consulted: no trust folder, no network. Sealed content is opened through the AIP's
 * sealing map; `open` replaces that reader (tests, exports).
 */
export async function reverifyAipSignatures(
  storage: Storage,
  manifestSha256: string,
  options: { at?: Date; lang?: 'kk' | 'ru' | 'en'; open?: EvidenceObjectReader } = {},
): Promise<Reverification[]> {
  const manifest = await readManifest(storage, manifestSha256);
  const file = await readEvidenceFile(storage, manifest);
  if (!file) return [];
  let read: EvidenceObjectReader | undefined = options.open;
  if (!read) {
    // A sealed dossier (docs/destruction.md): documents and their signatures are read through
    // the AIP's sealing map with the key from the storage's key areas; evidence is clear.
    const mapEntry = manifest.files.find((f) => f.path === SEALING_MAP_PATH);
    const map = mapEntry ? await readJsonObject<SealingMap>(storage, mapEntry.sha256) : null;
    read = async (sha) => {
      if (!map?.objects[sha]) return new Uint8Array(await readVerifiedBytes(storage, sha));
      const chunks: Buffer[] = [];
      for await (const chunk of (await openSealedFromStore(storage, map, sha)).stream) chunks.push(chunk as Buffer);
      return new Uint8Array(Buffer.concat(chunks));
    };
  }
  const out: Reverification[] = [];
  for (const record of file.records) {
    const [signature, content] = await Promise.all([read!(record.signature.sha256), read!(record.content.sha256)]);
    const load = (shas: string[]) => Promise.all(shas.map(read!));
    const trust = { anchors: await load(record.anchors), certificates: await load(record.certificates), crls: await load(record.crls), ocsp: await load(record.ocsp ?? []) };
    const report = await verifySignature({ signature, content, trust, ...(options.at ? { at: options.at } : {}), ...(options.lang ? { lang: options.lang } : {}) });
    out.push({ record, report });
  }
  return out;
}

/** Reads a work-folder evidence object (tests and tools). */
export async function readWorkEvidence(work: string, sha: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(path.join(work, EVIDENCE_DIR, sha)));
}

/** Signer descriptions for document metadata (subject, issuer, serial, validity, IIN/BIN) from the evidence of one signature file. */
export function signerMetadataOf(evidence: EvidenceOfVerification[] | undefined, signatureSha256: string): SignerMetadata[] | undefined {
  const found = evidence?.find((e) => e.signatureSha256 === signatureSha256);
  if (!found) return undefined;
  return found.signers.map((s) => ({
    subject: s.subject,
    serialNumber: s.serialNumber,
    issuer: s.issuer,
    ...(s.notBefore ? { notBefore: s.notBefore } : {}),
    ...(s.notAfter ? { notAfter: s.notAfter } : {}),
    ...(s.iin ? { iin: s.iin } : {}),
    ...(s.bin ? { bin: s.bin } : {}),
    ...(s.signingTime ? { signingTime: s.signingTime } : {}),
  }));
}

/**
 * At the store step: the evidence of every document signature verified at ingest goes into the
 * AIP beside it; returns the records (the signature and the original it covers, by AIP path).
 */
export async function addDocumentsEvidence(
  aip: AipBuilder,
  work: string,
  built: { documentId: string; originalPath: string; signaturePaths: string[] }[],
  docs: { id: string; sha256: string; signature: { files: { sha256: string }[]; evidence?: EvidenceOfVerification[] } | null }[],
): Promise<SignatureEvidenceRecord[]> {
  const byId = new Map(docs.map((d) => [d.id, d]));
  const records: SignatureEvidenceRecord[] = [];
  for (const b of built) {
    const doc = byId.get(b.documentId);
    for (const [i, f] of (doc?.signature?.files ?? []).entries()) {
      const evidence = doc!.signature!.evidence?.find((e) => e.signatureSha256 === f.sha256);
      const signaturePath = b.signaturePaths[i];
      if (!evidence || !signaturePath) continue; // verified before evidence was kept: nothing to add
      records.push(await addWorkEvidence(aip, work, evidence, { signature: { path: signaturePath, sha256: f.sha256 }, content: { path: b.originalPath, sha256: doc!.sha256 } }));
    }
  }
  return records;
}

export function sha256Of(bytes: Uint8Array): string {
  return sha256(bytes);
}
