// `muragat worker`: processes transfers uploaded through the API (docker-compose's worker
// service). Resumes interrupted transfers first; stops cleanly on SIGTERM/SIGINT.
import type { Command } from 'commander';
import { loadConfig } from '../../common/config';
import { openStorage } from '../../storage';
import { startWorker } from '../../ingest';
import { withCatalog } from '../database';

export function register(program: Command): void {
  program
    .command('worker')
    .description('process queued and interrupted transfers until stopped')
    .option('--once', 'process what is waiting, then exit')
    .option('--poll <ms>', 'poll interval in milliseconds', '2000')
    .action(async (opts: { once?: boolean; poll: string }) => {
      const config = loadConfig();
      await withCatalog(async ({ db }) => {
        const worker = startWorker({ db, storage: openStorage(config), config }, { once: opts.once, pollMs: Number(opts.poll) || 2000 });
        const stop = () => void worker.stop();
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
        await worker.done;
      });
    });
}
