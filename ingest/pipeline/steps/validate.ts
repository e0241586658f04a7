// Step 7: the malware scan of files embedded in PDF originals (embedded-scan.ts), then PDF/A-1b
// validation of each rendition (the early check's result when there is one).
import { sha256File } from '../../../common/hash';
import { problem, type Ctx } from '../context';
import { loadDocs, renditionFile, writeDocUpdates, warn, patch, pending, isDocumentFault, documentFault, type DocUpdate } from '../documents';
import type { PdfaReport } from '../tools';
import { CHECK_CONCURRENCY, eachLimited } from '../pool';
import { runStep } from '../state';
import { OK, type PipelineStep } from '../step';
import { convertChecks } from './convert';
import { scanEmbeddedFiles } from '../embedded-scan';

export const validateStep: PipelineStep = {
  name: 'validate',
  async run(ctx) {
    await stepValidate(ctx);
    return OK;
  },
};

async function stepValidate(ctx: Ctx): Promise<void> {
  await runStep(ctx.deps.db, ctx.transferId, 'validate', async () => {
    const all = pending(await loadDocs(ctx.deps.db, ctx.transferId));
    const earlyChecks = await convertChecks(ctx);
    const updates = new Map<string, DocUpdate>();
    // Files embedded in PDF originals exist only since conversion: scanned before anything else
    // is decided about their documents (a document they infect is rejected, not validated).
    const embeddedScanned = await scanEmbeddedFiles(ctx, all, updates);
    const docs = pending(all);
    let engine = '';
    let i = 0;
    await eachLimited(docs, CHECK_CONCURRENCY, async (doc) => {
      ctx.progress({ step: 'validate', done: i++, total: docs.length, item: doc.source });
      const file = renditionFile(ctx.work, doc);
      const pre = earlyChecks[doc.id];
      let report: { compliant: boolean; engine: string; failures: PdfaReport['failures'] };
      try {
        report = pre?.pdfa ?? (await ctx.tools.validatePdfA(file, { file: doc.source }));
      } catch (error) {
        if (!isDocumentFault(error)) throw error;
        // The original stays; this rendition cannot be checked, so it is not the archival copy.
        patch(doc, updates, { status: 'conversion-failed', renditionSha256: null });
        warn(doc, updates, documentFault('validate', doc, error));
        return;
      }
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
    return { output: { validated: docs.length, engine, embeddedScanned }, write: (trx) => writeDocUpdates(trx, updates) };
  }, ctx.afterStep);
}
