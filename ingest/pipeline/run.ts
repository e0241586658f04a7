// Ingest orchestration: receive → unpack → manifest → identify → scan → signatures →
// convert → validate → reproducibility → store (AIP) → index (catalog) → complete.
// Each step is durable (see state.ts); a killed run resumes at the first unfinished step.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { availableParallelism } from 'node:os';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sha256File } from '../../common/hash';
import { isAppError, PayloadTooLargeError } from '../../common/errors';
import { t } from '../../common/i18n';
import { recordAudit, SYSTEM_ACTOR, type Actor } from '../../catalog/audit.service';
import type { Problem } from '../tables';
import { runStep, listSteps, type StepName } from './state';
import { loadDocs, localFile, renditionFile, writeDocUpdates, reject, warn, patch, type DocRow, type DocUpdate, type ManifestEntryRecord } from './documents';
import { loadTools, type IngestDeps, type IngestTools, type TransferManifest, type FormatId, type MalwareResult, type PdfaReport } from './tools';
import { storeDossiers, indexDossiers, storeRejectedItems, type StoredDossier } from './store';
import { buildReport, type IngestReport } from './report';

/** Limits of one e-document (p.147). */
export const DOCUMENT_MAX_BYTES = 95 * 1024 * 1024;
export const DOCUMENT_MAX_FILES = 80;

export interface IngestOptions {
  /** source path → the archivist's reason for accepting a document whose signature is invalid. */
  acceptInvalidSignature?: Record<string, string>;
  /** Signing credentials of the person running the CLI; never stored. */
  signer?: { pkcs12: Uint8Array; password: string };
}

export interface IngestProgress {
  step: StepName | 'receive';
  done: number;
  total: number;
  item?: string;
}

export interface RunIngestInput {
  tarPath: string;
  actor?: Actor;
  options?: IngestOptions;
  onProgress?: (p: IngestProgress) => void;
  /** Test hook: called after each step is durably done (crash-resume tests kill here). */
  afterStep?: (step: StepName) => void;
}

export function problem(code: string, params: Record<string, unknown> = {}, where?: string, clause?: string): Problem {
  return { code, message: t('en', code, params), ...(where ? { where } : {}), ...(clause ? { clause } : {}), details: params };
}

export function quarantineDir(deps: IngestDeps, transferId: string): string {
  return path.join(deps.config.dataDir, 'quarantine', transferId);
}

/** Receives and processes a transfer package; returns the report (also kept in the catalog). */
export async function runIngest(deps: IngestDeps, input: RunIngestInput): Promise<IngestReport> {
  const transferId = await receiveTransfer(deps, { tarPath: input.tarPath, actor: input.actor, options: input.options, onProgress: input.onProgress });
  return processTransfer(deps, transferId, { options: input.options, onProgress: input.onProgress, afterStep: input.afterStep });
}

/**
 * Copies the package into quarantine while hashing it. The same package received again is
 * the same transfer: an unfinished one is resumed, a finished one is not ingested twice.
 */
export async function receiveTransfer(
  deps: IngestDeps,
  input: { tarPath: string; actor?: Actor; options?: IngestOptions; onProgress?: (p: IngestProgress) => void; sourceName?: string },
): Promise<string> {
  const actor = input.actor ?? SYSTEM_ACTOR;
  const incoming = path.join(deps.config.dataDir, 'quarantine', `incoming-${randomUUID()}.tar`);
  await mkdir(path.dirname(incoming), { recursive: true });
  const limit = deps.config.transferMaxBytes;
  const total = (await stat(input.tarPath)).size;
  const sourceName = input.sourceName ?? path.basename(input.tarPath);
  if (total > limit) {
    // Refused before copying: record why, with no bytes accepted.
    await refuseTransfer(deps, actor, sourceName, total, problem('ingest.transfer_too_large', { size: total, limit }));
    throw new PayloadTooLargeError('ingest.transfer_too_large', 'ingest.transfer_too_large', { size: total, limit });
  }
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(
    createReadStream(input.tarPath),
    new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        hash.update(chunk);
        input.onProgress?.({ step: 'receive', done: size, total });
        cb(null, chunk);
      },
    }),
    createWriteStream(incoming),
  );
  const sha256 = hash.digest('hex');
  const existing = await deps.db.selectFrom('transfers').select(['id', 'status']).where('source_sha256', '=', sha256).executeTakeFirst();
  let transferId: string;
  if (existing) {
    transferId = existing.id;
  } else {
    transferId = await deps.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('transfers')
        .values({
          status: 'processing',
          source_name: sourceName,
          source_sha256: sha256,
          source_size: size,
          limits: JSON.stringify({ transferMaxBytes: limit, documentMaxBytes: DOCUMENT_MAX_BYTES, documentMaxFiles: DOCUMENT_MAX_FILES }),
          options: JSON.stringify({ acceptInvalidSignature: input.options?.acceptInvalidSignature ?? {} }),
          actor: JSON.stringify(actor),
          problems: '[]',
        })
        .onConflict((oc) => oc.column('source_sha256').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!row) return '';
      await recordAudit(trx, { actor, action: 'transfer.receive', objectType: 'transfer', objectId: row.id, details: { sha256, size, source: sourceName } });
      return row.id;
    });
    if (!transferId) {
      // A concurrent receipt of the same package won the insert.
      transferId = (await deps.db.selectFrom('transfers').select('id').where('source_sha256', '=', sha256).executeTakeFirstOrThrow()).id;
    }
  }
  const dir = quarantineDir(deps, transferId);
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, 'source.tar');
  const have = await stat(target).catch(() => null);
  const done = existing?.status === 'completed' || existing?.status === 'failed';
  if (!have && !done) await rename(incoming, target);
  else await rm(incoming, { force: true });
  return transferId;
}

