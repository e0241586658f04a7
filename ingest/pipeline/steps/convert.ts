// Step 6: convert each pending document to a PDF/A-1b rendition. Each rendition is checked
// (PDF/A, reproducibility) as soon as it exists, on the cores the converter leaves idle; the
// validate and reproducibility steps use those results.
import path from 'node:path';
import { mkdir, stat } from 'node:fs/promises';
import { sha256File } from '../../../common/hash';
import { problem, DOCUMENT_MAX_BYTES, DOCUMENT_MAX_FILES, type Ctx } from '../context';
import { sanitiseText } from '../sanitise';
import { loadDocs, localFile, renditionFile, writeDocUpdates, warn, patch, pending, type DocRow, type DocUpdate } from '../documents';
import { CHECK_BUDGET_BYTES, CHECK_CONCURRENCY, checkWeightOf, createLimiter } from '../pool';
import { runStep } from '../state';
import { OK, type PipelineStep } from '../step';
import type { FormatId } from '../tools';
import { conversionNotes } from '../../convert/notes';
import { keepRenditionText } from '../../../search/extract';
import { checkRendition, type ConversionResult, type RenditionChecks } from '../../convert/converter';

export const convertStep: PipelineStep = {
  name: 'convert',
  async run(ctx) {
    await stepConvert(ctx);
    return OK;
  },
};

async function stepConvert(ctx: Ctx): Promise<void> {
  await runStep(ctx.deps.db, ctx.transferId, 'convert', async () => {
    const docs = pending(await loadDocs(ctx.deps.db, ctx.transferId));
    await mkdir(path.join(ctx.work, 'renditions'), { recursive: true });
    // One pool for the converter's own checks and the ones below: one memory budget.
    const early = createLimiter(CHECK_CONCURRENCY, CHECK_BUDGET_BYTES);
    const converter = ctx.tools.createConverter({ workDir: path.join(ctx.work, 'convert'), checkSlot: early, officeLanes: ctx.deps.config.officeLanes });
    const updates = new Map<string, DocUpdate>();
    const tools = new Map<string, string>();
    // Each rendition is checked as soon as it exists, on the cores the converter leaves idle;
    // the results travel in this step's output and the validate/reproducibility steps use them.
    const checks: Record<string, EarlyCheck> = {};
    const embedded: Record<string, EmbeddedOriginal[]> = {};
    const started: Promise<void>[] = [];
    // What a check holds in memory: the rendition (PDF/A check) or the source (its text).
    const checkWeight = async (doc: DocRow) => checkWeightOf((doc.format as FormatId).family, doc.size, (await stat(renditionFile(ctx.work, doc)).catch(() => null))?.size ?? 0);
    try {
      let n = 0;
      const results = await converter.convertMany(
        docs.map((d) => ({ path: localFile(ctx.work, d), format: d.format as FormatId, outPath: renditionFile(ctx.work, d) })),
        (i, result) => {
          ctx.progress({ step: 'convert', done: ++n, total: docs.length });
          const doc = docs[i];
          // The converter checks its renditions itself when it chooses among routes: those checks
          // are used as they are (a page-image rendition's text check is not applicable).
          if (doc && result?.checks) started.push(convertedCheck(ctx, doc, result.checks).then((c) => { checks[doc.id] = c; }, () => undefined));
          else if (doc) started.push(checkWeight(doc).then((w) => early(w, () => earlyCheck(ctx, doc, w))).then((c) => { if (c) checks[doc.id] = c; }, () => undefined));
        },
      );
      await Promise.all(started);
      for (const [i, doc] of docs.entries()) {
        const r = results[i]!;
        tools.set(r.tool.name, r.tool.version);
        // Active content of the original and the route, when it was a fallback, for the report.
        for (const note of conversionNotes(r)) warn(doc, updates, { code: note.code, message: note.message, where: doc.source, details: note.details });
        // Files embedded in a PDF original become further originals of the document (store step).
        const kept = await embeddedOriginals(ctx, doc, r, updates);
        if (kept.length) embedded[doc.id] = kept;
        if (!r.ok) {
          patch(doc, updates, { status: 'conversion-failed', renditionSha256: null });
          for (const p of r.problems) warn(doc, updates, { code: p.code, message: p.message, where: doc.source });
          if (!r.problems.length) warn(doc, updates, problem('ingest.conversion_failed', { method: r.method }, doc.source));
        }
      }
    } finally {
      await converter.close();
    }
    return { output: { converted: docs.length, tools: Object.fromEntries(tools), checks, embedded }, write: (trx) => writeDocUpdates(trx, updates) };
  }, ctx.afterStep);
}

