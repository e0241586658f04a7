// `muragat import <tar|folder>`: E-ARK CSIP/SIP packages or a BagIt bag made by a Muragat,
// checked whole and taken in as transfers (preservation/exchange, docs/exchange.md).
import type { Command } from 'commander';
import { t } from '../../common/i18n';
import { loadConfig } from '../../common/config';
import { openStorage } from '../../storage';
import { importPackages, PackageRefused, problemMessage, type ImportPhase } from '../../preservation/exchange';
import { cliActor, withCatalog } from '../database';
import { createProgress, type Progress } from '../progress';
import { EXIT, cliLanguage, printJson } from '../output';

export function register(program: Command): void {
  const lang = cliLanguage();
  program
    .command('import')
    .description(t(lang, 'exchange.cli_import_description'))
    .argument('<source>', t(lang, 'exchange.cli_arg_source'))
    .option('--json', t(lang, 'cli.opt_json_report'))
    .action(async (source: string, opts: { json?: boolean }) => {
      const config = loadConfig();
      const bars = new Map<ImportPhase, Progress>();
      const stopAll = () => bars.forEach((b) => b.stop());
      try {
        const report = await withCatalog(async ({ db }) =>
          importPackages(
            { db, storage: openStorage(config), config },
            {
              source,
              actor: cliActor(),
              onProgress: (p) => {
                let bar = bars.get(p.phase);
                if (!bar) {
                  stopAll();
                  bars.set(p.phase, (bar = createProgress({ label: t(lang, `exchange.cli_progress_${p.phase}`), silent: opts.json, total: p.total })));
                }
                bar.setTotal(p.total || p.done);
                bar.update(p.done, p.item.slice(0, 40));
              },
            },
          ),
        );
        stopAll();
        if (opts.json) printJson(report);
        else {
          for (const tr of report.transfers) {
            process.stdout.write(t(lang, 'exchange.cli_imported_transfer', { transfer: tr.transferId, department: tr.department, year: tr.year, status: tr.status, dossiers: tr.dossiers.length }) + '\n');
            for (const d of tr.dossiers) process.stdout.write(t(lang, 'exchange.cli_imported_dossier', { index: d.index ?? '—', id: d.id ?? '—', accepted: d.accepted, documents: d.documents }) + '\n');
          }
        }
        if (report.transfers.some((tr) => tr.status !== 'completed')) process.exitCode = EXIT.checkFailed;
      } catch (error) {
        stopAll();
        if (!(error instanceof PackageRefused)) throw error;
        // Every problem named, in the reader's language; nothing was stored.
        if (opts.json) printJson({ refused: true, problems: error.problems.map((p) => ({ ...p, message: problemMessage(lang, p) })) });
        else {
          process.stderr.write(t(lang, 'exchange.cli_refused', { count: error.problems.length }) + '\n');
          for (const p of error.problems) process.stderr.write(`  ✗ ${problemMessage(lang, p)}\n`);
        }
        process.exitCode = EXIT.checkFailed;
      }
    });
}
