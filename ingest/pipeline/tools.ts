// The pipeline's view of the modules other parts of the system provide (docs/CONTRACTS.md).
// They are loaded once at run time and passed in as one object, so each step names exactly
// what it uses and the step code does not depend on module layout.
import type { Storage } from '../../storage';
import type { InternalInventory } from '../../validators/schemas/types';

export interface FormatId {
  mime: string;
  name: string;
  version?: string;
  family: 'office' | 'pdf' | 'image' | 'text' | 'container' | 'signature' | 'unknown';
  extensionMatches: boolean;
  encrypted: boolean;
  problems: string[];
}
export interface MalwareResult {
  status: 'clean' | 'infected' | 'not-scanned' | 'error';
  signature?: string;
  engine?: string;
  engineVersion?: string;
  warning?: string;
  /** Each file embedded in a PDF original, scanned in its own right (pipeline/embedded-scan.ts). */
  embedded?: EmbeddedScan[];
}
export interface EmbeddedScan {
  name: string;
  sha256: string;
  status: MalwareResult['status'];
  signature?: string;
  warning?: string;
}
export type ConversionResult = import('../convert/converter').ConversionResult;
export type CheckSlot = import('../convert/converter').CheckSlot;
export type ReproducibilityVerdict = import('../convert/reproducibility').ReproducibilityVerdict;
export interface Converter {
  convertMany(items: { path: string; format: FormatId; outPath: string }[], onDone?: (i: number, result?: ConversionResult) => void): Promise<ConversionResult[]>;
  close(): Promise<void>;
}
export interface PdfaReport {
  compliant: boolean;
  unreadable?: boolean;
  failures: { clause: string; rule: string; message: string; location?: string }[];
  engine: string;
}
export interface SignatureReport {
  verdict: 'valid' | 'invalid' | 'cannot-verify';
  reason?: string;
  signers: { signer: { subject: string; serialNumber: string; issuer: string; iin?: string; bin?: string }; verdict: string; reason?: string; signingTime?: string }[];
}
export interface TransferProblem { where: string; code: string; message: string; clause?: string }
export interface ManifestDocument {
  path: string;
  sha256: string;
  size: number;
  title: string;
  date?: string;
  number?: string;
  language?: string;
  author?: string;
  pages?: number;
  kind?: string;
  inferred?: string[];
  signatures?: { path: string; sha256: string; size: number }[];
  attachments?: { path: string; sha256: string; size: number }[];
}
export interface TransferManifest {
  schemaVersion: string;
  transfer: {
    organisation: { bin: string; name: string };
    department: { code: string; name: string };
    year: number;
    fonds?: string;
    compiledBy?: { name: string; position: string };
    createdAt?: string;
  };
  dossiers: {
    index: string;
    title: string;
    volume?: number;
    startDate?: string;
    endDate?: string;
    retention?: unknown;
    documents: ManifestDocument[];
  }[];
}
export interface PdfBlock { kind: string; [key: string]: unknown }

export interface IngestTools {
  unpackTransfer(tarPath: string, destDir: string, limits?: Record<string, number>): Promise<{ entries: { path: string; size: number; sha256: string }[] }>;
  checkManifestAgainstFiles(manifest: TransferManifest, entries: { path: string; size: number; sha256: string }[]): TransferProblem[];
  validateAgainst(name: string, value: unknown): { valid: boolean; problems: { pointer: string; keyword: string; message: Record<string, string> }[] };
  identifyFormat(path: string, originalName?: string): Promise<FormatId>;
  scanForMalware(paths: string[], options: { policy: 'refuse' | 'accept-with-warning'; databaseDir?: string }): Promise<Map<string, MalwareResult>>;
  verifySignature(input: { signature: Uint8Array; content?: Uint8Array | string; trustDir?: string }): Promise<SignatureReport>;
  signDetached(content: Uint8Array, pkcs12: Uint8Array, password: string): Promise<Uint8Array>;
  createConverter(options: { workDir: string; timeoutMs?: number; checkSlot?: CheckSlot; officeLanes?: number }): Converter;
  checkReproducibility(sourcePath: string, format: FormatId, renditionPath: string): Promise<ReproducibilityVerdict>;
  expandContainer(path: string, destDir: string): Promise<{ entries: { path: string; name: string }[] }>;
  renderPdfA(doc: { title: string; language: 'kk' | 'ru'; blocks: unknown[]; author?: string; date?: Date }): Promise<Uint8Array>;
  /** The internal inventory (App. 32) as PDF/A-1b in one language (forms/internal-inventory.ts). */
  renderInternalInventory(inventory: InternalInventory, language: 'kk' | 'ru', meta?: { author?: string; date?: Date }): Promise<Uint8Array>;
  validatePdfA(input: string | Uint8Array, options?: { file?: string }): Promise<PdfaReport>;
}

let loaded: Promise<IngestTools> | undefined;

// Specifiers are kept in variables so that this file's type check does not depend on
// whether each provider module has landed; the shapes above are the contract.
const MODULES = {
  transfer: '../transfer/index',
  scan: '../scan/index',
  convert: '../convert/index',
  pdfa: '../../validators/pdfa/index',
  signature: '../../validators/signature/index',
  schemas: '../../validators/schemas/index',
  forms: '../../forms/internal-inventory',
} as const;

async function load(name: keyof typeof MODULES): Promise<Record<string, unknown>> {
  const spec: string = MODULES[name];
  return (await import(/* @vite-ignore */ spec)) as Record<string, unknown>;
}

export function loadTools(): Promise<IngestTools> {
  loaded ??= (async () => {
    const [transfer, scan, convert, pdfa, signature, schemas, forms] = await Promise.all([
      load('transfer'),
      load('scan'),
      load('convert'),
      load('pdfa'),
      load('signature'),
      load('schemas'),
      load('forms'),
    ]);
    return {
      unpackTransfer: transfer.unpackTransfer,
      checkManifestAgainstFiles: transfer.checkManifestAgainstFiles,
      validateAgainst: schemas.validateAgainst,
      identifyFormat: scan.identifyFormat,
      scanForMalware: scan.scanForMalware,
      verifySignature: signature.verifySignature,
      signDetached: signature.signDetached,
      createConverter: convert.createConverter,
      checkReproducibility: convert.checkReproducibility,
      expandContainer: convert.expandContainer,
      renderPdfA: convert.renderPdfA,
      renderInternalInventory: forms.renderInternalInventoryPdf,
      validatePdfA: pdfa.validatePdfA,
    } as IngestTools;
  })();
  return loaded;
}

export interface IngestDeps {
  db: import('kysely').Kysely<import('../../database/database').Database>;
  storage: Storage;
  config: import('../../common/config').Config;
  /** Defaults to the system's modules; benches pass the same ones explicitly. */
  tools?: IngestTools;
}
