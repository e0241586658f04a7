// `muragat nomenclature import <file> --year Y`: a CSV or JSON file into a new draft of the
// year (all or nothing, every bad row printed). `muragat nomenclature export <year> --format
// csv|json [--out file]`. `muragat nomenclature approve <year> --step …`: records the next step
// of the approval chain (p.133) as the operator, naming the signer with --by. `show`, `copy`
// and `summary` print the nomenclature, copy it into next year's draft and print the year-end
// record. The rules are catalog/nomenclature's; this file parses and prints.
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../common/config';
import { openStorage } from '../../storage';
import { t, type Language } from '../../common/i18n';
import { retentionText } from '../../catalog/retention/list-file';
import {
  NomenclatureFileInvalidError,
  createNomenclatureService,
  describeFileProblem,
  isApprovalStep,
  type ApprovalStep,
  type NomenclatureFileFormat,
  type NomenclatureSummaryView,
  type NomenclatureView,
} from '../../catalog/nomenclature';
import { cliActor, withCatalog } from '../database';
import { CliExit, EXIT, cliLanguage, printJson, printResult } from '../output';

const MAX_FILE_BYTES = 20 * 1024 * 1024;
/** Short names of the steps as people say them. */
const STEP_ALIASES: Record<string, ApprovalStep> = { sign: 'records_head', ek: 'expert_commission', epk: 'state_review', approve: 'organisation_head', head: 'organisation_head' };

function parseYear(value: string, lang: Language): number {
  if (!/^[0-9]{4}$/.test(String(value).trim())) throw new CliExit(EXIT.usage, t(lang, 'nomenclature.invalid_year', { year: value }));
  return Number(value);
}

function parseFormat(value: string | undefined, lang: Language): NomenclatureFileFormat | undefined {
  if (value === undefined) return undefined;
  const format = value.trim().toLowerCase();
  if (format !== 'csv' && format !== 'json') throw new CliExit(EXIT.usage, t(lang, 'nomenclature.invalid_format', { value, allowed: 'csv, json' }));
  return format;
}

function parseStep(value: string, lang: Language): ApprovalStep {
  const step = STEP_ALIASES[value.trim().toLowerCase()] ?? value.trim();
  if (!isApprovalStep(step)) {
    throw new CliExit(EXIT.usage, t(lang, 'nomenclature.invalid_step', { value, allowed: 'records_head (sign), expert_commission (ek), state_review (epk), organisation_head (approve)' }));
  }
  return step;
}

function describe(lang: Language, view: NomenclatureView): string {
  const lines = [
    t(lang, 'nomenclature.cli_header', { year: view.year, revision: view.revision, status: t(lang, `nomenclature.status_${view.status}`), count: view.items.length }),
    ...view.approvals.map((a) => `  ✓ ${t(lang, `nomenclature.step_${a.step}`)}${a.protocolNumber ? ` № ${a.protocolNumber}` : ''}, ${a.date}${a.name ? `, ${a.name}` : ''}`),
  ];
  if (view.nextStep) lines.push(`  → ${t(lang, 'nomenclature.cli_next_step', { step: t(lang, `nomenclature.step_${view.nextStep}`) })}`);
  if (view.inForceFrom) lines.push(`  ${t(lang, 'nomenclature.cli_in_force', { date: view.inForceFrom })}`);
  let section = '';
  for (const item of view.items) {
    if (item.departmentCode !== section) {
      section = item.departmentCode;
      const s = view.sections.find((x) => x.departmentCode === section);
      lines.push(`${section} ${s ? (lang === 'ru' ? s.nameRu : s.nameKk) : ''}`.trimEnd());
    }
    const notes = [item.carriedOver ? t(lang, 'nomenclature.note_carried_over', { year: item.carriedFromYear ?? '' }) : null, t(lang, `nomenclature.note_${item.documentForm}`)].filter(Boolean);
    lines.push(`  ${item.caseIndex}\t${item.heading}\t${retentionText(item.retention)}${item.retention.article ? `, ${item.retention.article}` : ''}\t${notes.join('; ')}`);
  }
  return lines.join('\n');
}

