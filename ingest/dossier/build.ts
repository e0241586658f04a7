// Builds the e-dossier's descriptive objects from the pipeline's verdicts: per-document
// metadata (p.212) linked into a chain (p.209), the internal inventory (App. 32) and the
// dossier metadata (p.211), in the shapes of validators/schemas. Pure and deterministic:
// the same inputs give the same bytes, so a re-run after a crash writes the same objects.
import { canonicalJson, sha256Hex } from '../../common/hash';
import { controlCharacteristicOf } from '../../validators/schemas/control';
import type { AccessMetadata, DocumentMetadata, DossierMetadata, DossierSignatureRecord, InternalInventory, Retention, DossierSignatureStatus } from '../../validators/schemas/types';
import { personalDataLift } from '../../access/rules';
import { countInWords } from '../../forms/words';

/** p.212: the hash algorithm by name and the standard defining it. */
export const HASH_ALGORITHM = { name: 'SHA-256', standard: 'FIPS 180-4; ISO/IEC 10118-3:2018' } as const;

export interface DossierInputDocument {
  documentId: string;
  source: string;
  status: 'accepted' | 'conversion-failed';
  acceptedWithReason: string | null;
  title: string;
  date: string | null;
  number: string | null;
  language: string | null;
  author: string | null;
  pages: number | null;
  kind: string | null;
  inferred: string[];
  original: { name: string; sha256: string; size: number; mime: string; format: string };
  /** Further originals; `embeddedIn` names the original a file was extracted from (a PDF's embedded file). */
  attachments: { name: string; sha256: string; size: number; embeddedIn?: string }[];
  rendition: { name: string; sha256: string; size: number; tool?: { name: string; version?: string } } | null;
  signatures: { name: string; sha256: string; size: number; verdict: 'valid' | 'invalid' | 'cannot-verify'; reason?: string; signers: string[]; signerDetails?: DocumentMetadata['signatures'][number]['signers'] }[];
  /** Manifest order, the tie-breaker for documents of the same date. */
  seq: number;
  /** The fonds creator's access right for this document (p.212); open when absent. */
  access?: AccessMetadata;
}

export interface DossierInput {
  transferId: string;
  sequence: number;
  index: string;
  title: string;
  volume: number;
  retention: Retention;
  startDate: string | null;
  endDate: string | null;
  department: { code: string; name?: string };
  year: number;
  fonds: string;
  compiledBy: { name: string; position: string };
  /** Deterministic compile date (the transfer's receipt), so re-runs are byte-identical. */
  compiledAt: string;
  documents: DossierInputDocument[];
  /** The fonds creator's access right for the whole dossier (p.212); none when absent. */
  access?: AccessMetadata;
}

/** The dossier's end date as its metadata states it: its latest document, else the sender's, else the year's end. */
function endDateOf(input: DossierInput): string {
  const dates = input.documents.map((d) => d.date).filter((d): d is string => !!d).sort();
  return dates.at(-1) ?? input.endDate ?? `${input.year}-12-31`;
}

/**
 * The access right as kept in the AIP: personal data without a date closes for 75 years from
 * the dossier's end date (access/rules.ts), so the lift date is written down once, at ingest.
 */
export function accessOf(access: AccessMetadata | undefined, input: DossierInput): AccessMetadata {
  if (!access) return { kind: 'open' };
  if (access.kind === 'personal' && !access.until) return { ...access, until: personalDataLift(endDateOf(input)) };
  return { ...access };
}

export interface BuiltDocument {
  documentId: string;
  source: string;
  status: 'accepted' | 'conversion-failed';
  folder: string;
  originalPath: string;
  renditionPath: string | null;
  signaturePaths: string[];
  attachmentPaths: string[];
  metadataPath: string;
  metadata: DocumentMetadata;
}

/** Chronological order (p.209); undated documents last, manifest order breaks ties. */
export function chronological<T extends { date: string | null; seq: number }>(docs: T[]): T[] {
  return [...docs].sort((a, b) => {
    if (a.date !== b.date) {
      if (a.date === null) return 1;
      if (b.date === null) return -1;
      return a.date < b.date ? -1 : 1;
    }
    return a.seq - b.seq;
  });
}

export function documentFolder(position: number): string {
  return `documents/${String(position).padStart(3, '0')}`;
}

