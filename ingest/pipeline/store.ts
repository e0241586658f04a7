// The last steps: build each e-dossier, write all of its objects to the store (primary and
// replicas) and seal its AIP manifest; then index each dossier in one transaction. Objects
// are written before the catalog names them, so no partial dossier is ever visible.
import path from 'node:path';
import { readFile, stat } from 'node:fs/promises';
import { sha256File } from '../../common/hash';
import { recordAudit } from '../../audit/audit.service';
import { authorizeSigner } from '../../accounts/signers.service';
import { SystemError } from '../../common/errors';
import type { AccessMetadata, Retention, DossierSignatureStatus, AipManifest } from '../../validators/schemas/types';
import { AipBuilder, putEverywhere, serialiseJson } from '../aip';
import { openContentSealer } from '../../destruction/content';
import { buildDocuments, buildInventory, buildDossierMetadata, integrityStatement, aipFileName, signatureRecord, type DossierInput } from '../dossier/build';
import { inStatements, loadDocs, localFile, renditionFile, writeDocUpdates, type DocRow } from './documents';
import { addDocumentsEvidence, addReportEvidence, evidenceFile, sha256Of, signerMetadataOf, EVIDENCE_RECORDS_PATH, type SignatureEvidenceRecord } from '../aip/signature-evidence';
import { listSteps } from './state';
import type { Ctx } from './context';
import { Bounded } from './pool';
import { convertEmbedded, type EmbeddedOriginal } from './steps/convert';
import type { TransferManifest } from './tools';
import { catalogContextOf, CATALOG_CONTEXT_PATH } from '../../preservation/rebuild/context';

export interface StoredSignature {
  kind: 'inventory' | 'integrity';
  signer: { subject: string; serialNumber?: string; iin?: string; bin?: string; signingTime?: string };
  cmsSha256: string;
  verdict: string;
}

export interface StoredDossier {
  index: string;
  volume: number;
  title: string;
  manifestSha256: string;
  inventorySha256: string;
  integritySha256: string;
  status: 'awaiting-signature' | 'stored';
  metadata: Record<string, unknown>;
  documents: { documentId: string; position: number; aipPath: string; renditionPath: string | null; controlCharacteristic: string; previous: string | null; metadata: Record<string, unknown> }[];
  rejected: { documentId: string; aipPath: string }[];
  signatures: StoredSignature[];
  /** The content key its documents are sealed under (retention not permanent, docs/destruction.md). */
  contentKeyId?: string;
}

export const MURAGAT_TOOL = { name: 'muragat', version: process.env.npm_package_version ?? '0.1.0' };

async function eventsAndTools(ctx: Ctx): Promise<{ events: AipManifest['events']; tools: AipManifest['tools'] }> {
  const steps = await listSteps(ctx.deps.db, ctx.transferId);
  const tools = new Map<string, string>([[MURAGAT_TOOL.name, MURAGAT_TOOL.version]]);
  const events: AipManifest['events'] = [];
  for (const s of steps) {
    if (s.status !== 'done' || ['store', 'index', 'complete'].includes(s.step)) continue;
    const out = (s.output ?? {}) as Record<string, unknown>;
    const stepTools: string[] = [];
    if (s.step === 'scan') {
      const tool = out.tool as { name?: string; version?: string } | undefined;
      if (tool?.name) {
        tools.set(tool.name, tool.version ?? 'unknown');
        stepTools.push(`${tool.name} ${tool.version ?? ''}`.trim());
      }
    }
    if (s.step === 'convert') {
      for (const [name, version] of Object.entries((out.tools ?? {}) as Record<string, string>)) {
        tools.set(name, version || 'unknown');
        stepTools.push(`${name} ${version}`.trim());
      }
    }
    if (s.step === 'validate' && out.engine) {
      tools.set(`pdfa-validator-${String(out.engine)}`, MURAGAT_TOOL.version);
      stepTools.push(`pdfa-validator ${String(out.engine)}`);
    }
    events.push({
      at: s.finishedAt ?? s.startedAt ?? new Date(0).toISOString(),
      type: `ingest.${s.step}`,
      outcome: 'success',
      actor: ctx.actor.username,
      tool: (stepTools.join(', ') || `${MURAGAT_TOOL.name} ${MURAGAT_TOOL.version}`).slice(0, 200),
      detail: JSON.stringify({ ...out, entries: undefined, manifest: undefined, checks: undefined, embedded: undefined }).slice(0, 1000),
    });
  }
  return { events, tools: [...tools].map(([name, version]) => ({ name, version })) };
}