function describeSummary(lang: Language, s: NomenclatureSummaryView): string {
  const row = (key: string, l: { total: number; carriedOver: number; withEpkMark: number }) =>
    `  ${t(lang, key).padEnd(40)} ${String(l.total).padStart(6)} ${String(l.carriedOver).padStart(6)} ${String(l.withEpkMark).padStart(6)}`;
  return [
    t(lang, 'nomenclature.cli_summary_header', { year: s.year }),
    row('nomenclature.category_permanent', s.permanent),
    row('nomenclature.category_over_10', s.over10),
    row('nomenclature.category_personnel', s.personnel),
    row('nomenclature.category_up_to_10', s.upTo10),
    row('nomenclature.category_total', s.totals),
    ...(s.itemsWithoutCount.length ? [t(lang, 'nomenclature.cli_without_count', { indexes: s.itemsWithoutCount.join(', ') })] : []),
  ].join('\n');
}

export function register(program: Command): void {
  const lang = cliLanguage();
  const command = program.command('nomenclature').description(t(lang, 'nomenclature.cli_description'));

  command
    .command('import')
    .description(t(lang, 'nomenclature.cli_import_description'))
    .argument('<file>', t(lang, 'nomenclature.cli_arg_file'))
    .requiredOption('--year <year>', t(lang, 'nomenclature.cli_opt_year'))
    .option('--format <format>', t(lang, 'nomenclature.cli_opt_format'))
    .option('--json', t(lang, 'nomenclature.cli_opt_json'))
    .action(async (file: string, opts: { year: string; format?: string; json?: boolean }) => {
      const year = parseYear(opts.year, lang);
      const format = parseFormat(opts.format, lang) ?? (path.extname(file).toLowerCase() === '.json' ? 'json' : 'csv');
      let content: string;
      try {
        const size = (await stat(file)).size;
        if (size > MAX_FILE_BYTES) throw new CliExit(EXIT.usage, t(lang, 'nomenclature.cli_file_too_large', { file, size, max: MAX_FILE_BYTES }));
        content = await readFile(file, 'utf8');
      } catch (error) {
        if (error instanceof CliExit) throw error;
        throw new CliExit(EXIT.usage, t(lang, 'nomenclature.cli_file_unreadable', { file, reason: (error as NodeJS.ErrnoException).code ?? String(error) }));
      }
      try {
        const view = await withCatalog(({ db }) => createNomenclatureService({ db }).importFile(cliActor(), year, { content, format, sourceName: path.basename(file) }));
        if (opts.json) printJson({ ok: true, ...view });
        else process.stdout.write(t(lang, 'nomenclature.cli_imported', { year: view.year, revision: view.revision, count: view.items.length }) + '\n');
      } catch (error) {
        if (!(error instanceof NomenclatureFileInvalidError)) throw error;
        const problems = error.problems.map((p) => ({ ...p, message: describeFileProblem(lang, p) }));
        if (opts.json) printJson({ ok: false, file, problems });
        else process.stderr.write([t(lang, 'nomenclature.import_invalid', { file, count: problems.length }), ...problems.map((p) => `  ${p.message}`)].join('\n') + '\n');
        throw new CliExit(EXIT.checkFailed);
      }
    });

  command
    .command('export')
    .description(t(lang, 'nomenclature.cli_export_description'))
    .argument('<year>', t(lang, 'nomenclature.cli_opt_year'))
    .requiredOption('--format <format>', t(lang, 'nomenclature.cli_opt_format'))
    .option('--revision <n>', t(lang, 'nomenclature.cli_opt_revision'))
    .option('--out <file>', t(lang, 'nomenclature.cli_opt_out'))
    .action(async (yearText: string, opts: { format: string; revision?: string; out?: string }) => {
      const year = parseYear(yearText, lang);
      const format = parseFormat(opts.format, lang)!;
      if (opts.revision !== undefined && !/^[1-9][0-9]{0,3}$/.test(opts.revision)) throw new CliExit(EXIT.usage, t(lang, 'nomenclature.revision_not_found', { year, revision: opts.revision }));
      const { view, content } = await withCatalog(({ db }) => createNomenclatureService({ db }).exportFile(year, format, opts.revision ? Number(opts.revision) : undefined));
      if (!opts.out) {
        process.stdout.write(content);
        return;
      }
      await writeFile(opts.out, content, 'utf8');
      process.stderr.write(t(lang, 'nomenclature.cli_exported', { year: view.year, revision: view.revision, file: opts.out }) + '\n');
    });

  command
    .command('approve')
    .description(t(lang, 'nomenclature.cli_approve_description'))
    .argument('<year>', t(lang, 'nomenclature.cli_opt_year'))
    .requiredOption('--step <step>', t(lang, 'nomenclature.cli_opt_step'))
    .option('--protocol <number>', t(lang, 'nomenclature.cli_opt_protocol'))
    .option('--date <date>', t(lang, 'nomenclature.cli_opt_date'))
    .option('--by <name>', t(lang, 'nomenclature.cli_opt_by'))
    .option('--position <position>', t(lang, 'nomenclature.cli_opt_position'))
    .option('--json', t(lang, 'nomenclature.cli_opt_json'))
    .action(async (yearText: string, opts: { step: string; protocol?: string; date?: string; by?: string; position?: string; json?: boolean }) => {
      const year = parseYear(yearText, lang);
      const step = parseStep(opts.step, lang);
      const view = await withCatalog(({ db }) =>
        createNomenclatureService({ db, storage: openStorage(loadConfig()) }).recordStep(cliActor(), year, { step, protocolNumber: opts.protocol ?? null, date: opts.date ?? null, name: opts.by ?? null, position: opts.position ?? null }),
      );
      printResult(view, opts.json, (v) => describe(lang, v));
    });

  command
    .command('show')
    .description(t(lang, 'nomenclature.cli_show_description'))
    .argument('<year>', t(lang, 'nomenclature.cli_opt_year'))
    .option('--revision <n>', t(lang, 'nomenclature.cli_opt_revision'))
    .option('--json', t(lang, 'nomenclature.cli_opt_json'))
    .action(async (yearText: string, opts: { revision?: string; json?: boolean }) => {
      const year = parseYear(yearText, lang);
      const view = await withCatalog(({ db }) => createNomenclatureService({ db }).get(year, opts.revision ? Number(opts.revision) : undefined));
      printResult(view, opts.json, (v) => describe(lang, v));
    });

  command
    .command('copy')
    .description(t(lang, 'nomenclature.cli_copy_description'))
    .argument('<year>', t(lang, 'nomenclature.cli_opt_year'))
    .option('--to <year>', t(lang, 'nomenclature.cli_opt_to'))
    .option('--carried-over <indexes>', t(lang, 'nomenclature.cli_opt_carried'))
    .option('--json', t(lang, 'nomenclature.cli_opt_json'))
    .action(async (yearText: string, opts: { to?: string; carriedOver?: string; json?: boolean }) => {
      const from = parseYear(yearText, lang);
      const toYear = opts.to ? parseYear(opts.to, lang) : undefined;
      const carriedOver = (opts.carriedOver ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      const view = await withCatalog(({ db }) => createNomenclatureService({ db }).copyToNextYear(cliActor(), from, { toYear, carriedOver }));
      printResult(view, opts.json, (v) => describe(lang, v));
    });

  command
    .command('summary')
    .description(t(lang, 'nomenclature.cli_summary_description'))
    .argument('<year>', t(lang, 'nomenclature.cli_opt_year'))
    .option('--json', t(lang, 'nomenclature.cli_opt_json'))
    .action(async (yearText: string, opts: { json?: boolean }) => {
      const year = parseYear(yearText, lang);
      const summary = await withCatalog(({ db }) => createNomenclatureService({ db }).summary(year));
      printResult(summary, opts.json, (s) => describeSummary(lang, s));
    });
}
