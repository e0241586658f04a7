// `muragat transfer accept|return|act|approve-act`: the archive's decision on a stored transfer
// (App. 33). Registered under `transfer` (cli/commands/transfer.ts, which sorts before this
// file); the local operator names the archivist or the organisation head acting (--by).
import type { Command } from 'commander';
import { t, type Language } from '../../common/i18n';
import { createAcceptanceService, type ActView } from '../../catalog/acceptance';
import { actRenderer } from '../../catalog/acceptance/render';
import { loadConfig } from '../../common/config';
import { retentionForForm } from '../../forms/retention-text';
import { openStorage } from '../../storage';
import { cliActor, withCatalog } from '../database';
import { CliExit, EXIT, cliLanguage, printJson } from '../output';

function printAct(lang: Language, act: ActView): void {
  const formLang = lang === 'ru' ? 'ru' : 'kk';
  const person = (p: { name: string; position: string | null } | null) => (p ? [p.position, p.name].filter(Boolean).join(', ') : '—');
  const lines = [
    t(lang, 'acceptance.cli_act_header', {
      number: act.number,
      year: act.actYear,
      department: act.department.code,
      years: act.recordsYears,
      status: t(lang, `acceptance.act_status_${act.status}`),
    }),
    ...act.rows.map(
      (r) =>
        '  ' +
        t(lang, 'acceptance.cli_act_line', {
          position: r.position,
          index: r.volume > 1 ? `${r.index} (${r.volume})` : r.index,
          documents: r.documents,
          files: r.files,
          signed: r.signed,
          unsigned: r.unsigned,
          bytes: r.bytes,
          retention: r.retention ? retentionForForm(r.retention, formLang, r.retention.article) : '—',
        }),
    ),
    t(lang, 'acceptance.ui_total', { words: act.acceptedInWords[formLang] }),
    t(lang, 'acceptance.cli_act_people', { handedOver: person(act.handedOver), accepted: person(act.accepted), approved: person(act.approved) }),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

export function register(program: Command): void {
  const lang = cliLanguage();
  const transfer = program.commands.find((c) => c.name() === 'transfer');
  if (!transfer) throw new Error('cli/commands/transfer.ts must register `transfer` before its acceptance commands');

  transfer
    .command('accept')
    .description(t(lang, 'acceptance.cli_accept_description'))
    .argument('<id>', t(lang, 'acceptance.cli_arg_transfer'))
    .requiredOption('--by <username>', t(lang, 'acceptance.cli_opt_by'))
    .option('--state <text>', t(lang, 'acceptance.cli_opt_state'))
    .option('--handed-over-by <username>', t(lang, 'acceptance.cli_opt_handed_over'))
    .option('--json', t(lang, 'acceptance.cli_opt_json'))
    .action(async (id: string, opts: { by: string; state?: string; handedOverBy?: string; json?: boolean }) => {
      const decided = await withCatalog(({ db }) =>
        createAcceptanceService({ db, renderAct: actRenderer(openStorage(loadConfig())) }).accept(cliActor(), id.trim(), { acceptedBy: opts.by, stateOfDocuments: opts.state ?? null, handedOverBy: opts.handedOverBy ?? null }),
      );
      if (opts.json) return printJson(decided);
      const act = decided.act!;
      process.stdout.write(t(lang, 'acceptance.cli_accepted', { id: decided.transferId, number: act.number, year: act.actYear, documents: act.acceptedInWords[lang === 'ru' ? 'ru' : 'kk'] }) + '\n');
    });

  transfer
    .command('return')
    .description(t(lang, 'acceptance.cli_return_description'))
    .argument('<id>', t(lang, 'acceptance.cli_arg_transfer'))
    .requiredOption('--reason <text>', t(lang, 'acceptance.cli_opt_reason'))
    .requiredOption('--by <username>', t(lang, 'acceptance.cli_opt_by'))
    .option('--json', t(lang, 'acceptance.cli_opt_json'))
    .action(async (id: string, opts: { reason: string; by: string; json?: boolean }) => {
      const decided = await withCatalog(({ db }) => createAcceptanceService({ db }).returnTransfer(cliActor(), id.trim(), { reason: opts.reason, returnedBy: opts.by }));
      if (opts.json) printJson(decided);
      else process.stdout.write(t(lang, 'acceptance.cli_returned', { id: decided.transferId, reason: decided.reason ?? '' }) + '\n');
    });

  transfer
    .command('act')
    .description(t(lang, 'acceptance.cli_act_show_description'))
    .argument('<id>', t(lang, 'acceptance.cli_arg_transfer'))
    .option('--json', t(lang, 'acceptance.cli_opt_json'))
    .action(async (id: string, opts: { json?: boolean }) => {
      const decision = await withCatalog(({ db }) => createAcceptanceService({ db }).decision(id.trim()));
      if (!decision?.act) throw new CliExit(EXIT.checkFailed, t(lang, 'acceptance.act_not_found', { id }));
      if (opts.json) printJson(decision.act);
      else printAct(lang, decision.act);
    });

  transfer
    .command('approve-act')
    .description(t(lang, 'acceptance.cli_act_approve_description'))
    .argument('<id>', t(lang, 'acceptance.cli_arg_transfer'))
    .requiredOption('--by <username>', t(lang, 'acceptance.cli_opt_by'))
    .option('--json', t(lang, 'acceptance.cli_opt_json'))
    .action(async (id: string, opts: { by: string; json?: boolean }) => {
      const approved = await withCatalog(async ({ db }) => {
        const service = createAcceptanceService({ db, renderAct: actRenderer(openStorage(loadConfig())) });
        const decision = await service.decision(id.trim());
        if (!decision?.act) throw new CliExit(EXIT.checkFailed, t(lang, 'acceptance.act_not_found', { id }));
        return service.approveAct(cliActor(), decision.act.id, { onBehalfOf: opts.by });
      });
      if (opts.json) printJson(approved);
      else process.stdout.write(t(lang, 'acceptance.cli_act_approved', { number: approved.number, year: approved.actYear }) + '\n');
    });
}