/** Our own objects must meet the published schemas; a failure here is a defect, not bad input. */
function assertSchema(ctx: Ctx, name: 'document-metadata' | 'dossier-metadata' | 'internal-inventory' | 'aip-manifest', value: unknown, where: string): void {
  const r = ctx.tools.validateAgainst(name, value);
  if (!r.valid) {
    throw new SystemError('ingest.schema_violation', 'ingest.schema_violation', { where, problems: r.problems.map((p) => `${p.pointer} ${p.message.en}`).join('; ') });
  }
}

/**
 * Objects of one dossier in flight at once. Each put waits on two fsyncs (the file, then its
 * folder after the link) on libuv's thread pool; one at a time left the disk idle between
 * them. Every put stays individually crash-safe and write-once (FsObjectStore.put), and the
 * AIP manifest is still stored only after all of them have finished.
 */
const PUT_CONCURRENCY = 8;
/** Dossiers of a transfer stored side by side (storeDossiers). */
const DOSSIERS_AT_ONCE = 2;

function dossierKey(index: string | null, volume: number): string {
  return `${index ?? ''}#${volume}`;
}

export async function storeDossiers(ctx: Ctx, manifest: TransferManifest): Promise<StoredDossier[]> {
  const { deps } = ctx;
  const transfer = await deps.db.selectFrom('transfers').select(['received_at']).where('id', '=', ctx.transferId).executeTakeFirstOrThrow();
  const receivedAt = new Date(transfer.received_at).toISOString();
  const docs = await loadDocs(deps.db, ctx.transferId);
  const { events, tools } = await eventsAndTools(ctx);
  const result: StoredDossier[] = new Array(manifest.dossiers.length);
  // Two dossiers at once: much of storing one is waiting for its writes to settle on disk (fsync,
  // every location), and the other's building, rendering and signing fills that time. Results keep
  // the manifest's order. After a failure no further dossier is started, the one under way is let
  // finish (no write is left running behind the failed step), then the failure is thrown.
  const queue = manifest.dossiers.map((d, i) => ({ d, i }));
  let stored = 0;
  let failed = false;
  const worker = async () => {
    for (let next = queue.shift(); next && !failed; next = queue.shift()) {
      const { d, i } = next;
      const sent = d.volume ?? 1;
      const mine = docs.filter((doc) => dossierKey(doc.dossierIndex, doc.volume) === dossierKey(d.index, sent));
      // A new volume of an index the archive already holds is numbered after the kept ones (steps/case-index.ts).
      const volume = ctx.volumes?.get(dossierKey(d.index, sent)) ?? sent;
      ctx.progress({ step: 'store', done: stored, total: manifest.dossiers.length, item: d.index });
      try {
        result[i] = await storeOneDossier(ctx, { manifest, d, volume, sequence: i + 1, docs: mine, receivedAt }, events, tools);
      } catch (error) {
        failed = true;
        throw error;
      }
      stored += 1;
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(DOSSIERS_AT_ONCE, queue.length) }, worker));
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  // Files the manifest does not place in any dossier are kept in a rejected-items package.
  const orphans = docs.filter((doc) => doc.dossierIndex === null);
  if (orphans.length) await storeRejectedItems(ctx, orphans, null);
  return result;
}

type DossierEntry = TransferManifest['dossiers'][number];
type BuiltDocument = ReturnType<typeof buildDocuments>[number];

/** One dossier of the transfer as it is stored: where it sits and the documents it holds. */
interface DossierPlace {
  manifest: TransferManifest;
  d: DossierEntry;
  volume: number;
  sequence: number;
  docs: DocRow[];
  receivedAt: string;
}

/** One dossier: its documents' objects, the inventory (JSON and PDFs), the integrity statement,
 * optional signatures, the dossier metadata and the rejected items; the AIP manifest last. */
