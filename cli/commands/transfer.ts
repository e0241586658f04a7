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
import { packGaps, type Gap, type PackGaps } from '../../ingest/intake/pack-gaps';
import type { Language } from '../../common/i18n';

function printProblems(heading: string | null, problems: TransferProblem[]): void {
  if (problems.length === 0) return;
  if (heading) process.stdout.write(`${heading}\n`);
  for (const p of problems) process.stdout.write(`  ${p.message}${p.clause ? ` [${p.clause}]` : ''}\n`);
}

const fieldKey = (field: Gap['field']) => `ingest.pack_field_${field.replace(/([a-z])([A-Z])/g, '$1_$2').replace(/\./g, '_').toLowerCase()}`;

/** One line per gap the archive's catalog fills (with its value when a catalog was consulted). */
function gapLine(lang: Language, g: Gap): string {
  const params = { where: g.where, code: g.code ?? '', index: g.index ?? '', year: g.year ?? '' };
  const key = {
    organisation: 'ingest.pack_gap_organisation',
    'organisation.bin': 'ingest.pack_gap_organisation_bin',
    fonds: 'ingest.pack_gap_fonds',
    'department.name': 'ingest.pack_gap_department_name',
    'dossier.title': 'ingest.pack_gap_dossier_title',
    'dossier.retention': 'ingest.pack_gap_dossier_retention',
  }[g.field as string];
  const line = key ? t(lang, key, params) : `${g.where}: ${t(lang, fieldKey(g.field))}`;
  return g.value !== undefined ? t(lang, 'ingest.pack_gap_value', { gap: line, value: g.value }) : line;
}

/** What the package does not say: filled by the archive's catalog, refused, or optional (grouped by place). */
function printGaps(lang: Language, gaps: PackGaps, year: number): void {
  const section = (heading: string, lines: string[]) => {
    if (!lines.length) return;
    process.stdout.write(`${heading}\n`);
    for (const l of lines) process.stdout.write(`  ${l}\n`);
  };
  section(t(lang, gaps.consulted ? 'ingest.pack_gaps_filled_heading' : 'ingest.pack_gaps_catalog_heading'), gaps.fromCatalog.map((g) => gapLine(lang, g)));
  if (!gaps.consulted && gaps.fromCatalog.some((g) => g.field === 'organisation' || g.field === 'organisation.bin' || g.field === 'dossier.title')) {
    process.stdout.write(`  ${t(lang, 'ingest.pack_gaps_catalog_note', { year })}\n`);
  }
  section(t(lang, 'ingest.pack_gaps_refused_heading'), gaps.refused.map((g) => gapLine(lang, g)));
  const byPlace = new Map<string, Gap[]>();
  for (const g of gaps.optional) byPlace.set(g.where, [...(byPlace.get(g.where) ?? []), g]);
  section(
    t(lang, 'ingest.pack_gaps_optional_heading'),
    [...byPlace].map(([where, list]) => {
      // One clause for the whole line when every field shares it, else each field its own.
      const clauses = [...new Set(list.map((g) => g.clause ?? ''))];
      const shared = clauses.length === 1 ? clauses[0] : null;
      const fields = list.map((g) => `${t(lang, fieldKey(g.field))}${shared === null && g.clause ? ` [${g.clause}]` : ''}`).join(', ');
      return `${t(lang, 'ingest.pack_gap_fields', { where, fields })}${shared ? ` [${shared}]` : ''}`;
    }),
  );
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
    .option('--catalog', t(lang, 'ingest.cli_pack_opt_catalog'))
    .action(async (dir: string, opts: { output: string; gzip?: boolean; json?: boolean; catalog?: boolean }) => {
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliExit(EXIT.usage, t(lang, 'transfer.pack_not_a_folder', { dir }));
      try {
        const result = await packTransfer(dir, opts.output, { gzip: opts.gzip, lang });
        const documents = result.manifest.dossiers.reduce((n, d) => n + d.documents.length, 0);
        const files = result.manifest.dossiers.reduce(
          (n, d) => n + d.documents.reduce((m, doc) => m + 1 + (doc.attachments?.length ?? 0) + (doc.signatures?.length ?? 0), 0),
          0,
        );
        // What the package leaves out, by what the archive does with it; with --catalog, this
        // archive's catalog is asked what it fills in (ingest/intake/pack-gaps.ts).
        let gaps: PackGaps;
        let unavailable: string | null = null;
        if (opts.catalog) {
          try {
            gaps = await withCatalog(({ db }) => packGaps(result.manifest, db));
          } catch (error) {
            unavailable = error instanceof Error ? error.message : String(error);
            gaps = await packGaps(result.manifest);
          }
        } else gaps = await packGaps(result.manifest);
        if (opts.json) {
          printJson({ ok: true, output: opts.output, manifest: result.manifest, inferred: result.inferred, missing: result.missing, gaps, ...(unavailable ? { catalogUnavailable: unavailable } : {}) });
          if (gaps.refused.length) process.exitCode = EXIT.checkFailed;
          return;
        }
        process.stdout.write(t(lang, 'transfer.cli_packed', { out: opts.output, dossiers: result.manifest.dossiers.length, documents, files }) + '\n');
        printProblems(t(lang, 'transfer.cli_inferred_heading'), result.inferred);
        // Other remarks of the packer (files skipped, properties unreadable); metadata gaps below.
        printProblems(t(lang, 'transfer.cli_missing_heading'), result.missing.filter((p) => p.code !== 'transfer.metadata_missing'));
        if (unavailable) process.stdout.write(t(lang, 'ingest.pack_catalog_unavailable', { reason: unavailable }) + '\n');
        printGaps(lang, gaps, result.manifest.transfer.year);
        // Written, but this archive would refuse it as it is: a check failed.
        if (gaps.refused.length) process.exitCode = EXIT.checkFailed;
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
