// `muragat schedule list|create|add-row|remove-row|approve|show|export`: the transfer schedule
// (App. 31). The local operator acts as the archive; an approval given on paper is recorded
// with the organisation head named (--by).
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig } from '../../common/config';
import { openStorage } from '../../storage';
import { t, type Language } from '../../common/i18n';
import { createScheduleService, type ScheduleView } from '../../catalog/schedules';
import { cliActor, withCatalog } from '../database';
import { CliExit, EXIT, cliLanguage, printJson } from '../output';

function parseYear(value: string, lang: Language): number {
  if (!/^\d{4}$/.test(value.trim())) throw new CliExit(EXIT.usage, t(lang, 'schedules.invalid_year', { value, field: 'year' }));
  return Number(value);
}

function printSchedule(lang: Language, s: ScheduleView): void {
  const lines = [
    t(lang, 'schedules.cli_show_header', { year: s.year, recordsYear: s.recordsYear, status: t(lang, `schedules.status_${s.status}`) }),
    ...(s.rows.length ? [] : [`  ${t(lang, 'schedules.cli_no_rows')}`]),
    ...s.rows.map((r) => {
      const days = r.state === 'due' ? (r.daysLeft === 0 ? t(lang, 'schedules.due_today') : t(lang, 'schedules.days_left', { days: r.daysLeft })) : r.state === 'overdue' ? t(lang, 'schedules.days_overdue', { days: -r.daysLeft }) : '';
      const state = [t(lang, `schedules.state_${r.state}`), days, r.returned ? t(lang, 'schedules.ui_returned', { reason: r.returned.reason }) : ''].filter(Boolean).join(', ');
      return (
        '  ' +
        t(lang, 'schedules.cli_show_row', {
          position: r.position,
          department: `${r.department.code} ${lang === 'ru' ? r.department.nameRu : r.department.nameKk}`,
          deadline: r.deadline,
          responsible: [r.responsible.position, r.responsible.name].filter(Boolean).join(', '),
          state,
        })
      );
    }),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

export function register(program: Command): void {
  const lang = cliLanguage();
  const schedule = program.command('schedule').description(t(lang, 'schedules.cli_description'));

  schedule
    .command('list')
    .description(t(lang, 'schedules.cli_list_description'))
    .option('--json', t(lang, 'schedules.cli_opt_json'))
    .action(async (opts: { json?: boolean }) => {
      const list = await withCatalog(({ db }) => createScheduleService({ db }).list());
      if (opts.json) return printJson(list);
      if (!list.length) process.stdout.write(t(lang, 'schedules.cli_no_schedules') + '\n');
      for (const s of list) process.stdout.write(t(lang, 'schedules.cli_list_line', { year: s.year, status: t(lang, `schedules.status_${s.status}`), count: s.rowCount }) + '\n');
    });

  schedule
    .command('create')
    .description(t(lang, 'schedules.cli_create_description'))
    .argument('<year>', t(lang, 'schedules.cli_arg_year'))
    .option('--records-year <year>', t(lang, 'schedules.cli_opt_records_year'))
    .option('--number <number>', t(lang, 'schedules.cli_opt_number'))
    .option('--place <place>', t(lang, 'schedules.cli_opt_place'))
    .option('--json', t(lang, 'schedules.cli_opt_json'))
    .action(async (year: string, opts: { recordsYear?: string; number?: string; place?: string; json?: boolean }) => {
      const created = await withCatalog(({ db }) =>
        createScheduleService({ db }).create(cliActor(), {
          year: parseYear(year, lang),
          recordsYear: opts.recordsYear === undefined ? null : parseYear(opts.recordsYear, lang),
          number: opts.number ?? null,
          place: opts.place ?? null,
        }),
      );
      if (opts.json) printJson(created);
      else process.stdout.write(t(lang, 'schedules.cli_created', { year: created.year, recordsYear: created.recordsYear }) + '\n');
    });

  schedule
    .command('add-row')
    .description(t(lang, 'schedules.cli_add_row_description'))
    .argument('<year>', t(lang, 'schedules.cli_arg_year'))
    .requiredOption('--department <code>', t(lang, 'schedules.cli_opt_department'))
    .requiredOption('--deadline <date>', t(lang, 'schedules.cli_opt_deadline'))
    .requiredOption('--responsible <username>', t(lang, 'schedules.cli_opt_responsible'))
    .option('--note <text>', t(lang, 'schedules.cli_opt_note'))
    .option('--json', t(lang, 'schedules.cli_opt_json'))
    .action(async (year: string, opts: { department: string; deadline: string; responsible: string; note?: string; json?: boolean }) => {
      const updated = await withCatalog(({ db }) =>
        createScheduleService({ db }).addRow(cliActor(), year.trim(), { department: opts.department, deadline: opts.deadline, responsible: opts.responsible, note: opts.note ?? null }),
      );
      if (opts.json) return printJson(updated);
      const row = updated.rows.find((r) => r.department.code === opts.department.trim()) ?? updated.rows[updated.rows.length - 1]!;
      process.stdout.write(t(lang, 'schedules.cli_row_added', { position: row.position, department: row.department.code, deadline: row.deadline }) + '\n');
    });

  schedule
    .command('remove-row')
    .description(t(lang, 'schedules.cli_remove_row_description'))
    .argument('<year>', t(lang, 'schedules.cli_arg_year'))
    .argument('<row>', t(lang, 'schedules.cli_arg_row'))
    .option('--json', t(lang, 'schedules.cli_opt_json'))
    .action(async (year: string, row: string, opts: { json?: boolean }) => {
      const updated = await withCatalog(({ db }) => createScheduleService({ db }).removeRow(cliActor(), year.trim(), row.trim()));
      if (opts.json) printJson(updated);
      else process.stdout.write(t(lang, 'schedules.cli_row_removed', { year: updated.year, count: updated.rows.length }) + '\n');
    });

  schedule
    .command('approve')
    .description(t(lang, 'schedules.cli_approve_description'))
    .argument('<year>', t(lang, 'schedules.cli_arg_year'))
    .requiredOption('--by <username>', t(lang, 'schedules.cli_opt_by'))
    .option('--json', t(lang, 'schedules.cli_opt_json'))
    .action(async (year: string, opts: { by: string; json?: boolean }) => {
      const approved = await withCatalog(({ db }) => createScheduleService({ db, storage: openStorage(loadConfig()) }).approve(cliActor(), year.trim(), { onBehalfOf: opts.by }));
      if (opts.json) printJson(approved);
      else process.stdout.write(t(lang, 'schedules.cli_approved', { year: approved.year }) + '\n');
    });

  schedule
    .command('show')
    .description(t(lang, 'schedules.cli_show_description'))
    .argument('<year>', t(lang, 'schedules.cli_arg_year'))
    .option('--json', t(lang, 'schedules.cli_opt_json'))
    .action(async (year: string, opts: { json?: boolean }) => {
      const view = await withCatalog(({ db }) => createScheduleService({ db }).get(year.trim()));
      if (opts.json) printJson(view);
      else printSchedule(lang, view);
    });

  schedule
    .command('export')
    .description(t(lang, 'schedules.cli_export_description'))
    .argument('<year>', t(lang, 'schedules.cli_arg_year'))
    .requiredOption('--format <format>', t(lang, 'schedules.cli_opt_format'))
    .option('--out <file>', t(lang, 'schedules.cli_opt_out'))
    .action(async (year: string, opts: { format: string; out?: string }) => {
      const format = opts.format.trim().toLowerCase();
      if (format !== 'csv' && format !== 'json') throw new CliExit(EXIT.usage, t(lang, 'schedules.invalid_format', { value: opts.format, allowed: 'csv, json' }));
      const exported = await withCatalog(({ db }) => createScheduleService({ db }).exportSchedule(year.trim(), format, lang));
      if (!opts.out) {
        process.stdout.write(exported.content);
        return;
      }
      await writeFile(opts.out, exported.content);
      process.stderr.write(t(lang, 'schedules.cli_exported', { year: exported.year, file: opts.out }) + '\n');
    });
}