async function storeOneDossier(ctx: Ctx, place: DossierPlace, events: AipManifest['events'], tools: AipManifest['tools']): Promise<StoredDossier> {
  const { manifest, d, volume, docs, receivedAt } = place;
  const attachments = attachmentFiles(ctx, docs, await convertEmbedded(ctx));
  const input = await dossierInput(ctx, place, attachments);
  const built = buildDocuments(input);
  for (const b of built) assertSchema(ctx, 'document-metadata', b.metadata, b.metadataPath);
  // A dossier that may be destroyed one day is stored sealed under its own key, so destroying
  // the key later makes every copy of its content unreadable (p.186-1, docs/destruction.md).
  const sealer = input.retention.kind === 'permanent' ? undefined : await openContentSealer(ctx.deps, `${ctx.transferId}/${d.index}/${volume}`, putEverywhere);
  const aip = new AipBuilder(ctx.deps.storage, sealer);
  // Document objects are queued here and written while the inventory is built and rendered.
  const writes = new Bounded(PUT_CONCURRENCY);
  try {
    const notes = queueDocumentObjects(ctx, aip, writes, built, docs, attachments);
    const inventory = buildInventory(input, built, notes);
    assertSchema(ctx, 'internal-inventory', inventory, 'inventory/internal-inventory.json');
    const inventoryEntry = await aip.addJson('inventory/internal-inventory.json', 'internal-inventory', inventory);
    await queueInventoryRenditions(ctx, aip, writes, inventory, d.index, input.compiledBy.name, receivedAt);
    const statement = integrityStatement(input, inventoryEntry.sha256, built);
    const integrityEntry = await aip.addBytes('integrity.json', 'evidence', statement);
    // Certificates, CRLs and anchors of every signature go into the AIP with it (p.94–97-1, docs/signatures.md).
    const evidence: SignatureEvidenceRecord[] = await addDocumentsEvidence(aip, ctx.work, built, docs);
    const { signatures, sigStatus } = await signDossier(ctx, aip, serialiseJson(inventory), statement, { index: d.index, department: manifest.transfer.department.code }, evidence);
    if (evidence.length) void writes.run(() => aip.addJson(EVIDENCE_RECORDS_PATH, 'evidence', evidenceFile(evidence)));
    // Who signed goes into the AIP itself (dossier.json), not only into the catalog (issue 10).
    const records = signatures.flatMap((s) => ('fullName' in s.signer && s.signer.fullName ? [signatureRecord(s.kind, s.cmsSha256, s.verdict, s.signer as Parameters<typeof signatureRecord>[3], s.signer.signingTime)] : []));
    const metadata = buildDossierMetadata(input, built, inventory, inventoryEntry.sha256, sigStatus, records);
    assertSchema(ctx, 'dossier-metadata', metadata, 'dossier.json');
    void writes.run(() => aip.addJson('dossier.json', 'dossier-metadata', metadata));
    // What the catalog knew and the AIP does not say, for `catalog rebuild --from-storage` (docs/rebuild.md).
    void writes.run(async () => aip.addJson(CATALOG_CONTEXT_PATH, 'report', await catalogContextOf(ctx.deps.db, ctx.transferId, manifest.transfer.department.code, docs.map((doc) => doc.id))));
    const rejected = await queueRejectedDocuments(ctx, aip, writes, docs);
    // The manifest names only objects already written: every put above must have finished.
    await writes.settled();
    const sealed = await aip.seal({
      aipId: `${ctx.transferId}/${d.index}/${volume}`,
      dossierIndex: d.index,
      fonds: input.fonds,
      year: input.year,
      createdAt: receivedAt,
      transferId: ctx.transferId,
      events,
      tools,
    });
    const allSigned = signatures.length === 2 && signatures.every((s) => s.verdict === 'valid');
    return {
      index: d.index,
      volume,
      title: d.title,
      manifestSha256: sealed.sha256,
      inventorySha256: inventoryEntry.sha256,
      integritySha256: integrityEntry.sha256,
      status: allSigned ? 'stored' : 'awaiting-signature',
      metadata: metadata as unknown as Record<string, unknown>,
      documents: built.map((b) => ({
        documentId: b.documentId,
        position: b.metadata.position,
        aipPath: b.originalPath,
        renditionPath: b.renditionPath,
        controlCharacteristic: b.metadata.controlCharacteristic,
        previous: b.metadata.previous,
        metadata: b.metadata as unknown as Record<string, unknown>,
      })),
      rejected,
      signatures,
      ...(sealer ? { contentKeyId: sealer.keyId } : {}),
    };
  } catch (error) {
    // Leave no write running behind a failed store step (it is re-run from scratch).
    await writes.settled().catch(() => undefined);
    throw error;
  }
}