async function refuseTransfer(deps: IngestDeps, actor: Actor, sourceName: string, size: number, why: Problem): Promise<string> {
  return deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('transfers')
      .values({ status: 'failed', source_name: sourceName, source_sha256: null, source_size: size, problems: JSON.stringify([why]), actor: JSON.stringify(actor), finished_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { actor, action: 'transfer.refuse', objectType: 'transfer', objectId: row.id, details: { code: why.code, size } });
    return row.id;
  });
}

export interface ProcessOptions {
  options?: IngestOptions;
  onProgress?: (p: IngestProgress) => void;
  afterStep?: (step: StepName) => void;
}

/** Runs (or resumes) every unfinished step of a received transfer. */
export async function processTransfer(deps: IngestDeps, transferId: string, run: ProcessOptions = {}): Promise<IngestReport> {
  const tools = deps.tools ?? (await loadTools());
  const transfer = await deps.db.selectFrom('transfers').selectAll().where('id', '=', transferId).executeTakeFirstOrThrow();
  if (transfer.status === 'completed' || transfer.status === 'failed') return buildReport(deps, transferId);
  const actor = (transfer.actor as unknown as Actor)?.username ? (transfer.actor as unknown as Actor) : SYSTEM_ACTOR;
  const stored = transfer.options as { acceptInvalidSignature?: Record<string, string> };
  const options: IngestOptions = { ...run.options, acceptInvalidSignature: { ...stored.acceptInvalidSignature, ...run.options?.acceptInvalidSignature } };
  const work = quarantineDir(deps, transferId);
  const ctx: Ctx = { deps, tools, transferId, work, actor, options, progress: run.onProgress ?? (() => {}), afterStep: run.afterStep };
  await deps.db.updateTable('transfers').set({ status: 'processing' }).where('id', '=', transferId).execute();
  try {
    const unpacked = await stepUnpack(ctx);
    if (!unpacked.ok) return failTransfer(ctx, unpacked.problems);
    const manifest = await stepManifest(ctx, unpacked.entries);
    if (!manifest.ok) return failTransfer(ctx, manifest.problems);
    await stepIdentify(ctx);
    await stepScan(ctx);
    await stepSignatures(ctx);
    await stepConvert(ctx);
    await stepValidate(ctx);
    await stepReproducibility(ctx);
    const dossiers = await runStep(deps.db, transferId, 'store', async () => ({ output: await storeDossiers(ctx, manifest.manifest) }), ctx.afterStep);
    await runStep(deps.db, transferId, 'index', async () => ({ output: { indexed: await indexDossiers(ctx, dossiers) } }), ctx.afterStep);
    await runStep(
      deps.db,
      transferId,
      'complete',
      async () => ({
        output: { dossiers: dossiers.length },
        write: async (trx) => {
          await trx.updateTable('transfers').set({ status: 'completed', finished_at: new Date() }).where('id', '=', transferId).execute();
          await recordAudit(trx, { actor: ctx.actor, action: 'transfer.complete', objectType: 'transfer', objectId: transferId, details: { dossiers: dossiers.map((d) => d.index) } });
        },
      }),
      ctx.afterStep,
    );
    // Everything is in the store now; the quarantine copy is no longer needed.
    await rm(work, { recursive: true, force: true });
    return buildReport(deps, transferId);
  } catch (error) {
    // Bad input refuses the transfer; a system fault (tool missing, disk full) leaves it resumable.
    if (isAppError(error) && error.status < 500) return failTransfer(ctx, [problem(error.messageKey, error.params as Record<string, unknown>)]);
    throw error;
  }
}

