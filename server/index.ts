// Server entry used by `muragat serve`, the browser tests and the integration tests:
// database + migrations + storage + (demo seed) + HTTP listener, and an orderly close.
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from '../common/config';
import { logger as rootLogger, type Logger } from '../common/logger';
import type { Database } from '../database/database';
import { openDatabase } from '../database/db';
import { migrateToLatest } from '../database/migrator';
import { seedDemo } from '../demo/seed';
import { deleteExpiredSessions } from '../accounts/sessions.repository';
import { createUsersService, type ThrottlePolicy } from '../accounts/users.service';
import { openStorage } from '../storage';
import { startStorageGuard } from '../preservation/guard';
import { createAccessService, createUploadQuota } from '../access';
import type { DemoTransferOutcome } from '../ingest/demo';
import { recoverInterruptedRuns, stopIntegrityRuns } from '../preservation/runs.service';
import { startFixityScheduler, stopFixityRuns, type FixityScheduler } from '../preservation';
import { startPackageSweeper, type PackageSweeper } from '../research/sweep';
import { systemKeyDir } from '../audit/audit-anchor';
import { resumeTransfers, stopTransferProcessing } from '../ingest/pipeline/worker';
import { closeJobQueue } from '../jobs';
import { createServerMetrics } from './metrics';
import { createApp, type CreateAppOptions, type MountedRoute } from './app';
import { DEFAULT_SESSION_POLICY, type ServerDeps, type SessionPolicy } from './deps';

export type DemoLogin = { username: string; password: string; roles: string[] };