/** The dossier as the builders see it: the manifest's description plus each included document. */
async function dossierInput(ctx: Ctx, place: DossierPlace, attachments: Map<string, AttachmentFile[]>): Promise<DossierInput> {
  const { manifest, d, volume, sequence, docs, receivedAt } = place;
  const included = docs.filter((doc) => doc.status === 'accepted' || doc.status === 'conversion-failed');
  const hashing = new Bounded(PUT_CONCURRENCY);
  // The fonds creator's access rights (p.212) as the manifest gives them, checked by its schema;
  // a file unpacked from an archive inherits the archive's.
  const described = d as { access?: AccessMetadata; documents: { path: string; access?: AccessMetadata }[] };
  const accessByPath = new Map(described.documents.filter((x) => x.access).map((x) => [x.path, x.access!]));
  const accessOfDoc = (doc: DocRow) => accessByPath.get(doc.source) ?? (doc.parent ? accessByPath.get(doc.parent) : undefined);
  return {
    transferId: ctx.transferId,
    sequence,
    index: d.index,
    title: d.title,
    volume,
    retention: (d.retention as Retention | undefined) ?? { kind: 'permanent' },
    startDate: d.startDate ?? null,
    endDate: d.endDate ?? null,
    department: manifest.transfer.department,
    year: manifest.transfer.year,
    fonds: manifest.transfer.fonds ?? manifest.transfer.organisation.bin,
    compiledBy: { name: manifest.transfer.compiledBy?.name ?? ctx.actor.username, position: manifest.transfer.compiledBy?.position ?? '—' },
    compiledAt: receivedAt,
    documents: await Promise.all(included.map(async (doc) => ({ ...(await documentInput(ctx, doc, hashing, attachments.get(doc.id) ?? [])), ...(accessOfDoc(doc) ? { access: accessOfDoc(doc) } : {}) }))),
    ...(described.access ? { access: described.access } : {}),
  };
}

/** A further original of a document: one the sender attached, or one embedded in its PDF. */
interface AttachmentFile {
  name: string;
  sha256: string;
  size: number;
  /** Where the bytes lie in the work folder. */
  file: string;
  embeddedIn?: string;
}

/**
 * Each document's further originals: the sender's attachments, then the files embedded in its
 * PDF (extracted by the convert step) under names unique within the document's attachments.
 */
function attachmentFiles(ctx: Ctx, docs: DocRow[], embedded: Record<string, EmbeddedOriginal[]>): Map<string, AttachmentFile[]> {
  const out = new Map<string, AttachmentFile[]>();
  for (const doc of docs) {
    const files: AttachmentFile[] = (doc.entry.attachments ?? []).map((a) => ({ name: path.basename(a.path), sha256: a.sha256, size: a.size, file: path.join(ctx.work, 'files', a.path) }));
    const taken = new Set(files.map((f) => aipFileName(f.name)));
    for (const e of embedded[doc.id] ?? []) {
      let name = aipFileName(e.name);
      for (let n = 2; taken.has(name); n++) name = `${n}-${aipFileName(e.name)}`;
      taken.add(name);
      files.push({ name, sha256: e.sha256, size: e.size, file: path.join(ctx.work, e.path), embeddedIn: path.basename(doc.source) });
    }
    out.set(doc.id, files);
  }
  return out;
}

