// `muragat serve`: the web server. Stops on SIGTERM/SIGINT after requests in flight finish.
import type { Command } from 'commander';
import { loadConfig } from '../../common/config';
import { t } from '../../common/i18n';
import { startServer } from '../../server/index';
import { malwareHealth } from '../../ingest/scan';
import { CliExit, EXIT, cliLanguage } from '../output';

interface ServeOptions {
  demo?: boolean;
  port?: string;
  host?: string;
  quiet?: boolean;
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
    .action(async (opts: ServeOptions) => {
      const config = { ...loadConfig() };
      if (opts.port !== undefined) {
        const port = Number(opts.port);
        if (!/^\d+$/.test(opts.port) || port > 65535) throw new CliExit(EXIT.usage, t(lang, 'server.serve_invalid_port', { value: opts.port }));
        config.port = port;
      }
      if (opts.host) config.host = opts.host;
      const server = await startServer({ config, demo: !!opts.demo, demoTransfer: !!opts.demo, quiet: !!opts.quiet });
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
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          process.stderr.write(t(lang, 'server.serve_stopping', { signal }) + '\n');
          server.close().then(resolve, (error: unknown) => {
            process.stderr.write(`muragat: ${String(error)}\n`);
            process.exitCode = EXIT.usage;
            resolve();
          });
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
    });
}