export interface Ctx {
  deps: IngestDeps;
  tools: IngestTools;
  transferId: string;
  work: string;
  actor: Actor;
  options: IngestOptions;
  progress: (p: IngestProgress) => void;
  afterStep?: (step: StepName) => void;
}

/** Refuses the whole transfer; the package itself is kept in the store so nothing is lost. */
async function failTransfer(ctx: Ctx, problems: Problem[]): Promise<IngestReport> {
  const { deps, transferId } = ctx;
  const source = path.join(ctx.work, 'source.tar');
  let keptAs: string | null = null;
  if (await stat(source).catch(() => null)) keptAs = await storeRejectedItems(ctx, [], source);
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('transfers')
      .set({ status: 'failed', finished_at: new Date(), problems: JSON.stringify(problems), report: JSON.stringify({ rejectedItemsManifest: keptAs }) })
      .where('id', '=', transferId)
      .execute();
    await recordAudit(trx, { actor: ctx.actor, action: 'transfer.refuse', objectType: 'transfer', objectId: transferId, details: { problems: problems.map((p) => p.code), keptAs } });
  });
  await rm(ctx.work, { recursive: true, force: true });
  return buildReport(deps, transferId);
}

interface UnpackOut { ok: boolean; entries: { path: string; size: number; sha256: string }[]; problems: Problem[] }
interface ManifestOut { ok: boolean; problems: Problem[]; manifest: TransferManifest }

async function stepUnpack(ctx: Ctx): Promise<UnpackOut> {
  return runStep<UnpackOut>(ctx.deps.db, ctx.transferId, 'unpack', async () => {
    const dest = path.join(ctx.work, 'files');
    // A half-finished unpack from a killed run is discarded and redone.
    await rm(dest, { recursive: true, force: true });
    await mkdir(dest, { recursive: true });
    try {
      // Entries above the 95 MB document limit still unpack, so the manifest step can reject
      // that one document by name instead of refusing the whole transfer.
      const { entries } = await ctx.tools.unpackTransfer(path.join(ctx.work, 'source.tar'), dest, {
        maxTotalBytes: ctx.deps.config.transferMaxBytes,
      });
      ctx.progress({ step: 'unpack', done: entries.length, total: entries.length });
      return { output: { ok: true, entries, problems: [] as Problem[] } };
    } catch (error) {
      if (!isAppError(error)) throw error;
      const params = error.params as Record<string, unknown>;
      return {
        output: { ok: false, entries: [], problems: [problem('ingest.unsafe_package', { entry: params.entry ?? '', reason: params.reason ?? error.messageKey }, String(params.entry ?? ''))] },
      };
    }
  }, ctx.afterStep);
}