async function documentInput(ctx: Ctx, doc: DocRow, hashing: Bounded, attachments: AttachmentFile[]): Promise<DossierInput['documents'][number]> {
  const rendition = doc.status === 'accepted' ? renditionFile(ctx.work, doc) : null;
  const sig = doc.signature;
  return {
    documentId: doc.id,
    source: doc.source,
    status: doc.status as 'accepted' | 'conversion-failed',
    acceptedWithReason: doc.acceptedWithReason,
    title: doc.entry.title,
    date: doc.entry.date,
    number: doc.entry.number,
    language: doc.entry.language,
    author: doc.entry.author,
    pages: doc.entry.pages,
    kind: doc.entry.kind,
    inferred: doc.entry.inferred,
    attachments: attachments.map((a) => ({ name: a.name, sha256: a.sha256, size: a.size, ...(a.embeddedIn ? { embeddedIn: a.embeddedIn } : {}) })),
    original: { name: path.basename(doc.source), sha256: doc.sha256, size: doc.size, mime: doc.format?.mime ?? 'application/octet-stream', format: doc.format?.name ?? 'unknown' },
    rendition: rendition
      ? { name: `${path.basename(doc.source).replace(/\.[^.]*$/, '') || 'document'}.pdf`, ...(await hashing.run(() => sha256File(rendition))) }
      : null,
    signatures: (sig?.files ?? []).map((f) => ({
      name: path.basename(f.path),
      sha256: f.sha256,
      size: f.size,
      verdict: (sig?.verdict === 'unsigned' ? 'cannot-verify' : sig?.verdict ?? 'cannot-verify') as 'valid' | 'invalid' | 'cannot-verify',
      ...(sig?.reason ? { reason: sig.reason.slice(0, 1000) } : {}),
      signers: sig?.signers ?? [],
      signerDetails: signerMetadataOf(sig?.evidence, f.sha256),
    })),
    seq: doc.seq,
  };
}

/** Queues every object of the included documents; returns the inventory's notes per document. */
function queueDocumentObjects(ctx: Ctx, aip: AipBuilder, writes: Bounded, built: BuiltDocument[], docs: DocRow[], attachments: Map<string, AttachmentFile[]>): Map<string, string> {
  const byId = new Map(docs.map((doc) => [doc.id, doc]));
  const notes = new Map<string, string>();
  for (const b of built) {
    const doc = byId.get(b.documentId)!;
    void writes.run(() => aip.addFile(b.originalPath, 'original', localFile(ctx.work, doc), doc.sha256, doc.id));
    for (const [i, f] of (doc.signature?.files ?? []).entries()) {
      void writes.run(() => aip.addFile(b.signaturePaths[i]!, 'signature', path.join(ctx.work, 'files', f.path), f.sha256, doc.id));
    }
    for (const [i, a] of (attachments.get(doc.id) ?? []).entries()) {
      void writes.run(() => aip.addFile(b.attachmentPaths[i]!, 'attachment', a.file, a.sha256, doc.id));
    }
    if (b.renditionPath) void writes.run(() => aip.addFile(b.renditionPath!, 'rendition', renditionFile(ctx.work, doc), b.metadata.rendition!.sha256, doc.id));
    void writes.run(() => aip.addJson(b.metadataPath, 'document-metadata', b.metadata, doc.id));
    if (doc.problems.length) void writes.run(() => aip.addJson(`${b.folder}/problems.json`, 'report', doc.problems, doc.id));
    if (b.status === 'conversion-failed') notes.set(doc.id, 'PDF/A rendition failed; original kept');
    else if (doc.acceptedWithReason) notes.set(doc.id, `Signature invalid, accepted: ${doc.acceptedWithReason}`.slice(0, 500));
  }
  return notes;
}

/** The internal inventory rendered as PDF/A in Kazakh and Russian. */
async function queueInventoryRenditions(
  ctx: Ctx,
  aip: AipBuilder,
  writes: Bounded,
  inventory: ReturnType<typeof buildInventory>,
  index: string,
  author: string,
  receivedAt: string,
): Promise<void> {
  for (const language of ['kk', 'ru'] as const) {
    // App. 32 with the seed's headings and number row (forms/appendix-32.ts).
    const pdf = await ctx.tools.renderInternalInventory(inventory, language, { author, date: new Date(receivedAt) });
    void writes.run(() => aip.addBytes(`inventory/internal-inventory-${language}.pdf`, 'internal-inventory-rendition', pdf));
  }
}

/**
 * Signs the inventory and the integrity statement with the operator's key, when one was given.
 * As for a signature uploaded later, the key's certificate must be registered to a user who
 * signs that statement for this department (accounts/signers.service.ts); otherwise the store
 * step fails naming why, and a retry after the registration resumes here.
 */
