// `muragat hold add (--dossier <id> | --series <index> | --year <YYYY>) --reason … [--kind legal|audit]`,
// `muragat hold lift <holdId> --reason …`, `muragat hold list [--active] [--json]`: legal and
// audit holds; a held dossier is never put on a destruction act nor destroyed.
import type { Command } from 'commander';
import { createAppraisalService, type HoldView } from '../../appraisal';
import { t, type Language } from '../../common/i18n';
import { cliActor, withCatalog } from '../database';
import { CliExit, EXIT, cliLanguage, printJson } from '../output';

function holdLine(lang: Language, h: HoldView): string {
  const target = h.scope === 'year' ? String(h.year) : h.caseIndex ?? h.dossierId ?? '';
  const state = h.active ? t(lang, 'appraisal.cli_hold_active') : t(lang, 'appraisal.cli_hold_lifted', { by: h.liftedBy ?? '', at: h.liftedAt ?? '', reason: h.liftReason ?? '' });
  return `${h.id}  ${t(lang, 'appraisal.cli_hold_scope', { scope: h.scope })} ${target}  ${t(lang, 'appraisal.cli_hold_kind', { kind: h.kind })}  «${h.reason}»  ${h.placedBy} ${h.placedAt}  ${state}`;
}

export function register(program: Command): void {
  const lang = cliLanguage();
  const hold = program.command('hold').description(t(lang, 'appraisal.cli_hold_description'));

  hold
    .command('add')
    .description(t(lang, 'appraisal.cli_hold_add_description'))
    .option('--dossier <id>', t(lang, 'appraisal.cli_arg_dossier'))
    .option('--series <index>', t(lang, 'appraisal.cli_opt_series'))
    .option('--year <year>', t(lang, 'appraisal.cli_opt_year'))
    .option('--kind <kind>', t(lang, 'appraisal.cli_opt_kind'), 'legal')
    .requiredOption('--reason <text>', t(lang, 'appraisal.cli_opt_reason'))
    .option('--json', t(lang, 'appraisal.cli_opt_json'))
    .action(async (opts: { dossier?: string; series?: string; year?: string; kind: string; reason: string; json?: boolean }) => {
      const given = [opts.dossier, opts.series, opts.year].filter((v) => v !== undefined);
      if (given.length !== 1) throw new CliExit(EXIT.usage, t(lang, 'appraisal.cli_hold_target'));
      const scope = opts.dossier ? 'dossier' : opts.series ? 'series' : 'year';
      const view = await withCatalog(({ db }) =>
        createAppraisalService({ db }).holds.place(cliActor(), { scope, dossierId: opts.dossier, caseIndex: opts.series, year: opts.year === undefined ? undefined : Number(opts.year), kind: opts.kind, reason: opts.reason }),
      );
      if (opts.json) return printJson(view);
      process.stdout.write(t(lang, 'appraisal.cli_hold_placed', { id: view.id }) + '\n' + holdLine(lang, view) + '\n');
    });

  hold
    .command('lift')
    .description(t(lang, 'appraisal.cli_hold_lift_description'))
    .argument('<holdId>', t(lang, 'appraisal.cli_arg_hold'))
    .requiredOption('--reason <text>', t(lang, 'appraisal.cli_opt_reason'))
    .option('--json', t(lang, 'appraisal.cli_opt_json'))
    .action(async (id: string, opts: { reason: string; json?: boolean }) => {
      const view = await withCatalog(({ db }) => createAppraisalService({ db }).holds.lift(cliActor(), id, { reason: opts.reason }));
      if (opts.json) return printJson(view);
      process.stdout.write(holdLine(lang, view) + '\n');
    });

  hold
    .command('list')
    .description(t(lang, 'appraisal.cli_hold_list_description'))
    .option('--active', t(lang, 'appraisal.cli_opt_active'))
    .option('--json', t(lang, 'appraisal.cli_opt_json'))
    .action(async (opts: { active?: boolean; json?: boolean }) => {
      const holds = await withCatalog(({ db }) => createAppraisalService({ db }).holds.list(opts.active ? { active: true } : {}));
      if (opts.json) return printJson(holds);
      process.stdout.write((holds.length ? holds.map((h) => holdLine(lang, h)) : [t(lang, 'appraisal.cli_no_holds')]).join('\n') + '\n');
    });
}