async function stepManifest(ctx: Ctx, entries: { path: string; size: number; sha256: string }[]): Promise<ManifestOut> {
  return runStep<ManifestOut>(ctx.deps.db, ctx.transferId, 'manifest', async () => {
    const manifestPath = path.join(ctx.work, 'files', 'manifest.json');
    let manifest: TransferManifest;
    try {
      manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as TransferManifest;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'ingest.manifest_missing' : 'ingest.manifest_unreadable';
      return { output: { ok: false, problems: [problem(code, {}, 'manifest.json')], manifest: null as unknown as TransferManifest } };
    }
    const schema = ctx.tools.validateAgainst('transfer-manifest', manifest);
    if (!schema.valid) {
      const problems = schema.problems.map((p) => problem('ingest.manifest_invalid', { pointer: p.pointer, reason: p.message.en ?? p.keyword }, `manifest.json${p.pointer}`));
      return { output: { ok: false, problems, manifest } };
    }
    const found = ctx.tools.checkManifestAgainstFiles(manifest, entries);
    const byFile = new Map(entries.map((e) => [e.path, e]));
    // Problems naming a document (or one of its signature files) belong to that document.
    const owner = new Map<string, string>();
    for (const d of manifest.dossiers) for (const doc of d.documents) {
      owner.set(doc.path, doc.path);
      for (const s of [...(doc.signatures ?? []), ...(doc.attachments ?? [])]) owner.set(s.path, doc.path);
    }
    const perDoc = new Map<string, Problem[]>();
    const transferProblems: Problem[] = [];
    const extra: string[] = [];
    for (const p of found) {
      const where = p.where.replace(/^\/+/, '');
      const doc = owner.get(where) ?? [...owner.keys()].find((k) => p.where.includes(k));
      const mapped: Problem = { code: p.code, message: p.message, where: p.where, ...(p.clause ? { clause: p.clause } : {}) };
      if (doc) perDoc.set(owner.get(doc)!, [...(perDoc.get(owner.get(doc)!) ?? []), mapped]);
      else if (byFile.has(where) && where !== 'manifest.json') extra.push(where);
      else transferProblems.push(mapped);
    }
    let seq = 0;
    const rows: Record<string, unknown>[] = [];
    for (const dossier of manifest.dossiers) {
      for (const doc of dossier.documents) {
        seq += 1;
        const file = byFile.get(doc.path);
        const problems = perDoc.get(doc.path) ?? [];
        const sigBytes = [...(doc.signatures ?? []), ...(doc.attachments ?? [])].reduce((n, s) => n + (byFile.get(s.path)?.size ?? 0), 0);
        if ((file?.size ?? 0) + sigBytes > DOCUMENT_MAX_BYTES && !problems.some((p) => /size|limit|large/i.test(p.code))) {
          problems.push(problem('ingest.document_too_large', { size: (file?.size ?? 0) + sigBytes, limit: DOCUMENT_MAX_BYTES }, doc.path, 'p.147'));
        }
        const fileCount = 1 + (doc.signatures?.length ?? 0) + (doc.attachments?.length ?? 0);
        if (fileCount > DOCUMENT_MAX_FILES) {
          problems.push(problem('ingest.document_too_many_files', { count: fileCount, limit: DOCUMENT_MAX_FILES }, doc.path, 'p.147'));
        }
        if (!file) problems.push(problem('ingest.document_missing', {}, doc.path));
        const entry: ManifestEntryRecord = {
          localPath: path.join('files', doc.path),
          volume: dossier.volume ?? 1,
          title: doc.title,
          date: doc.date ?? null,
          number: doc.number ?? null,
          language: doc.language ?? null,
          author: doc.author ?? null,
          pages: doc.pages ?? null,
          kind: doc.kind ?? null,
          inferred: doc.inferred ?? [],
          signatures: (doc.signatures ?? []).filter((s) => byFile.has(s.path)).map((s) => ({ path: s.path, sha256: byFile.get(s.path)!.sha256, size: byFile.get(s.path)!.size })),
          attachments: (doc.attachments ?? []).filter((s) => byFile.has(s.path)).map((s) => ({ path: s.path, sha256: byFile.get(s.path)!.sha256, size: byFile.get(s.path)!.size })),
        };
        rows.push({
          transfer_id: ctx.transferId,
          dossier_index: dossier.index,
          seq,
          source_path: doc.path,
          parent_path: null,
          sha256: file?.sha256 ?? doc.sha256,
          size: file?.size ?? 0,
          status: problems.length ? 'rejected' : 'pending',
          problems: JSON.stringify(problems),
          manifest_entry: JSON.stringify(entry),
        });
      }
    }
    // Files in the package the manifest does not list are kept as rejected items.
    const signatureFiles = new Set(manifest.dossiers.flatMap((d) => d.documents.flatMap((doc) => [...(doc.signatures ?? []), ...(doc.attachments ?? [])].map((s) => s.path))));
    for (const e of entries) {
      if (e.path === 'manifest.json' || owner.has(e.path) || signatureFiles.has(e.path)) continue;
      if (!extra.includes(e.path)) extra.push(e.path);
    }
    for (const p of extra) {
      const e = byFile.get(p)!;
      seq += 1;
      rows.push({
        transfer_id: ctx.transferId,
        dossier_index: null,
        seq,
        source_path: p,
        parent_path: null,
        sha256: e.sha256,
        size: e.size,
        status: 'rejected',
        problems: JSON.stringify([problem('ingest.not_in_manifest', {}, p)]),
        manifest_entry: JSON.stringify({ localPath: path.join('files', p), volume: 1, title: path.basename(p), date: null, number: null, language: null, author: null, pages: null, kind: null, inferred: [], signatures: [] } satisfies ManifestEntryRecord),
      });
    }
    return {
      output: { ok: true, problems: transferProblems, manifest },
      write: async (trx) => {
        for (const row of rows) {
          await trx.insertInto('documents').values(row as never).onConflict((oc) => oc.columns(['transfer_id', 'source_path']).doNothing()).execute();
        }
        await trx
          .updateTable('transfers')
          .set({ department: manifest.transfer.department.code, year: manifest.transfer.year, problems: JSON.stringify(transferProblems) })
          .where('id', '=', ctx.transferId)
          .execute();
      },
    };
  }, ctx.afterStep);
}

