// Background processing of transfers uploaded through the API: on start it resumes every
// interrupted transfer, then polls for queued ones. One transfer at a time: the converters
// already use the machine's cores.
import { logger } from '../../common/logger';
import { processTransfer, unfinishedTransfers, cleanIncoming } from './run';
import type { IngestDeps } from './tools';

export interface Worker {
  /** Resolves when the current transfer (if any) has finished. */
  stop(): Promise<void>;
}

export function startWorker(deps: IngestDeps, options: { pollMs?: number; once?: boolean } = {}): Worker & { done: Promise<void> } {
  let stopping = false;
  let wake: (() => void) | undefined;
  const done = (async () => {
    await cleanIncoming(deps);
    while (!stopping) {
      const ids = await unfinishedTransfers(deps);
      for (const id of ids) {
        if (stopping) break;
        try {
          const report = await processTransfer(deps, id);
          logger().info({ transfer: id, dossiers: report.dossiers.length }, 'transfer processed');
        } catch (error) {
          // A system failure (tool missing, disk full) leaves the transfer resumable.
          logger().error({ transfer: id, err: error }, 'transfer processing failed; will retry');
        }
      }
      if (options.once) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, options.pollMs ?? 2000).unref();
      });
    }
  })();
  return {
    done,
    async stop() {
      stopping = true;
      wake?.();
      await done;
    },
  };
}