export interface StartServerOptions {
  config: Config;
  /** Migrate and seed the demo organisation and users. */
  demo?: boolean;
  /** With demo: ingest the demo transfer in the background once listening (`serve --demo`). */
  demoTransfer?: boolean;
  /** No request log (tests, benchmarks). */
  quiet?: boolean;
  /** An already open database (tests); the caller closes it. Default: from config. */
  db?: Kysely<Database>;
  logger?: Logger;
  sessionPolicy?: Partial<SessionPolicy>;
  throttle?: Partial<ThrottlePolicy>;
  now?: () => Date;
  app?: CreateAppOptions;
  /** Milliseconds in-flight requests get on close before their connections are cut. */
  shutdownGraceMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  deps: ServerDeps;
  routes: MountedRoute[];
  /** Demo logins when started with demo. */
  demoUsers: DemoLogin[];
  /** The background demo ingest when started with demoTransfer; never rejects. */
  demoTransfer?: Promise<DemoTransferOutcome>;
  close(): Promise<void>;
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config } = options;
  const log = options.logger ?? (options.quiet ? rootLogger().child({}, { level: 'silent' }) : rootLogger());
  const handle = options.db
    ? null
    : await openDatabase({ url: config.databaseUrl, pgliteDir: config.databaseUrl ? undefined : path.join(config.dataDir, 'db') });
  const db = options.db ?? handle!.db;
  try {
    // Every start migrates: a fresh install and an upgraded one come up the same way.
    await migrateToLatest(db);
    // Integrity runs left active by a crashed process are recorded as interrupted, not lost.
    // The embedded catalog is opened by this process alone, so every active run there is one;
    // on PostgreSQL only runs whose heartbeat stopped (another server may be running one).
    await recoverInterruptedRuns(db, { everyActive: !config.databaseUrl, logger: log });
    for (const location of config.storage) if (location.kind === 'file') await mkdir(location.root, { recursive: true });
    const storage = openStorage(config);
    let demoUsers: DemoLogin[] = [];
    if (options.demo) {
      const seeded = await seedDemo(db);
      demoUsers = seeded.users.map((u) => ({ username: u.username, password: u.password, roles: [...u.roles] }));
    }
    const now = options.now ?? (() => new Date());
    const deps: ServerDeps = {
      config,
      db,
      storage,
      users: createUsersService({ db, throttle: options.throttle, now }),
      access: createAccessService({ db, now }),
      uploadQuota: createUploadQuota({ db, config, now }),
      logger: log,
      sessionPolicy: { ...DEFAULT_SESSION_POLICY, ...options.sessionPolicy },
      jsonLimitBytes: 1024 * 1024,
      now,
      metrics: createServerMetrics({ db, config }),
      lifecycle: { closing: false },
    };
    const { app, routes } = await createApp(deps, options.app);
    const server = http.createServer(app.callback());
    // Slow-loris protection: a client must send its headers and body promptly.
    server.headersTimeout = 30_000;
    server.requestTimeout = 10 * 60_000; // transfer uploads may be large
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${shownHost}:${port}`;
    log.info({ url, demo: !!options.demo }, 'server listening');
    // Bad copies met by downloads are queued and repaired; the audit log's head is anchored in storage.
    const guard = startStorageGuard({ db, storage, config, logger: log });
    await guard.started;
    // Scheduled fixity batches on the job queue; an interrupted fixity run resumes now.
    // A scheduler that cannot start (queue unreachable) must not keep the archive offline.
    const fixity: FixityScheduler | null = config.fixitySchedule
      ? await startFixityScheduler({ db, storage, config, logger: log, keyDir: systemKeyDir(config) }).catch((error: unknown) => {
          log.error({ err: error }, 'fixity schedule not started; scheduled checks wait for the next start');
          return null;
        })
      : null;
    // Expired certified-copy packages are removed hourly on the same queue (research/sweep.ts).
    const packageSweeper: PackageSweeper | null = config.packageSweep
      ? await startPackageSweeper({ db, dataDir: config.dataDir, config, logger: log }).catch((error: unknown) => {
          log.error({ err: error }, 'package sweep not started; expired copy packages wait for the next start');
          return null;
        })
      : null;
    // Unfinished transfers (this server stopped mid-way, uploads no worker took yet) get their job.
    const resumed = await resumeTransfers({ db, storage, config });
    if (resumed) log.info({ transfers: resumed }, 'unfinished transfers queued again');
    // Listening first, so the UI is reachable while the demo transfer is ingested.
    const demoTransfer =
      options.demo && options.demoTransfer
        ? import('../ingest/demo').then((m) => m.startDemoTransfer({ db, storage, config }, log))
        : undefined;

    // Expired sessions are refused on use anyway; this only keeps the table small.
    const sweepSessions = async () => {
      try {
        const at = now();
        const removed = await deleteExpiredSessions(db, at, new Date(at.getTime() - deps.sessionPolicy.idleSeconds * 1000));
        if (removed) log.info({ removed }, 'expired sessions removed');
      } catch (error) {
        log.error({ err: error }, 'expired session cleanup failed');
      }
    };
    await sweepSessions();
    const sessionSweeper = setInterval(() => void sweepSessions(), 10 * 60_000);
    sessionSweeper.unref();

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        // Stop accepting, let in-flight requests finish, then cut what is left.
        deps.lifecycle.closing = true;
        clearInterval(sessionSweeper);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // A keep-alive connection whose request just finished becomes idle; sweep those
        // until the last in-flight request is done.
        server.closeIdleConnections();
        const sweeper = setInterval(() => server.closeIdleConnections(), 50);
        const grace = options.shutdownGraceMs ?? 10_000;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, grace)))]);
        if (timer) clearTimeout(timer);
        clearInterval(sweeper);
        server.closeAllConnections();
        await closed;
        // A running integrity check stops between two dossiers and records "interrupted".
        await stopIntegrityRuns(db, grace);
        // A fixity run stops at its next step as interrupted and resumes at the next start.
        await stopFixityRuns(db, grace);
        await fixity?.stop();
        await packageSweeper?.stop();
        // A transfer processed in this process stops after its current step and resumes later.
        await stopTransferProcessing({ db });
        await closeJobQueue(db);
        // The demo ingest is resumable; give it the grace period before the database closes.
        if (demoTransfer) await Promise.race([demoTransfer, new Promise((resolve) => setTimeout(resolve, grace).unref())]);
        await guard.close();
        if (handle) await handle.close();
        log.info('server stopped');
      })());
    return { url, port, deps, routes, demoUsers, ...(demoTransfer ? { demoTransfer } : {}), close };
  } catch (error) {
    if (handle) await handle.close();
    throw error;
  }
}
