// `muragat worker`: works the job queue (docker-compose runs two) — every job kind a server
// works: transfers (ingest), the scheduled fixity batches (preservation, when
// MURAGAT_FIXITY_SCHEDULE is on, as for `muragat serve`) and the hourly sweep of expired copy
// packages (research/sweep.ts, when MURAGAT_PACKAGE_SWEEP is on). With a PostgreSQL server the queue is
// graphile-worker's, shared by every worker and server; on the embedded catalog this process is
// the only one. Stops cleanly on SIGTERM/SIGINT: the running transfer stops after its current
// step and goes back to the queue for the next worker; a fixity run stops at its next step as
// interrupted and is resumed by the next fixity job.
import type { Command } from 'commander';
import { loadConfig } from '../../common/config';
import { t } from '../../common/i18n';
import { openStorage } from '../../storage';
import { startWorker } from '../../ingest';
import { closeJobQueue, jobQueueFor } from '../../jobs';
import { startFixityScheduler, stopFixityRuns } from '../../preservation';
import { systemKeyDir } from '../../audit/audit-anchor';
import { startPackageSweeper } from '../../research/sweep';
import { malwareHealth } from '../../ingest/scan';
import { withCatalog } from '../database';
import { cliLanguage } from '../output';

export function register(program: Command): void {
  const lang = cliLanguage();
  program
    .command('worker')
    .description(t(lang, 'cli.worker_description'))
    .option('--once', t(lang, 'cli.worker_opt_once'))
    .option('--concurrency <n>', t(lang, 'jobs.worker_opt_concurrency'), '1')
    .action(async (opts: { once?: boolean; concurrency: string }) => {
      // Signals are taken from the start: a SIGTERM during start-up (migrations) still stops cleanly.
      let worker: { stop(): Promise<void> } | undefined;
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`muragat: ${t(lang, 'jobs.worker_stopping')}\n`);
        void worker?.stop();
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      const config = loadConfig();
      const malware = await malwareHealth({ policy: config.malwarePolicy, databaseDir: config.clamavDatabaseDir });
      if (malware.warning) process.stderr.write(`muragat: ${t(lang, malware.warning, { dir: malware.databaseDir, policy: malware.policy })}\n`);
      await withCatalog(async ({ db }) => {
        const deps = { db, storage: openStorage(config), config };
        if (stopping) return;
        const once = opts.once === true;
        const running = startWorker(deps, { once, concurrency: Math.max(1, Number(opts.concurrency) || 1) });
        const fixity = config.fixitySchedule
          ? await startFixityScheduler({ ...deps, keyDir: systemKeyDir(config) }, { once }).catch(async (error: unknown) => {
              // Transfers must not wait on a schedule that cannot start (the queue said why).
              process.stderr.write(`muragat: ${t(lang, 'preservation.worker_schedule_failed', { error: (error as Error).message })}\n`);
              return null;
            })
          : null;
        const sweeper = config.packageSweep
          ? await startPackageSweeper({ db, dataDir: config.dataDir, config }, { once }).catch(async (error: unknown) => {
              process.stderr.write(`muragat: ${t(lang, 'research.worker_sweep_failed', { error: (error as Error).message })}\n`);
              return null;
            })
          : null;
        worker = {
          async stop() {
            // A fixity run stops at its next step (recorded interrupted) before its job is handed back.
            await Promise.all([running.stop(), stopFixityRuns(db, 10_000).then(() => fixity?.stop()), sweeper?.stop()]);
          },
        };
        if (stopping) void worker.stop();
        if (!once) process.stderr.write(`muragat: ${t(lang, 'jobs.worker_started', { queue: jobQueueFor(deps).kind })}\n`);
        try {
          await Promise.all([running.done, fixity?.done, sweeper?.done]);
        } finally {
          await closeJobQueue(db);
        }
      });
    });
}