interface EarlyCheck extends RenditionChecks {
  renditionSha256?: string;
  /** The rendition's text is kept for the search already (keptText). */
  textKept?: boolean;
}

/** Validation and reproducibility of one fresh rendition; null when there is none to check. */
async function earlyCheck(ctx: Ctx, doc: DocRow, weight: number): Promise<EarlyCheck | null> {
  const file = renditionFile(ctx.work, doc);
  if (!(await stat(file).catch(() => null))?.size) return null;
  const checks = await checkRendition(
    weight,
    () => ctx.tools.validatePdfA(file, { file: doc.source }),
    () => ctx.tools.checkReproducibility(localFile(ctx.work, doc), doc.format as FormatId, file),
  );
  if (!checks.reproducibility) return checks;
  return keptText(ctx, doc, { ...checks, renditionSha256: (await sha256File(file)).sha256 });
}

async function convertedCheck(ctx: Ctx, doc: DocRow, c: RenditionChecks): Promise<EarlyCheck> {
  if (!c.pdfa.compliant) return { pdfa: c.pdfa };
  return keptText(ctx, doc, { pdfa: c.pdfa, renditionSha256: (await sha256File(renditionFile(ctx.work, doc))).sha256, reproducibility: c.reproducibility });
}

/**
 * A rendition that passed its checks has its text kept for the search now, while the check's read
 * of it is cached (search/extract.ts) and LibreOffice still converts others, rather than in the
 * reproducibility step after the whole transfer is converted. The step accepts the document on
 * this same check, so the text is kept for exactly the documents it accepts.
 */
async function keptText(ctx: Ctx, doc: DocRow, check: EarlyCheck): Promise<EarlyCheck> {
  if (!check.pdfa.compliant || !check.reproducibility?.ok) return check;
  await keepRenditionText(ctx.deps.db, doc.id, renditionFile(ctx.work, doc), check.renditionSha256 ?? null);
  return { ...check, textKept: true };
}

/** A file embedded in a PDF original, extracted by the converter, to be stored beside it. */
export interface EmbeddedOriginal {
  /** The name the PDF gives it (sanitised). */
  name: string;
  /** Where the extracted bytes lie, relative to the work folder. */
  path: string;
  sha256: string;
  size: number;
}

/**
 * The extracted embedded files of one original, within what is left of p.147's limits for the
 * e-document (80 files, 95 MB with the original, its attachments and signatures). Those beyond
 * stay inside the original, which is kept as sent, and the report says so.
 */
async function embeddedOriginals(ctx: Ctx, doc: DocRow, r: ConversionResult, updates: Map<string, DocUpdate>): Promise<EmbeddedOriginal[]> {
  const extracted = r.extractedFiles ?? [];
  if (!extracted.length) return [];
  const sent = [...doc.entry.signatures, ...(doc.entry.attachments ?? [])];
  let files = 1 + sent.length;
  let bytes = doc.size + sent.reduce((n, f) => n + f.size, 0);
  const kept: EmbeddedOriginal[] = [];
  for (const f of extracted) {
    if (files + 1 > DOCUMENT_MAX_FILES || bytes + f.size > DOCUMENT_MAX_BYTES) break;
    const { sha256, size } = await sha256File(f.path);
    kept.push({ name: sanitiseText(f.name, 1000) || path.basename(f.path), path: path.relative(ctx.work, f.path), sha256, size });
    files += 1;
    bytes += size;
  }
  if (kept.length < extracted.length) {
    warn(doc, updates, problem('ingest.embedded_files_not_kept', { count: extracted.length - kept.length, total: extracted.length, files: DOCUMENT_MAX_FILES, megabytes: DOCUMENT_MAX_BYTES / 1024 / 1024 }, doc.source));
  }
  return kept;
}

/** The embedded files the convert step kept, by document id. */
export async function convertEmbedded(ctx: Ctx): Promise<Record<string, EmbeddedOriginal[]>> {
  const row = await ctx.deps.db.selectFrom('ingest_steps').select('output').where('transfer_id', '=', ctx.transferId).where('step', '=', 'convert').executeTakeFirst();
  return ((row?.output ?? {}) as { embedded?: Record<string, EmbeddedOriginal[]> }).embedded ?? {};
}

export async function convertChecks(ctx: Ctx): Promise<Record<string, EarlyCheck>> {
  const row = await ctx.deps.db.selectFrom('ingest_steps').select('output').where('transfer_id', '=', ctx.transferId).where('step', '=', 'convert').executeTakeFirst();
  return ((row?.output ?? {}) as { checks?: Record<string, EarlyCheck> }).checks ?? {};
}