/** Identifies every pending document; containers are expanded into separate documents. */
async function stepIdentify(ctx: Ctx): Promise<void> {
  await runStep(ctx.deps.db, ctx.transferId, 'identify', async () => {
    const docs = await loadDocs(ctx.deps.db, ctx.transferId);
    const updates = new Map<string, DocUpdate>();
    const newRows: Record<string, unknown>[] = [];
    let nextSeq = docs.reduce((m, d) => Math.max(m, d.seq), 0);
    const queue = docs.filter((d) => d.status === 'pending');
    let done = 0;
    while (queue.length) {
      const doc = queue.shift()!;
      const file = localFile(ctx.work, doc);
      ctx.progress({ step: 'identify', done: done++, total: done + queue.length, item: doc.source });
      const format = await ctx.tools.identifyFormat(file, path.basename(doc.source));
      patch(doc, updates, { format });
      if (doc.size === 0) reject(doc, updates, problem('ingest.empty_file', {}, doc.source));
      else if (format.family === 'unknown') reject(doc, updates, problem('ingest.unknown_format', { details: format.problems.join('; ') }, doc.source));
      else if (format.family === 'signature') reject(doc, updates, problem('ingest.signature_without_document', {}, doc.source));
      else if (format.encrypted) reject(doc, updates, problem('ingest.encrypted', { format: format.name }, doc.source));
      else if (!format.extensionMatches) reject(doc, updates, problem('ingest.extension_mismatch', { format: format.name, name: path.basename(doc.source) }, doc.source));
      else if (format.family === 'container') {
        const dest = path.join(ctx.work, 'expanded', String(doc.seq));
        await rm(dest, { recursive: true, force: true });
        try {
          const { entries } = await ctx.tools.expandContainer(file, dest);
          if (!entries.length) {
            reject(doc, updates, problem('ingest.container_empty', {}, doc.source));
            continue;
          }
          patch(doc, updates, { status: 'expanded' });
          for (const member of entries) {
            nextSeq += 1;
            const source = `${doc.source}/${member.name}`;
            const { sha256, size } = await sha256File(member.path);
            const entry: ManifestEntryRecord = { ...doc.entry, localPath: path.relative(ctx.work, member.path), title: `${doc.entry.title} — ${member.name}`, signatures: [], inferred: [...new Set([...doc.entry.inferred, 'title'])] };
            const child: DocRow = { ...doc, id: `new:${nextSeq}`, seq: nextSeq, source, parent: doc.source, sha256, size, format: null, status: 'pending', problems: [], entry };
            newRows.push({ transfer_id: ctx.transferId, dossier_index: doc.dossierIndex, seq: nextSeq, source_path: source, parent_path: doc.source, sha256, size, status: 'pending', problems: '[]', manifest_entry: JSON.stringify(entry) });
            queue.push(child);
          }
        } catch (error) {
          if (!isAppError(error)) throw error;
          reject(doc, updates, problem('ingest.container_refused', { reason: t('en', error.messageKey, error.params) }, doc.source));
        }
      }
    }
    // Children expanded in this run carry temporary ids; their verdicts go in with the insert.
    const childUpdates = new Map([...updates].filter(([id]) => id.startsWith('new:')));
    return {
      output: { identified: done, expanded: newRows.length },
      write: async (trx) => {
        for (const row of newRows) {
          const u = childUpdates.get(`new:${row.seq as number}`);
          const values = { ...row, status: u?.status ?? row.status, problems: JSON.stringify(u?.problems ?? []), format: u?.format ? JSON.stringify(u.format) : null };
          await trx.insertInto('documents').values(values as never).onConflict((oc) => oc.columns(['transfer_id', 'source_path']).doNothing()).execute();
        }
        await writeDocUpdates(trx, new Map([...updates].filter(([id]) => !id.startsWith('new:'))));
      },
    };
  }, ctx.afterStep);
}

/**
 * Runs `fn` over items with a small pool: the checks spawn tools and the machine has few
 * cores. Large files run with fewer neighbours (a byte budget), so a transfer of 90 MB scans
 * does not hold several of them in memory at once.
 */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>, weight: (item: T) => number = () => 0, budget = CHECK_BUDGET_BYTES): Promise<void> {
  const active = new Set<Promise<void>>();
  let activeWeight = 0;
  for (const [i, item] of items.entries()) {
    const w = weight(item);
    while (active.size >= limit || (active.size > 0 && activeWeight + w > budget)) await Promise.race(active);
    activeWeight += w;
    const run: Promise<void> = fn(item, i).finally(() => {
      active.delete(run);
      activeWeight -= w;
    });
    active.add(run);
  }
  await Promise.all(active);
}

