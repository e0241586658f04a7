// Step 8: the rendition must render and carry the original's text; a document that passes
// every check is accepted here.
import { problem, type Ctx } from '../context';
import { loadDocs, localFile, renditionFile, writeDocUpdates, warn, patch, pending, isDocumentFault, documentFault, type DocUpdate } from '../documents';
import { CHECK_CONCURRENCY, checkWeightOf, eachLimited } from '../pool';
import { runStep } from '../state';
import { OK, type PipelineStep } from '../step';
import type { FormatId } from '../tools';
import { convertChecks } from './convert';
import { keepRenditionText } from '../../../search/extract';

export const reproducibilityStep: PipelineStep = {
  name: 'reproducibility',
  async run(ctx) {
    await stepReproducibility(ctx);
    return OK;
  },
};

async function stepReproducibility(ctx: Ctx): Promise<void> {
  await runStep(ctx.deps.db, ctx.transferId, 'reproducibility', async () => {
    const docs = pending(await loadDocs(ctx.deps.db, ctx.transferId));
    const earlyChecks = await convertChecks(ctx);
    const updates = new Map<string, DocUpdate>();
    let i = 0;
    await eachLimited(docs, CHECK_CONCURRENCY, async (doc) => {
      ctx.progress({ step: 'reproducibility', done: i++, total: docs.length, item: doc.source });
      let r: Awaited<ReturnType<typeof ctx.tools.checkReproducibility>>;
      try {
        r = earlyChecks[doc.id]?.reproducibility ?? (await ctx.tools.checkReproducibility(localFile(ctx.work, doc), doc.format as FormatId, renditionFile(ctx.work, doc)));
      } catch (error) {
        if (!isDocumentFault(error)) throw error;
        patch(doc, updates, { status: 'conversion-failed', renditionSha256: null });
        warn(doc, updates, documentFault('reproducibility', doc, error));
        return;
      }
      if (r.ok) {
        patch(doc, updates, { status: 'accepted' });
        // The rendition's text for the search (search/), from the text this check just read,
        // unless the convert step kept it when the check was made.
        if (!earlyChecks[doc.id]?.textKept) await keepRenditionText(ctx.deps.db, doc.id, renditionFile(ctx.work, doc), doc.renditionSha256);
      } else {
        patch(doc, updates, { status: 'conversion-failed', renditionSha256: null });
        warn(doc, updates, problem('ingest.not_reproducible', { renders: String(r.renders), textMatches: String(r.textMatches) }, doc.source));
        for (const p of r.problems) warn(doc, updates, { code: p.code, message: p.message, where: doc.source });
      }
    }, (doc) => checkWeightOf((doc.format as FormatId).family, doc.size, 0));
    return { output: { checked: docs.length }, write: (trx) => writeDocUpdates(trx, updates) };
  }, ctx.afterStep);
}
