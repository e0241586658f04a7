// `muragat transfer pack|check`: a department packs its dossier folders into a transfer
// package and anyone can check a package against its manifest before sending or ingesting.
import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { isAppError } from '../../common/errors';
import { t } from '../../common/i18n';
import { checkTransfer, packTransfer, type TransferProblem } from '../../ingest/transfer';
import { CliExit, EXIT, cliLanguage, printJson } from '../output';

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
}