const CHECK_CONCURRENCY = Math.max(1, Math.min(4, availableParallelism()));
/**
 * Bytes of documents checked at once: the PDF/A check holds a rendition in memory, so a 60–90 MB
 * scan is checked on its own and small documents share the pool up to this total.
 */
const CHECK_BUDGET_BYTES = 64 * 1024 * 1024;

function pending(docs: DocRow[]): DocRow[] {
  return docs.filter((d) => d.status === 'pending');
}

async function stepScan(ctx: Ctx): Promise<void> {
  await runStep(ctx.deps.db, ctx.transferId, 'scan', async () => {
    const docs = await loadDocs(ctx.deps.db, ctx.transferId);
    const targets = pending(docs);
    const policy = ctx.deps.config.malwarePolicy;
    const attachmentsOf = (d: DocRow) => (d.entry.attachments ?? []).map((a) => path.join(ctx.work, 'files', a.path));
    const files = targets.flatMap((d) => [localFile(ctx.work, d), ...attachmentsOf(d)]);
    const results: Map<string, MalwareResult> = files.length ? await ctx.tools.scanForMalware(files, { policy }) : new Map();
    const updates = new Map<string, DocUpdate>();
    let engine: { name?: string; version?: string } = {};
    for (const doc of targets) {
      const all: MalwareResult[] = [localFile(ctx.work, doc), ...attachmentsOf(doc)].map((f) => results.get(f) ?? { status: 'not-scanned', warning: 'no result' });
      // The document's verdict is its worst file's.
      const rank = { infected: 3, error: 2, 'not-scanned': 1, clean: 0 } as const;
      const result = all.reduce((a, b) => (rank[b.status] > rank[a.status] ? b : a));
      engine = { name: result.engine ?? engine.name, version: result.engineVersion ?? engine.version };
      patch(doc, updates, { malware: result });
      if (result.status === 'infected') {
        const p = problem('ingest.malware_found', { signature: result.signature ?? '' }, doc.source);
        if (policy === 'refuse') reject(doc, updates, p);
        else warn(doc, updates, p);
      } else if (result.status !== 'clean') {
        // Under the refuse policy an unscanned document is not accepted: the check is mandatory.
        const p = problem('ingest.malware_not_scanned', { reason: result.warning ?? result.status }, doc.source);
        if (policy === 'refuse') reject(doc, updates, p);
        else warn(doc, updates, p);
      }
    }
    ctx.progress({ step: 'scan', done: targets.length, total: targets.length });
    return { output: { scanned: targets.length, policy, tool: engine }, write: (trx) => writeDocUpdates(trx, updates) };
  }, ctx.afterStep);
}

async function stepSignatures(ctx: Ctx): Promise<void> {
  await runStep(ctx.deps.db, ctx.transferId, 'signatures', async () => {
    const docs = await loadDocs(ctx.deps.db, ctx.transferId);
    const updates = new Map<string, DocUpdate>();
    const accept = ctx.options.acceptInvalidSignature ?? {};
    const targets = pending(docs);
    let i = 0;
    for (const doc of targets) {
      ctx.progress({ step: 'signatures', done: i++, total: targets.length, item: doc.source });
      const sigs = doc.entry.signatures;
      if (!sigs.length) {
        patch(doc, updates, { signature: { verdict: 'unsigned', signers: [], files: [] } });
        if (ctx.deps.config.requireSignatures) reject(doc, updates, problem('ingest.signature_required', {}, doc.source));
        continue;
      }
      let verdict: 'valid' | 'invalid' | 'cannot-verify' = 'valid';
      const signers: string[] = [];
      const reasons: string[] = [];
      for (const s of sigs) {
        const report = await ctx.tools.verifySignature({
          signature: await readFile(path.join(ctx.work, 'files', s.path)),
          content: localFile(ctx.work, doc),
          trustDir: ctx.deps.config.trustDir,
        });
        signers.push(...report.signers.map((x) => x.signer.subject));
        if (report.reason) reasons.push(`${s.path}: ${report.reason}`);
        if (report.verdict === 'invalid') verdict = 'invalid';
        else if (report.verdict === 'cannot-verify' && verdict === 'valid') verdict = 'cannot-verify';
      }
      patch(doc, updates, { signature: { verdict, reason: reasons.join('; ') || undefined, signers, files: sigs } });
      if (verdict === 'invalid') {
        const why = accept[doc.source];
        if (why) {
          patch(doc, updates, { acceptedWithReason: why });
          warn(doc, updates, problem('ingest.signature_invalid_accepted', { reason: why, details: reasons.join('; ') }, doc.source));
        } else {
          reject(doc, updates, problem('ingest.signature_invalid', { details: reasons.join('; ') }, doc.source));
        }
      } else if (verdict === 'cannot-verify') {
        warn(doc, updates, problem('ingest.signature_cannot_verify', { details: reasons.join('; ') }, doc.source));
      }
    }
    return { output: { checked: targets.length }, write: (trx) => writeDocUpdates(trx, updates) };
  }, ctx.afterStep);
}

