// `muragat verify [--dossier <id> | --all]`: re-hash every stored object (primary and
// replicas), walk every chain, check inventories and signatures. Exit 1 names what failed.
import type { Command } from 'commander';
import { t } from '../../common/i18n';
import { loadConfig } from '../../common/config';
import { openStorage } from '../../storage';
import { verifyStoredDossiers, loadTools } from '../../ingest';
import { withCatalog } from '../database';
import { createProgress } from '../progress';
import { CliExit, EXIT, cliLanguage, printJson } from '../output';

export function register(program: Command): void {
  const lang = cliLanguage();
  program
    .command('verify')
    .description(t(lang, 'ingest.cli_verify_description'))
    .option('--dossier <id>', t(lang, 'ingest.cli_opt_dossier'))
    .option('--all', t(lang, 'ingest.cli_verify_opt_all'))
    .option('--json', t(lang, 'cli.opt_json_report'))
    .action(async (opts: { dossier?: string; all?: boolean; json?: boolean }) => {
      if (opts.dossier && opts.all) throw new CliExit(EXIT.usage, `muragat: ${t(lang, 'ingest.cli_verify_either_usage')}`);
      const config = loadConfig();
      const tools = await loadTools();
      const report = await withCatalog(async ({ db }) => {
        const progress = createProgress({ label: t(lang, 'ingest.cli_verify_progress'), silent: opts.json, unit: 'dossiers' });
        try {
          return await verifyStoredDossiers(
            { db, storage: openStorage(config), trustDir: config.trustDir, tools },
            { dossierId: opts.dossier, onProgress: (done, total, item) => { progress.setTotal(total); progress.update(done, item); } },
          );
        } finally {
          progress.stop();
        }
      });
      if (opts.json) printJson(report);
      else {
        const lines: string[] = [];
        for (const d of report.dossiers) {
          lines.push(t(lang, d.ok ? 'ingest.cli_verify_dossier_ok' : 'ingest.cli_verify_dossier_failed', { index: d.index, title: d.title, id: d.id, objects: d.objects }));
          for (const f of d.failures) {
            const where = [f.path, f.document ? `#${f.document.position}${f.document.title ? ` "${f.document.title}"` : ''}` : null, f.store].filter(Boolean).join(', ');
            lines.push(`       ${f.kind}: ${f.message}${where ? ` [${where}]` : ''}`);
          }
        }
        for (const r of report.rejectedItems) {
          lines.push(t(lang, r.ok ? 'ingest.cli_verify_rejected_ok' : 'ingest.cli_verify_rejected_failed', { transfer: r.transferId }));
          for (const f of r.failures) lines.push(`       ${f.kind}: ${f.message}${f.path ? ` [${f.path}]` : ''}`);
        }
        lines.push(t(lang, report.ok ? 'ingest.cli_verify_ok' : 'ingest.cli_verify_failed', { dossiers: report.dossiers.length, objects: report.objectsChecked }));
        process.stdout.write(lines.join('\n') + '\n');
      }
      if (!report.ok) throw new CliExit(EXIT.checkFailed);
    });
}
