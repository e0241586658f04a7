// Step 4: malware scan of every pending document and its attachments (policy from config).
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { malwareVerdict, quarantineInfected } from '../../scan/malware';
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
    // Infected files leave the work folder for this transfer's malware quarantine (never the store).
    const infectedRoot = path.join(ctx.deps.config.dataDir, 'quarantine', 'infected', ctx.transferId);
    const quarantineName = (doc: DocRow, file: string) => `${String(doc.seq).padStart(4, '0')}-${path.basename(file)}`;
    // A re-run after a crash scans a file already moved to quarantine where it now lies.
    const located = new Map<string, string>();
    const where = async (doc: DocRow, file: string) => {
      if (await stat(file).catch(() => null)) return file;
      const moved = path.join(infectedRoot, quarantineName(doc, file));
      return (await stat(moved).catch(() => null)) ? moved : file;
    };
    const attachmentsOf = (d: DocRow) => (d.entry.attachments ?? []).map((a) => path.join(ctx.work, 'files', a.path));
    for (const d of targets) for (const f of [localFile(ctx.work, d), ...attachmentsOf(d)]) located.set(f, await where(d, f));
    const files = [...new Set(located.values())];
    const results: Map<string, MalwareResult> = files.length ? await ctx.tools.scanForMalware(files, { policy, databaseDir: ctx.deps.config.clamavDatabaseDir }) : new Map();
    const updates = new Map<string, DocUpdate>();
    let engine: { name?: string; version?: string } = {};
    for (const doc of targets) {
      const own = [localFile(ctx.work, doc), ...attachmentsOf(doc)];
      const verdict = malwareVerdict(own.map((f) => results.get(located.get(f) ?? f) ?? { status: 'not-scanned', warning: 'scan_error: no result' }), policy);
      const result = verdict.result;
      engine = { name: result.engine ?? engine.name, version: result.engineVersion ?? engine.version };
      patch(doc, updates, { malware: result });
      if (!verdict.problem || verdict.action === 'accept') continue;
      const p = problem(verdict.problem.code, verdict.problem.params, doc.source);
      if (verdict.action === 'warn') {
        warn(doc, updates, p);
        continue;
      }
      reject(doc, updates, p);
      if (result.status !== 'infected') continue;
      // Infected: rejected whatever the policy, and its infected files are kept apart.
      for (const f of own) {
        const at = located.get(f) ?? f;
        if (results.get(at)?.status !== 'infected' || at !== f) continue;
        const kept = await quarantineInfected(f, infectedRoot, quarantineName(doc, f));
        warn(doc, updates, problem('ingest.malware_quarantined', { file: path.relative(ctx.deps.config.dataDir, kept) }, doc.source));
      }
    }
    ctx.progress({ step: 'scan', done: targets.length, total: targets.length });
    return { output: { scanned: targets.length, policy, tool: engine }, write: (trx) => writeDocUpdates(trx, updates) };
  }, ctx.afterStep);
}