async function stepConvert(ctx: Ctx): Promise<void> {
  await runStep(ctx.deps.db, ctx.transferId, 'convert', async () => {
    const docs = pending(await loadDocs(ctx.deps.db, ctx.transferId));
    await mkdir(path.join(ctx.work, 'renditions'), { recursive: true });
    const converter = ctx.tools.createConverter({ workDir: path.join(ctx.work, 'convert') });
    const updates = new Map<string, DocUpdate>();
    const tools = new Map<string, string>();
    // Each rendition is checked as soon as it exists, on the cores the converter leaves idle;
    // the results travel in this step's output and the validate/reproducibility steps use them.
    const checks: Record<string, EarlyCheck> = {};
    const early = createLimiter(CHECK_CONCURRENCY, CHECK_BUDGET_BYTES);
    const started: Promise<void>[] = [];
    // What a check holds in memory: the rendition (PDF/A check) or the source (its text).
    const checkWeight = async (doc: DocRow) => Math.max(doc.size, (await stat(renditionFile(ctx.work, doc)).catch(() => null))?.size ?? 0);
    try {
      let n = 0;
      const results = await converter.convertMany(
        docs.map((d) => ({ path: localFile(ctx.work, d), format: d.format as FormatId, outPath: renditionFile(ctx.work, d) })),
        (i) => {
          ctx.progress({ step: 'convert', done: ++n, total: docs.length });
          const doc = docs[i];
          if (doc) started.push(checkWeight(doc).then((w) => early(w, () => earlyCheck(ctx, doc))).then((c) => { if (c) checks[doc.id] = c; }, () => undefined));
        },
      );
      await Promise.all(started);
      docs.forEach((doc, i) => {
        const r = results[i]!;
        tools.set(r.tool.name, r.tool.version);
        if (!r.ok) {
          patch(doc, updates, { status: 'conversion-failed', renditionSha256: null });
          for (const p of r.problems) warn(doc, updates, { code: p.code, message: p.message, where: doc.source });
          if (!r.problems.length) warn(doc, updates, problem('ingest.conversion_failed', { method: r.method }, doc.source));
        }
      });
    } finally {
      await converter.close();
    }
    return { output: { converted: docs.length, tools: Object.fromEntries(tools), checks }, write: (trx) => writeDocUpdates(trx, updates) };
  }, ctx.afterStep);
}

interface EarlyCheck {
  renditionSha256?: string;
  pdfa: { compliant: boolean; engine: string; failures: PdfaReport['failures'] };
  reproducibility?: { ok: boolean; renders: boolean; textMatches: boolean | null; problems: { code: string; message: string }[] };
}

/**
 * A pool for work that arrives over time (eachLimited's rule): at most `limit` tasks at once, and a
 * task whose weight would take the running ones over `budget` waits until it fits or runs alone.
 * Tasks start in arrival order.
 */
function createLimiter(limit: number, budget = Infinity): <T>(weight: number, fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  let activeWeight = 0;
  const queue: { weight: number; start: () => void }[] = [];
  const pump = () => {
    while (queue.length) {
      const head = queue[0]!;
      if (active >= limit || (active > 0 && activeWeight + head.weight > budget)) return;
      queue.shift();
      active += 1;
      activeWeight += head.weight;
      head.start();
    }
  };
  return (weight, fn) =>
    new Promise((resolve, reject) => {
      queue.push({
        weight,
        start: () => {
          void Promise.resolve()
            .then(fn)
            .then(resolve, reject)
            .finally(() => {
              active -= 1;
              activeWeight -= weight;
              pump();
            });
        },
      });
      pump();
    });
}

