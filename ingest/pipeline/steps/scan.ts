// Step 4: malware scan of every pending document and its attachments (policy from config).
import path from 'node:path';
import { problem, type Ctx } from '../context';
import { loadDocs, localFile, writeDocUpdates, reject, warn, patch, pending, type DocRow, type DocUpdate } from '../documents';
import { runStep } from '../state';
import { OK, type PipelineStep } from '../step';
import type { MalwareResult } from '../tools';

export const scanStep: PipelineStep = {
  name: 'scan',
  async run(ctx) {
    await stepScan(ctx);
    return OK;
  },
};

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