/** Safe file name inside the AIP: keeps letters of any script, drops path separators. */
export function aipFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? 'file';
  const cleaned = base.replace(/[\u0000-\u001f<>:"|?*]/g, '_').trim();
  return cleaned || 'file';
}

export function buildDocuments(input: DossierInput): BuiltDocument[] {
  let previous: string | null = null;
  return chronological(input.documents).map((doc, i) => {
    const position = i + 1;
    const folder = documentFolder(position);
    const base: Omit<DocumentMetadata, 'controlCharacteristic'> = {
      schemaVersion: 'muragat.document/1',
      identifier: doc.documentId,
      dossierIndex: input.index,
      position,
      ...(doc.kind ? { kind: doc.kind } : {}),
      title: doc.title,
      date: doc.date,
      number: doc.number,
      // ISO 639 "undetermined" when the transfer did not say.
      language: doc.language ?? 'und',
      ...(doc.author ? { author: { name: doc.author } } : {}),
      access: accessOf(doc.access, input),
      ...(doc.pages ? { pages: doc.pages } : {}),
      files: [
        { name: aipFileName(doc.original.name), sha256: doc.original.sha256, size: doc.original.size, mime: doc.original.mime, format: doc.original.format, role: 'original' },
        ...doc.attachments.map((a) => ({ name: aipFileName(a.name), sha256: a.sha256, size: a.size, role: 'attachment' as const, ...(a.embeddedIn ? { embeddedIn: aipFileName(a.embeddedIn) } : {}) })),
      ],
      rendition: doc.rendition
        ? { name: aipFileName(doc.rendition.name), sha256: doc.rendition.sha256, size: doc.rendition.size, format: 'PDF/A-1b', ...(doc.rendition.tool ? { tool: doc.rendition.tool } : {}) }
        : null,
      signatures: doc.signatures.map((s) => ({
        name: aipFileName(s.name),
        sha256: s.sha256,
        size: s.size,
        verdict: s.verdict,
        ...(s.reason ? { reason: s.reason } : {}),
        // Issuer and serial from the verification (signature-evidence); subjects alone for older records.
        signers: s.signerDetails?.length ? s.signerDetails : s.signers.map((subject) => ({ subject, serialNumber: '', issuer: '' })),
      })),
      hashAlgorithm: HASH_ALGORITHM,
      ...(doc.inferred.length ? { inferred: doc.inferred } : {}),
      previous,
    };
    const metadata: DocumentMetadata = { ...base, controlCharacteristic: controlCharacteristicOf(base) };
    previous = metadata.controlCharacteristic;
    return {
      documentId: doc.documentId,
      source: doc.source,
      status: doc.status,
      folder,
      originalPath: `${folder}/original/${aipFileName(doc.original.name)}`,
      renditionPath: doc.rendition ? `${folder}/rendition/${aipFileName(doc.rendition.name)}` : null,
      signaturePaths: doc.signatures.map((s) => `${folder}/signatures/${aipFileName(s.name)}`),
      metadataPath: `${folder}/metadata.json`,
      attachmentPaths: doc.attachments.map((a) => `${folder}/attachments/${aipFileName(a.name)}`),
      metadata,
    };
  });
}

export function buildInventory(input: DossierInput, documents: BuiltDocument[], notes: Map<string, string>): InternalInventory {
  const rows = documents.map((d) => {
    const m = d.metadata;
    const files = m.files.length + m.signatures.length + (m.rendition ? 1 : 0);
    const bytes = m.files.reduce((n, f) => n + f.size, 0) + m.signatures.reduce((n, f) => n + f.size, 0) + (m.rendition?.size ?? 0);
    const note = notes.get(d.documentId);
    return { number: m.position, documentId: d.documentId, date: m.date, title: m.title, files, bytes, controlCharacteristic: m.controlCharacteristic, ...(note ? { note } : {}) };
  });
  const files = rows.reduce((n, r) => n + r.files, 0);
  return {
    schemaVersion: 'muragat.internal-inventory/1',
    dossier: { index: input.index, title: input.title, fonds: input.fonds },
    rows,
    totals: {
      documents: rows.length,
      documentsInWords: countInWords(rows.length, 'kk'),
      files,
      filesInWords: countInWords(files, 'kk'),
      bytes: rows.reduce((n, r) => n + r.bytes, 0),
    },
    compiledBy: input.compiledBy,
    compiledAt: input.compiledAt.slice(0, 10),
    language: 'kk',
  };
}

/** What the department head signs: the inventory and the end of the chain (p.208, p.209). */
export function integrityStatement(input: DossierInput, inventorySha256: string, documents: BuiltDocument[]): Uint8Array {
  return Buffer.from(
    canonicalJson({
      schemaVersion: 'muragat.integrity/1',
      transferId: input.transferId,
      dossierIndex: input.index,
      volume: input.volume,
      internalInventorySha256: inventorySha256,
      lastControlCharacteristic: documents.at(-1)?.metadata.controlCharacteristic ?? null,
      documentCount: documents.length,
    }),
    'utf8',
  );
}

/** The signer as kept with a signature (accounts/signers.service.ts SignerIdentity). */
export interface SignerOfRecord {
  fullName: string;
  username: string;
  role: string;
  subject: string;
  issuer: string;
  serialNumber: string;
  iin?: string;
  bin?: string;
  notBefore?: string;
  notAfter?: string;
}

/**
 * A signature as the AIP records it in dossier.json: the statement, the CMS object, the verdict
 * and who signed — the registered user's name and login, the role signed in, and the
 * certificate — so the AIP alone says whose signature it is, without the catalog.
 */
export function signatureRecord(
  kind: 'inventory' | 'integrity',
  cmsSha256: string,
  verdict: string,
  signer: SignerOfRecord,
  signingTime?: string,
): DossierSignatureRecord {
  return {
    kind,
    cmsSha256,
    verdict: verdict === 'valid' || verdict === 'invalid' ? verdict : 'cannot-verify',
    ...(signingTime ? { signingTime } : {}),
    signedBy: {
      name: signer.fullName,
      username: signer.username,
      role: signer.role,
      ...(signer.iin ? { iin: signer.iin } : {}),
      ...(signer.bin ? { bin: signer.bin } : {}),
      subject: signer.subject,
      issuer: signer.issuer,
      serialNumber: signer.serialNumber,
      ...(signer.notBefore ? { notBefore: signer.notBefore } : {}),
      ...(signer.notAfter ? { notAfter: signer.notAfter } : {}),
    },
  };
}

export function buildDossierMetadata(
  input: DossierInput,
  documents: BuiltDocument[],
  inventory: InternalInventory,
  inventorySha256: string,
  signature: { status: DossierSignatureStatus; signer?: string; signingTime?: string; reason?: string },
  signatures: DossierSignatureRecord[] = [],
): DossierMetadata {
  const dates = documents.map((d) => d.metadata.date).filter((d): d is string => !!d).sort();
  return {
    schemaVersion: 'muragat.dossier/1',
    fonds: input.fonds,
    inventory: null,
    index: input.index,
    title: input.title,
    year: input.year,
    department: input.department,
    volume: input.volume,
    startDate: dates[0] ?? input.startDate,
    endDate: dates.at(-1) ?? input.endDate,
    retention: input.retention,
    ...(input.access ? { access: accessOf(input.access, input) } : {}),
    documentCount: documents.length,
    fileCount: inventory.totals.files,
    sizeBytes: inventory.totals.bytes,
    languages: [...new Set(documents.map((d) => d.metadata.language))].sort(),
    compiledBy: { ...input.compiledBy, date: input.compiledAt.slice(0, 10) },
    integrity: {
      internalInventorySha256: inventorySha256,
      lastControlCharacteristic: documents.at(-1)?.metadata.controlCharacteristic ?? null,
      signature,
      ...(signatures.length ? { signatures } : {}),
    },
    transferId: input.transferId,
  };
}

/** Checks that an inventory lists exactly the chain's documents, in order, with their hashes. */
export function checkInventory(inventory: InternalInventory, documents: DocumentMetadata[]): string[] {
  const problems: string[] = [];
  if (inventory.rows.length !== documents.length) {
    problems.push(`inventory lists ${inventory.rows.length} documents, the dossier holds ${documents.length}`);
  }
  const n = Math.min(inventory.rows.length, documents.length);
  for (let i = 0; i < n; i++) {
    const row = inventory.rows[i]!;
    const doc = documents[i]!;
    if (row.controlCharacteristic !== doc.controlCharacteristic) {
      problems.push(`inventory row ${i + 1} ("${row.title}") does not match document ${doc.position} ("${doc.title}")`);
    }
  }
  return problems;
}

export function sha256OfJson(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