async function signDossier(
  ctx: Ctx,
  aip: AipBuilder,
  inventoryBytes: Uint8Array,
  statement: Uint8Array,
  dossier: { index: string; department: string },
  evidence: SignatureEvidenceRecord[],
): Promise<{ signatures: StoredSignature[]; sigStatus: { status: DossierSignatureStatus; signer?: string; signingTime?: string } }> {
  const signatures: StoredSignature[] = [];
  let sigStatus: { status: DossierSignatureStatus; signer?: string; signingTime?: string } = { status: 'absent' };
  if (!ctx.options.signer) return { signatures, sigStatus };
  const { pkcs12, password } = ctx.options.signer;
  for (const [kind, content, file] of [
    ['inventory', inventoryBytes, 'signatures/internal-inventory.p7s'],
    ['integrity', statement, 'signatures/integrity.p7s'],
  ] as const) {
    const cms = await ctx.tools.signDetached(content, pkcs12, password);
    const check = await ctx.tools.verifySignature({ signature: cms, content, trustDir: ctx.deps.config.trustDir });
    const s = check.signers[0];
    const identity =
      s && check.verdict === 'valid'
        ? await authorizeSigner(ctx.deps.db, {
            userId: ctx.actor.userId,
            kind,
            dossier: { id: `${ctx.transferId}/${dossier.index}`, index: dossier.index, department: dossier.department },
            signer: s.signer,
            certificates: (check as { evidence?: { certificates?: Uint8Array[] } }).evidence?.certificates ?? [],
            actor: ctx.actor,
          })
        : undefined;
    const entry = await aip.addBytes(file, kind === 'inventory' ? 'internal-inventory-signature' : 'dossier-signature', cms);
    const contentPath = kind === 'inventory' ? 'inventory/internal-inventory.json' : 'integrity.json';
    evidence.push(await addReportEvidence(aip, check, cms, { signature: { path: file, sha256: entry.sha256 }, content: { path: contentPath, sha256: sha256Of(content) } }));
    signatures.push({ kind, signer: { ...identity, subject: s?.signer.subject ?? '', serialNumber: s?.signer.serialNumber, iin: s?.signer.iin, bin: s?.signer.bin, signingTime: s?.signingTime }, cmsSha256: entry.sha256, verdict: check.verdict });
    if (kind === 'integrity') sigStatus = { status: check.verdict, ...(s ? { signer: s.signer.subject } : {}), ...(s?.signingTime ? { signingTime: s.signingTime } : {}) };
  }
  return { signatures, sigStatus };
}

/** Rejected originals (evidence) and expanded containers go into the AIP with their problems. */
async function queueRejectedDocuments(ctx: Ctx, aip: AipBuilder, writes: Bounded, docs: DocRow[]): Promise<StoredDossier['rejected']> {
  const rejected: StoredDossier['rejected'] = [];
  for (const doc of docs.filter((x) => x.status === 'rejected' || x.status === 'expanded')) {
    const folder = `${doc.status === 'expanded' ? 'containers' : 'rejected'}/${String(doc.seq).padStart(4, '0')}`;
    const file = localFile(ctx.work, doc);
    if (await stat(file).catch(() => null)) {
      const p = `${folder}/${aipFileName(path.basename(doc.source))}`;
      void writes.run(() => aip.addFile(p, doc.status === 'expanded' ? 'original' : 'evidence', file, undefined, doc.id));
      rejected.push({ documentId: doc.id, aipPath: p });
      for (const f of [...doc.entry.signatures, ...(doc.entry.attachments ?? [])]) {
        void writes.run(() => aip.addFile(`${folder}/${aipFileName(path.basename(f.path))}`, 'signature', path.join(ctx.work, 'files', f.path), f.sha256, doc.id));
      }
    }
    void writes.run(() => aip.addJson(`${folder}/problems.json`, 'report', { source: doc.source, status: doc.status, problems: doc.problems }, doc.id));
  }
  return rejected;
}

