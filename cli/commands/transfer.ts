// `muragat transfer pack|check`: a department packs its dossier folders into a transfer
// package and anyone can check a package against its manifest before sending or ingesting.
import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { isAppError } from '../../common/errors';
import { t } from '../../common/i18n';
import { checkTransfer, packTransfer, type TransferProblem } from '../../ingest/transfer';
import { CliExit, EXIT, cliLanguage, printJson } from '../output';
import { loadConfig } from '../../common/config';
import { openStorage } from '../../storage';
import { buildReport, cancelTransfer, processTransfer, retryTransfer } from '../../ingest';
import { withCatalog, cliActor } from '../database';
import { createProgress } from '../progress';
import { printReportText, reportExitCode } from './ingest';

function printProblems(heading: string | null, problems: TransferProblem[]): void {
  if (problems.length === 0) return;
  if (heading) process.stdout.write(`${heading}\n`);
  for (const p of problems) process.stdout.write(`  ${p.message}${p.clause ? ` [${p.clause}]` : ''}\n`);
}

export function register(program: Command): void {
  const lang = cliLanguage();
  const transfer = program.command('transfer').description(t(lang, 'transfer.cli_description'));

  transfer
    .command('pack')
    .description(t(lang, 'transfer.cli_pack_description'))
    .argument('<dir>', t(lang, 'transfer.cli_pack_arg_dir'))
    .requiredOption('-o, --output <tar>', t(lang, 'transfer.cli_pack_opt_output'))
    .option('--gzip', t(lang, 'transfer.cli_pack_opt_gzip'))
    .option('--json', t(lang, 'transfer.cli_pack_opt_json'))
    .action(async (dir: string, opts: { output: string; gzip?: boolean; json?: boolean }) => {
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliExit(EXIT.usage, t(lang, 'transfer.pack_not_a_folder', { dir }));
      try {
        const result = await packTransfer(dir, opts.output, { gzip: opts.gzip, lang });
        const documents = result.manifest.dossiers.reduce((n, d) => n + d.documents.length, 0);
        const files = result.manifest.dossiers.reduce(
          (n, d) => n + d.documents.reduce((m, doc) => m + 1 + (doc.attachments?.length ?? 0) + (doc.signatures?.length ?? 0), 0),
          0,
        );
        if (opts.json) {
          printJson({ ok: true, output: opts.output, manifest: result.manifest, inferred: result.inferred, missing: result.missing });
          return;
        }
        process.stdout.write(t(lang, 'transfer.cli_packed', { out: opts.output, dossiers: result.manifest.dossiers.length, documents, files }) + '\n');
        printProblems(t(lang, 'transfer.cli_inferred_heading'), result.inferred);
        printProblems(t(lang, 'transfer.cli_missing_heading'), result.missing);
      } catch (error) {
        if (isAppError(error) && error.code === 'transfer.pack_refused') {
          const problems = (error.details as { problems: TransferProblem[] }).problems;
          if (opts.json) printJson({ ok: false, problems });
          else {
            process.stderr.write(t(lang, error.messageKey, error.params) + '\n');
            for (const p of problems) process.stderr.write(`  ${p.message}${p.clause ? ` [${p.clause}]` : ''}\n`);
          }
          throw new CliExit(EXIT.checkFailed);
        }
        throw error;
      }
    });

  transfer
    .command('check')
    .description(t(lang, 'transfer.cli_check_description'))
    .argument('<tar>', t(lang, 'transfer.cli_check_arg_tar'))
    .option('--json', t(lang, 'cli.opt_json_result'))
    .action(async (tarPath: string, opts: { json?: boolean }) => {
      if (!existsSync(tarPath) || !statSync(tarPath).isFile()) throw new CliExit(EXIT.usage, t(lang, 'transfer.cli_no_such_file', { file: tarPath }));
      const result = await checkTransfer(tarPath, { lang });
      const documents = result.manifest?.dossiers?.reduce((n, d) => n + (d.documents?.length ?? 0), 0) ?? 0;
      if (opts.json) {
        printJson({ ok: result.ok, problems: result.problems, manifest: result.manifest, entries: result.entries });
      } else if (result.ok) {
        process.stdout.write(
          t(lang, 'transfer.cli_check_ok', { dossiers: result.manifest?.dossiers.length ?? 0, documents, files: result.entries.length - 1 }) + '\n',
        );
      } else {
        process.stdout.write(t(lang, 'transfer.cli_check_failed', { count: result.problems.length }) + '\n');
        printProblems(null, result.problems);
      }
      if (!result.ok) throw new CliExit(EXIT.checkFailed);
    });

  transfer
    .command('retry')
    .description(t(lang, 'transfer.cli_retry_description'))
    .argument('<id>', t(lang, 'transfer.cli_arg_id'))
    .option('--json', t(lang, 'cli.opt_json_report'))
    .action(async (id: string, opts: { json?: boolean }) => {
      const config = loadConfig();
      const report = await withCatalog(async ({ db }) => {
        const deps = { db, storage: openStorage(config), config };
        await retryTransfer(deps, cliActor(), id);
        const progress = createProgress({ label: t(lang, 'ingest.cli_progress'), silent: opts.json, total: 0 });
        try {
          await processTransfer(deps, id, {
            onProgress: (p) => {
              progress.setTotal(p.total);
              progress.update(p.done, `${p.step}${p.item ? ` ${p.item}` : ''}`);
            },
          });
        } finally {
          progress.stop();
        }
        return buildReport({ db }, id, lang);
      });
      if (opts.json) printJson(report);
      else printReportText(report, lang);
      if (reportExitCode(report) !== EXIT.ok) process.exitCode = EXIT.checkFailed;
    });

  transfer
    .command('cancel')
    .description(t(lang, 'transfer.cli_cancel_description'))
    .argument('<id>', t(lang, 'transfer.cli_arg_id'))
    .option('--json', t(lang, 'cli.opt_json_result'))
    .action(async (id: string, opts: { json?: boolean }) => {
      const config = loadConfig();
      const result = await withCatalog(({ db }) => cancelTransfer({ db, storage: openStorage(config), config }, cliActor(), id));
      if (opts.json) printJson(result);
      else process.stdout.write(t(lang, 'transfer.cli_cancelled', { id: result.transferId }) + '\n');
    });
}
