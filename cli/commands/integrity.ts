// `muragat integrity run [--repair]`: an integrity run — verify every stored dossier and,
// with --repair, restore missing or damaged object copies from a sound copy in another store.
// The run is recorded in integrity_runs like one started from the web page (same history,
// same one-at-a-time rule).
import type { Command } from 'commander';
import { ConflictError } from '../../common/errors';
import { t } from '../../common/i18n';
import { loadConfig } from '../../common/config';
import { openStorage } from '../../storage';
import { systemKeyDir } from '../../audit/audit-anchor';
import { loadTools } from '../../ingest';
import { runRecordedIntegrity } from '../../preservation';
import { cliActor, withCatalog } from '../database';
import { createProgress } from '../progress';
import { CliExit, EXIT, cliLanguage, printJson } from '../output';
import { veraPdfAvailable, type PdfaEngine } from '../../validators/pdfa';

export function register(program: Command): void {
  const helpLang = cliLanguage();
  const integrity = program.command('integrity').description(t(helpLang, 'ingest.cli_integrity_description'));
  integrity
    .command('run')
    .description(t(helpLang, 'ingest.cli_integrity_run_description'))
    .option('--repair', t(helpLang, 'ingest.cli_integrity_opt_repair'))
    .option('--dossier <id>', t(helpLang, 'ingest.cli_opt_dossier'))
    .option('--revalidate-pdfa [engine]', t(helpLang, 'pdfa.cli_opt_revalidate'))
    .option('--json', t(helpLang, 'cli.opt_json_report'))
    .action(async (opts: { repair?: boolean; dossier?: string; json?: boolean; revalidatePdfa?: string | boolean }) => {
      const lang = cliLanguage();
      // Bare --revalidate-pdfa means veraPDF, the reference validator.
      const revalidatePdfa = opts.revalidatePdfa === undefined ? undefined : ((opts.revalidatePdfa === true ? 'verapdf' : opts.revalidatePdfa) as PdfaEngine);
      if (revalidatePdfa !== undefined) {
        if (!['builtin', 'verapdf', 'both'].includes(revalidatePdfa)) throw new CliExit(EXIT.usage, `muragat: ${t(lang, 'pdfa.cli_usage_engine', { engine: revalidatePdfa })}`);
        if (revalidatePdfa !== 'builtin' && !(await veraPdfAvailable())) throw new CliExit(EXIT.usage, `muragat: ${t(lang, 'pdfa.cli_verapdf_missing')}`);
      }
      const config = loadConfig();
      const tools = await loadTools();
      const { report } = await withCatalog(async ({ db }) => {
        const progress = createProgress({ label: t(lang, 'ingest.cli_integrity_progress'), silent: opts.json, unit: 'items' });
        try {
          return await runRecordedIntegrity({ db, storage: openStorage(config), trustDir: config.trustDir, tools, keyDir: systemKeyDir(config) }, cliActor(), {
            repair: Boolean(opts.repair),
            ...(revalidatePdfa ? { revalidatePdfa } : {}),
            ...(opts.dossier ? { dossierId: opts.dossier } : {}),
            // The embedded catalog is this process's alone: any run it shows as active is orphaned.
            exclusive: !config.databaseUrl,
            onProgress: (_phase, done, total, item) => {
              progress.setTotal(total);
              progress.update(done, item);
            },
          });
        } catch (error) {
          // Another run going on is not a failed check (exit 1) but a state to wait out.
          if (error instanceof ConflictError) throw new CliExit(EXIT.usage, `muragat: ${t(lang, error.messageKey, error.params)}`);
          throw error;
        } finally {
          progress.stop();
        }
      });
      if (opts.json) printJson(report);
      else {
        const lines: string[] = [];
        for (const r of report.repairs) {
          for (const ok of r.repaired) lines.push(t(lang, 'ingest.cli_integrity_repaired', { sha256: r.sha256, location: ok.location, source: r.source ?? '' }));
          for (const bad of r.unrepaired) lines.push(t(lang, 'ingest.cli_integrity_unrepaired', { sha256: r.sha256, location: bad.location, reason: bad.reason }));
        }
        const final = report.afterRepair ?? report.verification;
        for (const d of final.dossiers.filter((x) => !x.ok)) {
          lines.push(t(lang, 'ingest.cli_verify_dossier_failed', { index: d.index, title: d.title, id: d.id, objects: d.objects }));
          for (const f of d.failures) lines.push(`       ${f.kind}: ${f.message}${f.path ? ` [${f.path}]` : ''}`);
        }
        lines.push(t(lang, report.ok ? 'ingest.cli_verify_ok' : 'ingest.cli_verify_failed', { dossiers: final.dossiers.length, objects: report.verification.objectsChecked }));
        process.stdout.write(lines.join('\n') + '\n');
      }
      if (!report.ok) throw new CliExit(EXIT.checkFailed);
    });
}