/** Keeps items that belong to no dossier (or a refused package) so nothing handed over is lost. */
export async function storeRejectedItems(ctx: Ctx, docs: DocRow[], sourceTar: string | null): Promise<string> {
  const aip = new AipBuilder(ctx.deps.storage);
  if (sourceTar) await aip.addFile('source/transfer.tar', 'evidence', sourceTar);
  for (const doc of docs) {
    const folder = `rejected/${String(doc.seq).padStart(4, '0')}`;
    const file = localFile(ctx.work, doc);
    if (await stat(file).catch(() => null)) await aip.addFile(`${folder}/${aipFileName(path.basename(doc.source))}`, 'evidence', file, undefined, doc.id);
    await aip.addJson(`${folder}/problems.json`, 'report', { source: doc.source, problems: doc.problems }, doc.id);
  }
  const transfer = await ctx.deps.db.selectFrom('transfers').select(['received_at', 'report']).where('id', '=', ctx.transferId).executeTakeFirstOrThrow();
  const sealed = await aip.seal({
    aipId: `${ctx.transferId}/rejected-items`,
    dossierIndex: 'rejected-items',
    createdAt: new Date(transfer.received_at).toISOString(),
    transferId: ctx.transferId,
    events: [],
    tools: [MURAGAT_TOOL],
  });
  await ctx.deps.db
    .updateTable('transfers')
    .set({ report: JSON.stringify({ ...((transfer.report as object | null) ?? {}), rejectedItemsManifest: sealed.sha256 }) })
    .where('id', '=', ctx.transferId)
    .execute();
  return sealed.sha256;
}

// The catalog rows of a stored dossier, one mapping for the pipeline that indexes a new AIP and
// for the rebuild from storage (preservation/rebuild/write.ts) that writes them again from it.

/** The `dossiers` row of a stored dossier. */
export function dossierRow(transferId: string, d: Pick<StoredDossier, 'index' | 'volume' | 'title' | 'status' | 'manifestSha256' | 'inventorySha256' | 'integritySha256'> & { metadata: unknown }) {
  return {
    transfer_id: transferId,
    case_index: d.index,
    volume: d.volume,
    title: d.title,
    status: d.status,
    aip_manifest_sha256: d.manifestSha256,
    inventory_sha256: d.inventorySha256,
    integrity_sha256: d.integritySha256,
    metadata: JSON.stringify(d.metadata),
  };
}

/** A `dossier_documents` row: one link of the dossier's control-characteristic chain. */
export function dossierDocumentRow(dossierId: string, doc: Omit<StoredDossier['documents'][number], 'renditionPath' | 'metadata'> & { metadata: unknown }) {
  return { dossier_id: dossierId, position: doc.position, document_id: doc.documentId, aip_path: doc.aipPath, control_characteristic: doc.controlCharacteristic, previous: doc.previous, metadata: JSON.stringify(doc.metadata) };
}

/** A `dossier_signatures` row. */
export function dossierSignatureRow(dossierId: string, s: Omit<StoredSignature, 'signer'> & { signer: unknown }) {
  return { dossier_id: dossierId, kind: s.kind, signer: JSON.stringify(s.signer), cms_sha256: s.cmsSha256, verdict: s.verdict };
}

/** One transaction per dossier; a dossier already indexed (re-run after a crash) is skipped. */
export async function indexDossiers(ctx: Ctx, dossiers: StoredDossier[]): Promise<number> {
  let indexed = 0;
  for (const d of dossiers) {
    await ctx.deps.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('dossiers')
        .values(dossierRow(ctx.transferId, d))
        .onConflict((oc) => oc.columns(['transfer_id', 'case_index', 'volume']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!row) return;
      if (d.contentKeyId) await trx.updateTable('content_keys').set({ dossier_id: row.id }).where('key_id', '=', d.contentKeyId).execute();
      // In statements of many rows: on the embedded catalog each statement is a round through
      // PGlite on the ingest's thread, after the last conversion.
      await inStatements(d.documents, (slice) => trx.insertInto('dossier_documents').values(slice.map((doc) => dossierDocumentRow(row.id, doc))).execute());
      await writeDocUpdates(trx, new Map(d.documents.flatMap((doc) => (doc.renditionPath ? [[doc.documentId, { renditionPath: doc.renditionPath }] as const] : []))));
      for (const s of d.signatures) {
        await trx.insertInto('dossier_signatures').values(dossierSignatureRow(row.id, s)).execute();
      }
      await recordAudit(trx, {
        actor: ctx.actor,
        action: 'dossier.store',
        objectType: 'dossier',
        objectId: row.id,
        details: { index: d.index, volume: d.volume, aipManifest: d.manifestSha256, documents: d.documents.length, rejected: d.rejected.length, status: d.status },
      });
      indexed += 1;
    });
  }
  return indexed;
}

export { readFile };
