// TypeScript shapes of the JSON Schemas in this folder. The .schema.json files are the
// authority; these interfaces mirror them so the pipeline can build values the schemas accept.

export type Sha256Hex = string;
/** ISO date `YYYY-MM-DD`. */
export type IsoDate = string;
/** ISO date-time with zone, e.g. `2026-01-15T10:00:00Z`. */
export type IsoDateTime = string;

export type RetentionKind = 'permanent' | 'years' | 'years_epk' | 'until_needed';
export interface Retention {
  kind: RetentionKind;
  /** Required for `years` and `years_epk`. */
  years?: number;
  /** Article of the standard retention list. */
  article?: string;
}

export interface Person {
  name: string;
  position?: string;
}

/**
 * Access right (p.212): open; restricted by the fonds creator until a date; personal data
 * (75 years from the dossier's end date); for official use (ДСП). `beforeLift`: what a
 * researcher sees until the date (nothing, or the description).
 */
export interface AccessMetadata {
  kind: 'open' | 'restricted' | 'personal' | 'official_use';
  until?: IsoDate;
  beforeLift?: 'hidden' | 'metadata';
  basis?: string;
}

// ---- transfer-manifest ----------------------------------------------------------------

export interface TransferFile {
  path: string;
  sha256: Sha256Hex;
  size: number;
}

export interface TransferDocument extends TransferFile {
  title: string;
  kind?: string;
  date?: IsoDate;
  number?: string;
  language?: string;
  author?: string;
  pages?: number;
  /** Access right set by the fonds creator (p.212; access/rules.ts). */
  access?: AccessMetadata;
  /** Names of fields the packer inferred rather than read from supplied metadata. */
  inferred?: string[];
  /** Further files of the same document (p.147: at most 80 files per document). */
  attachments?: TransferFile[];
  /** Detached signatures (`.p7s`, `.sig`, `.cms`) of the document's main file. */
  signatures?: TransferFile[];
}

export interface TransferDossier {
  /** Case index: department code + sequence, e.g. `03-12` (p.149). */
  index: string;
  title?: string;
  volume?: number;
  startDate?: IsoDate;
  endDate?: IsoDate;
  retention?: Retention;
  access?: AccessMetadata;
  inferred?: string[];
  documents: TransferDocument[];
}

export interface TransferManifest {
  schemaVersion: 'muragat.transfer/1';
  transfer: {
    organisation?: { bin?: string; name: string };
    department: { code: string; name?: string };
    year: number;
    fonds?: string;
    compiledBy?: Person;
    headOfDepartment?: Person;
    createdAt: IsoDateTime;
    note?: string;
  };
  dossiers: TransferDossier[];
}

// ---- document-metadata (p.212–216) ------------------------------------------------------

export interface ToolInfo {
  name: string;
  version?: string;
}

export interface SignerMetadata {
  subject: string;
  serialNumber: string;
  issuer: string;
  notBefore?: IsoDateTime;
  notAfter?: IsoDateTime;
  iin?: string;
  bin?: string;
  signingTime?: IsoDateTime;
}

export interface DocumentMetadata {
  schemaVersion: 'muragat.document/1';
  identifier: string;
  dossierIndex: string;
  /** 1-based order in the dossier. */
  position: number;
  kind?: string;
  title: string;
  date: IsoDate | null;
  /** Registration index. */
  number?: string | null;
  language: string;
  author?: { name?: string; position?: string; organisation?: string };
  access: AccessMetadata;
  pages?: number;
  sheets?: number;
  /** `embeddedIn`: the original (its file name) an attachment was extracted from, a PDF's embedded file. */
  files: { name: string; sha256: Sha256Hex; size: number; mime?: string; format?: string; role?: 'original' | 'attachment'; embeddedIn?: string }[];
  rendition: { name: string; sha256: Sha256Hex; size: number; format: string; tool?: ToolInfo } | null;
  signatures: {
    name: string;
    sha256: Sha256Hex;
    size: number;
    verdict: 'valid' | 'invalid' | 'cannot-verify';
    reason?: string;
    verifiedAt?: IsoDateTime;
    signers?: SignerMetadata[];
    tool?: ToolInfo;
  }[];
  hashAlgorithm: { name: 'SHA-256'; standard: string };
  related?: string[];
  software?: ToolInfo;
  reproduction?: string;
  protection?: string;
  media?: { kind: string; placement?: string };
  informationResource?: {
    name: string;
    type?: string;
    operatedFrom?: IsoDate;
    operatedTo?: IsoDate;
    registration?: string;
    url?: string;
    owner?: string;
    holder?: string;
  };
  inferred?: string[];
  /** Control characteristic of the previous document's metadata; null for the first (p.209). */
  previous: Sha256Hex | null;
  /** SHA-256 of this object's canonical JSON without this member (see controlCharacteristicOf). */
  controlCharacteristic: Sha256Hex;
}

