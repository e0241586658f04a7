// `muragat catalog rebuild --from-storage [--into-non-empty] [--accept-losses] [--dry-run] [--json]`:
// the catalog rebuilt from the AIPs in the storage locations (preservation/rebuild,
// docs/rebuild.md). Exit 0 when written (or a clean dry run), 1 when problems refused it.
import type { Command } from 'commander';
import { t } from '../../common/i18n';
import { loadConfig } from '../../common/config';
import { openStorage } from '../../storage';
import { loadTools } from '../../ingest';
import { rebuildCatalog, type RebuildPhase, type RebuildReport } from '../../preservation/rebuild';
import { cliActor, withCatalog } from '../database';
import { createProgress, type Progress } from '../progress';
import { CliExit, EXIT, cliLanguage, printJson, statusText } from '../output';

interface Options {
  fromStorage?: boolean;
  intoNonEmpty?: boolean;
  acceptLosses?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  const lang = cliLanguage();
  const catalog = program.commands.find((c) => c.name() === 'catalog') ?? program.command('catalog').description(t(lang, 'rebuild.cli_catalog_description'));
  catalog
    .command('rebuild')
    .description(t(lang, 'rebuild.cli_rebuild_description'))
    .option('--from-storage', t(lang, 'rebuild.cli_opt_from_storage'))
    .option('--into-non-empty', t(lang, 'rebuild.cli_opt_into_non_empty'))
    .option('--accept-losses', t(lang, 'rebuild.cli_opt_accept_losses'))
    .option('--dry-run', t(lang, 'rebuild.cli_opt_dry_run'))
    .option('--json', t(lang, 'cli.opt_json_report'))
    .action(async (opts: Options) => {
      if (!opts.fromStorage) throw new CliExit(EXIT.usage, `muragat: ${t(lang, 'rebuild.cli_from_storage_required')}`);
      const config = loadConfig();
      const tools = await loadTools();
      const report = await withCatalog(async ({ db }) => {
        // One bar per phase: scanning objects, reading AIPs, writing dossiers.
        let phase: RebuildPhase | null = null;
        let bar: Progress | null = null;
        try {
          return await rebuildCatalog(
            { db, storage: openStorage(config), verifySignature: tools.verifySignature, trustDir: config.trustDir },
            {
              actor: cliActor(),
              intoNonEmpty: opts.intoNonEmpty,
              acceptLosses: opts.acceptLosses,
              dryRun: opts.dryRun,
              onProgress: (p) => {
                if (p.phase !== phase) {
                  bar?.stop();
                  phase = p.phase;
                  bar = createProgress({ label: t(lang, `rebuild.cli_progress_${p.phase}`), silent: opts.json });
                }
                bar!.setTotal(p.total);
                bar!.update(p.done, p.item.slice(0, 40));
              },
            },
          );
        } finally {
          (bar as Progress | null)?.stop();
        }
      });
      if (opts.json) printJson(report);
      else process.stdout.write(describe(report, lang) + '\n');
      if (!report.ok && !(report.written && opts.acceptLosses)) throw new CliExit(EXIT.checkFailed);
    });
}

function describe(report: RebuildReport, lang: ReturnType<typeof cliLanguage>): string {
  const lines: string[] = [];
  for (const d of report.dossiers) {
    lines.push(t(lang, 'rebuild.cli_dossier', { index: d.index, volume: d.volume, title: d.title, documents: d.documents, status: statusText(lang, d.status, 'dossier') }));
  }
  for (const l of report.leftOut) {
    lines.push(
      l.destroyedBy
        ? t(lang, 'rebuild.cli_left_out_destroyed', { index: l.index, act: l.destroyedBy.actNumber ?? l.destroyedBy.actId, date: l.destroyedBy.destroyedAt.slice(0, 10) })
        : t(lang, 'rebuild.cli_left_out', { index: l.index, reason: l.reason ?? '' }),
    );
  }
  for (const p of report.problems) lines.push(t(lang, p.severity === 'error' ? 'rebuild.cli_error' : 'rebuild.cli_warning', { message: t(lang, p.code, p.params) }));
  const errors = report.problems.filter((p) => p.severity === 'error').length;
  if (report.written) {
    lines.push(t(lang, 'rebuild.cli_written', { dossiers: report.dossiers.length, documents: report.documents, transfers: report.transfers, manifests: report.manifestsFound, objects: report.objectsScanned }));
  } else if (report.dryRun && !errors) {
    lines.push(t(lang, 'rebuild.cli_dry_run', { dossiers: report.dossiers.length }));
  } else {
    lines.push(t(lang, 'rebuild.cli_refused', { errors }));
  }
  return lines.join('\n');
}
