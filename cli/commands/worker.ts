// `muragat worker`: processes transfers uploaded through the API (docker-compose's worker
// service). Resumes interrupted transfers first; stops cleanly on SIGTERM/SIGINT.
import type { Command } from 'commander';
import { loadConfig } from '../../common/config';
import { t } from '../../common/i18n';
import { openStorage } from '../../storage';
import { startWorker } from '../../ingest';
import { withCatalog } from '../database';
import { cliLanguage } from '../output';

export function register(program: Command): void {
  const lang = cliLanguage();
  program
    .command('worker')
    .description(t(lang, 'cli.worker_description'))
    .option('--once', t(lang, 'cli.worker_opt_once'))
    .option('--poll <ms>', t(lang, 'cli.worker_opt_poll'), '2000')
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