// ---- dossier-metadata (p.211) -----------------------------------------------------------

export type DossierSignatureStatus = 'absent' | 'valid' | 'invalid' | 'cannot-verify';

export interface DossierMetadata {
  schemaVersion: 'muragat.dossier/1';
  fonds: string;
  /** Inventory (App. 30) number and sequence; null for ≤10-year dossiers (p.194). */
  inventory?: { number: string; sequence: number } | null;
  /** Archival cipher (p.181) given when the inventory of permanent dossiers is approved; never changed after. */
  archivalCipher?: { fonds: string; inventory: string; case: number; code: string } | null;
  index: string;
  title: string;
  year: number;
  department: { code: string; name?: string };
  volume?: number;
  startDate: IsoDate | null;
  endDate: IsoDate | null;
  retention: Retention;
  documentCount: number;
  fileCount: number;
  sizeBytes: number;
  pages?: number;
  sheets?: number;
  languages: string[];
  compiledBy: { name: string; position?: string; date?: IsoDate };
  access?: AccessMetadata;
  integrity: {
    internalInventorySha256: Sha256Hex | null;
    lastControlCharacteristic: Sha256Hex | null;
    signature: { status: DossierSignatureStatus; signer?: string; signingTime?: IsoDateTime; reason?: string };
    /** Who signed each statement (absent in dossiers stored before it was recorded). */
    signatures?: DossierSignatureRecord[];
  };
  transferId?: string;
  inferred?: string[];
}

/** A signature of the dossier's inventory or integrity statement, with its signer's identity. */
export interface DossierSignatureRecord {
  kind: 'inventory' | 'integrity';
  cmsSha256: Sha256Hex;
  verdict: 'valid' | 'invalid' | 'cannot-verify';
  signingTime?: IsoDateTime;
  signedBy: { name: string; username: string; role: string; iin?: string; bin?: string; subject: string; issuer: string; serialNumber: string; notBefore?: string; notAfter?: string };
}

// ---- internal-inventory (App. 32) -------------------------------------------------------

export interface InternalInventoryRow {
  number: number;
  documentIndex?: string;
  documentId?: string;
  date: IsoDate | null;
  title: string;
  /** Number of stored objects (files) of the document. */
  files: number;
  bytes: number;
  sheets?: number;
  pages?: number;
  controlCharacteristic: Sha256Hex;
  note?: string;
}

export interface InternalInventory {
  schemaVersion: 'muragat.internal-inventory/1';
  dossier: { index: string; title: string; fonds?: string; inventoryNumber?: string; number?: string };
  rows: InternalInventoryRow[];
  totals: {
    documents: number;
    documentsInWords: string;
    files: number;
    filesInWords?: string;
    bytes: number;
    sheets?: number;
    pages?: number;
  };
  compiledBy: { name: string; position: string };
  compiledAt: IsoDate;
  language?: 'kk' | 'ru';
}

// ---- aip-manifest -----------------------------------------------------------------------

export type AipFileRole =
  | 'original'
  | 'attachment'
  | 'signature'
  | 'rendition'
  | 'document-metadata'
  | 'dossier-metadata'
  | 'internal-inventory'
  | 'internal-inventory-rendition'
  | 'internal-inventory-signature'
  | 'dossier-signature'
  | 'evidence'
  | 'report';

export interface AipManifest {
  schemaVersion: 'muragat.aip/1';
  aipId: string;
  dossierIndex: string;
  fonds?: string;
  year?: number;
  createdAt: IsoDateTime;
  transferId?: string;
  hashAlgorithm?: 'SHA-256';
  files: { path: string; sha256: Sha256Hex; size: number; role: AipFileRole; documentId?: string; mime?: string }[];
  events: {
    at: IsoDateTime;
    type: string;
    outcome: 'success' | 'warning' | 'failure';
    actor?: string;
    tool?: string;
    documentId?: string;
    detail?: string;
  }[];
  tools: { name: string; version: string }[];
}