/** Validation and reproducibility of one fresh rendition; null when there is none to check. */
async function earlyCheck(ctx: Ctx, doc: DocRow): Promise<EarlyCheck | null> {
  const file = renditionFile(ctx.work, doc);
  if (!(await stat(file).catch(() => null))?.size) return null;
  const report = await ctx.tools.validatePdfA(file, { file: doc.source });
  const pdfa = { compliant: report.compliant, engine: report.engine, failures: report.failures.slice(0, 20) };
  if (!report.compliant) return { pdfa };
  const reproducibility = await ctx.tools.checkReproducibility(localFile(ctx.work, doc), doc.format as FormatId, file);
  return { pdfa, renditionSha256: (await sha256File(file)).sha256, reproducibility };
}

async function convertChecks(ctx: Ctx): Promise<Record<string, EarlyCheck>> {
  const row = await ctx.deps.db.selectFrom('ingest_steps').select('output').where('transfer_id', '=', ctx.transferId).where('step', '=', 'convert').executeTakeFirst();
  return ((row?.output ?? {}) as { checks?: Record<string, EarlyCheck> }).checks ?? {};
}

async function stepValidate(ctx: Ctx): Promise<void> {
  await runStep(ctx.deps.db, ctx.transferId, 'validate', async () => {
    const docs = pending(await loadDocs(ctx.deps.db, ctx.transferId));
    const earlyChecks = await convertChecks(ctx);
    const updates = new Map<string, DocUpdate>();
    let engine = '';
    let i = 0;
    await eachLimited(docs, CHECK_CONCURRENCY, async (doc) => {
      ctx.progress({ step: 'validate', done: i++, total: docs.length, item: doc.source });
      const file = renditionFile(ctx.work, doc);
      const pre = earlyChecks[doc.id];
      const report = pre?.pdfa ?? (await ctx.tools.validatePdfA(file, { file: doc.source }));
      engine = report.engine;
      if (report.compliant) {
        patch(doc, updates, { renditionSha256: pre?.renditionSha256 ?? (await sha256File(file)).sha256 });
      } else {
        // The original stays; the rendition's findings say why it cannot be the archival copy.
        patch(doc, updates, { status: 'conversion-failed', renditionSha256: null });
        warn(doc, updates, problem('ingest.rendition_not_pdfa', { failures: report.failures.length }, doc.source, report.failures[0]?.clause));
        for (const f of report.failures.slice(0, 20)) warn(doc, updates, { code: 'pdfa.' + f.rule, message: f.message, clause: f.clause, where: f.location ?? doc.source });
      }
    }, (doc) => doc.size);
    return { output: { validated: docs.length, engine }, write: (trx) => writeDocUpdates(trx, updates) };
  }, ctx.afterStep);
}

async function stepReproducibility(ctx: Ctx): Promise<void> {
  await runStep(ctx.deps.db, ctx.transferId, 'reproducibility', async () => {
    const docs = pending(await loadDocs(ctx.deps.db, ctx.transferId));
    const earlyChecks = await convertChecks(ctx);
    const updates = new Map<string, DocUpdate>();
    let i = 0;
    await eachLimited(docs, CHECK_CONCURRENCY, async (doc) => {
      ctx.progress({ step: 'reproducibility', done: i++, total: docs.length, item: doc.source });
      const r = earlyChecks[doc.id]?.reproducibility ?? (await ctx.tools.checkReproducibility(localFile(ctx.work, doc), doc.format as FormatId, renditionFile(ctx.work, doc)));
      if (r.ok) {
        patch(doc, updates, { status: 'accepted' });
      } else {
        patch(doc, updates, { status: 'conversion-failed', renditionSha256: null });
        warn(doc, updates, problem('ingest.not_reproducible', { renders: r.renders, textMatches: String(r.textMatches) }, doc.source));
        for (const p of r.problems) warn(doc, updates, { code: p.code, message: p.message, where: doc.source });
      }
    }, (doc) => doc.size);
    return { output: { checked: docs.length }, write: (trx) => writeDocUpdates(trx, updates) };
  }, ctx.afterStep);
}

/** Transfers interrupted or queued (worker start-up): oldest first. */
export async function unfinishedTransfers(deps: IngestDeps): Promise<string[]> {
  const rows = await deps.db.selectFrom('transfers').select('id').where('status', 'in', ['queued', 'processing']).orderBy('received_at').execute();
  return rows.map((r) => r.id);
}

/** Removes incoming copies left by a receipt killed before it finished hashing. */
export async function cleanIncoming(deps: IngestDeps): Promise<void> {
  const dir = path.join(deps.config.dataDir, 'quarantine');
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const n of names) if (n.startsWith('incoming-')) await rm(path.join(dir, n), { force: true });
}

export { listSteps, type StoredDossier };
