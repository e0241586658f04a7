// `muragat serve`: the web server. Stops on SIGTERM/SIGINT after requests in flight finish.
// With --processes N (PostgreSQL server only) this process supervises N server processes on the
// port (server/cluster.ts) and each of them runs the code below as a server process.
import type { Command } from 'commander';
import { loadConfig } from '../../common/config';
import { t } from '../../common/i18n';
import { startServer } from '../../server/index';
import { serverProcessRole, superviseServerProcesses } from '../../server/cluster';
import { malwareHealth } from '../../ingest/scan';
import { CliExit, EXIT, cliLanguage } from '../output';

interface ServeOptions {
  demo?: boolean;
  port?: string;
  host?: string;
  quiet?: boolean;
  processes?: string;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function register(program: Command): void {
  const lang = cliLanguage();
  program
    .command('serve')
    .description(t(lang, 'server.serve_description'))
    .option('--demo', t(lang, 'server.serve_opt_demo'))
    .option('--port <n>', t(lang, 'server.serve_opt_port'))
    .option('--host <h>', t(lang, 'server.serve_opt_host'))
    .option('--quiet', t(lang, 'server.serve_opt_quiet'))
    .option('--processes <n>', t(lang, 'server.serve_opt_processes'))
    .action(async (opts: ServeOptions) => {
      const config = { ...loadConfig() };
      if (opts.port !== undefined) {
        const port = Number(opts.port);
        if (!/^\d+$/.test(opts.port) || port > 65535) throw new CliExit(EXIT.usage, t(lang, 'server.serve_invalid_port', { value: opts.port }));
        config.port = port;
      }
      if (opts.host) config.host = opts.host;
      if (opts.processes !== undefined) {
        const n = Number(opts.processes);
        if (!/^\d+$/.test(opts.processes) || n < 1 || n > 64) throw new CliExit(EXIT.usage, t(lang, 'server.serve_invalid_processes', { value: opts.processes }));
        config.serverProcesses = n;
      }
      const role = serverProcessRole();
      if (config.serverProcesses > 1 && !role) {
        if (!config.databaseUrl) throw new CliExit(EXIT.usage, t(lang, 'server.serve_processes_need_server', { processes: config.serverProcesses }));
        const processes = config.serverProcesses;
        const reason = (code: number | null, signal: string | null) => ({ code: code ?? '', signal: signal ?? 'none' });
        process.exitCode = await superviseServerProcesses(processes, {
          listening: (index) => process.stderr.write(t(lang, 'server.serve_process_listening', { index, processes }) + '\n'),
          exited: (index, code, signal, restarting) =>
            process.stderr.write(`muragat: ${t(lang, restarting ? 'server.serve_process_restarting' : 'server.serve_processes_giving_up', { index, ...reason(code, signal) })}\n`),
        });
        return;
      }
      // Among several server processes only the first seeds the demo and speaks for the server.
      const first = !role || role.first;
      const server = await startServer({ config, demo: !!opts.demo && first, demoTransfer: !!opts.demo && first, quiet: !!opts.quiet });
      if (!first) return waitForStop(server.close, lang, true);
      process.stdout.write(t(lang, 'server.serve_listening', { url: server.url }) + '\n');
      // The same warning as /api/health when files cannot be scanned for malware.
      const malware = await malwareHealth({ policy: config.malwarePolicy, databaseDir: config.clamavDatabaseDir });
      if (malware.warning) process.stderr.write(`muragat: ${t(lang, malware.warning, { dir: malware.databaseDir, policy: malware.policy })}\n`);
      if (opts.demo && server.demoUsers.length) {
        const rows = [
          [t(lang, 'server.table_username'), t(lang, 'server.table_password'), t(lang, 'server.table_roles')],
          ...server.demoUsers.map((u) => [u.username, u.password, u.roles.join(', ')]),
        ];
        process.stdout.write(`\n${t(lang, 'server.serve_demo_logins')}\n${table(rows)}\n\n`);
      }
      if (server.demoTransfer) {
        process.stdout.write(t(lang, 'ingest.demo_ingesting') + '\n');
        void server.demoTransfer.then((o) => {
          if (!o.ok) process.stderr.write(t(lang, 'ingest.demo_failed', { error: o.error ?? '' }) + '\n');
          else process.stdout.write(t(lang, o.result?.ingested ? 'ingest.demo_ingested' : 'ingest.demo_present', { dossiers: o.dossiers, documents: o.documents }) + '\n');
        });
      }
      await waitForStop(server.close, lang, !!role);
    });
}

/**
 * Until SIGTERM/SIGINT, then closes the server (requests in flight finish). A server process
 * under `--processes` stops on its supervisor's SIGTERM or when the supervisor is gone; the
 * terminal's Ctrl-C reaches the whole process group, and the supervisor forwards it once.
 */
async function waitForStop(close: () => Promise<void>, lang: ReturnType<typeof cliLanguage>, supervised: boolean): Promise<void> {
  const ignore = () => undefined;
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      process.off('disconnect', orphaned);
      if (!supervised) process.stderr.write(t(lang, 'server.serve_stopping', { signal }) + '\n');
      close().then(resolve, (error: unknown) => {
        process.stderr.write(`muragat: ${String(error)}\n`);
        process.exitCode = EXIT.usage;
        resolve();
      });
    };
    const orphaned = () => stop('SIGTERM');
    process.on('SIGTERM', stop);
    if (supervised) {
      process.on('SIGINT', ignore);
      process.once('disconnect', orphaned);
    } else process.on('SIGINT', stop);
  });
  if (supervised) {
    process.off('SIGINT', ignore);
    // The IPC channel to the supervisor would keep this process alive.
    if (process.connected) process.disconnect();
  }
}
