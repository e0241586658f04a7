// Step 1: unpack the quarantined package into the work folder (safe paths, size limits).
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { isAppError } from '../../../common/errors';
import type { Problem } from '../../tables';
import { problem, type UnpackedEntry } from '../context';
import { runStep } from '../state';
import type { PipelineStep } from '../step';

interface UnpackOut { ok: boolean; entries: UnpackedEntry[]; problems: Problem[] }

export const unpackStep: PipelineStep = {
  name: 'unpack',
  async run(ctx) {
    const out = await runStep<UnpackOut>(ctx.deps.db, ctx.transferId, 'unpack', async () => {
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
    if (!out.ok) return { ok: false, problems: out.problems };
    ctx.entries = out.entries;
    return { ok: true };
  },
};
