// `muragat access show|set|grant|revoke|report`: researcher access rules (p.212, access/) from
// the server's shell — a dossier's or document's rule (audited as the operator), exceptions
// that open a personnel dossier to one researcher, and what a researcher viewed and downloaded.
import type { Command } from 'commander';
import { dossierAccess, grantException, researcherReport, revokeException, setAccessRule, type DossierAccess, type EffectiveRule } from '../../access';
import { t, type Language } from '../../common/i18n';
import { findDossier } from '../../ingest/dossier/queries';
import { cliActor, withCatalog } from '../database';
import { CliExit, EXIT, cliLanguage, printJson } from '../output';

function kindWord(lang: Language, kind: string): string {
  return t(lang, `access.kind_${kind}` as never);
}

function ruleLine(lang: Language, label: string, rule: EffectiveRule): string {
  const until = rule.until ? `  ${t(lang, 'access.field_until')}: ${rule.until}` : '';
  const before = rule.kind === 'restricted' || rule.kind === 'personal' ? `  ${t(lang, `access.before_lift_${rule.beforeLift ?? 'hidden'}` as never)}` : '';
  const source =
    rule.source === 'archivist' ? t(lang, 'access.source_archivist', { who: rule.setBy ?? '', at: rule.setAt ?? '' }) : rule.source === 'transfer' ? t(lang, 'access.source_transfer') : t(lang, 'access.source_default');
  return `${label}: ${kindWord(lang, rule.kind)}${until}${before}${rule.basis ? `  «${rule.basis}»` : ''}  (${source})`;
}

function printAccess(lang: Language, a: DossierAccess): void {
  const lines = [ruleLine(lang, `${t(lang, 'access.dossier_rule')} ${a.caseIndex}`, a.rule)];
  for (const d of a.documents) lines.push(ruleLine(lang, `  ${t(lang, 'access.document_rule', { position: d.position })} «${d.title}»`, d.rule));
  lines.push(`${t(lang, 'access.exceptions_title')}:`);
  if (!a.exceptions.length) lines.push(`  ${t(lang, 'access.exception_none')}`);
  for (const e of a.exceptions) {
    lines.push(`  ${e.id}  ${t(lang, 'access.exception_line', { researcher: e.username, grounds: t(lang, `access.grounds_${e.grounds}` as never), reference: e.reference, by: e.grantedBy, at: e.grantedAt })}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

export function register(program: Command): void {
  const lang = cliLanguage();
  const access = program.command('access').description(t(lang, 'access.cli_desc'));

  access
    .command('show')
    .description(t(lang, 'access.cli_show_desc'))
    .argument('<dossier>', t(lang, 'access.cli_arg_dossier'))
    .option('--json', t(lang, 'access.cli_opt_json'))
    .action(async (dossier: string, opts: { json?: boolean }) => {
      const a = await withCatalog(async ({ db }) => dossierAccess(db, (await findDossier(db, dossier)).id));
      if (opts.json) return printJson(a);
      printAccess(lang, a);
    });

  access
    .command('set')
    .description(t(lang, 'access.cli_set_desc'))
    .argument('<dossier>', t(lang, 'access.cli_arg_dossier'))
    .requiredOption('--kind <kind>', t(lang, 'access.cli_opt_kind'))
    .option('--until <date>', t(lang, 'access.cli_opt_until'))
    .option('--before-lift <what>', t(lang, 'access.cli_opt_before_lift'))
    .option('--basis <text>', t(lang, 'access.cli_opt_basis'))
    .option('--document <n>', t(lang, 'access.cli_opt_document'))
    .option('--json', t(lang, 'access.cli_opt_json'))
    .action(async (dossier: string, opts: { kind: string; until?: string; beforeLift?: string; basis?: string; document?: string; json?: boolean }) => {
      const position = opts.document === undefined ? undefined : /^\d{1,5}$/.test(opts.document) && Number(opts.document) >= 1 ? Number(opts.document) : NaN;
      if (Number.isNaN(position)) throw new CliExit(EXIT.usage, t(lang, 'access.cli_document_invalid', { value: opts.document ?? '' }));
      const a = await withCatalog(async ({ db }) =>
        setAccessRule(db, cliActor(), { target: { dossierId: (await findDossier(db, dossier)).id, ...(position !== undefined ? { position } : {}) }, kind: opts.kind, until: opts.until, beforeLift: opts.beforeLift, basis: opts.basis }),
      );
      if (opts.json) return printJson(a);
      const rule = position === undefined ? a.rule : a.documents.find((d) => d.position === position)!.rule;
      const target = position === undefined ? a.caseIndex : `${a.caseIndex} ${t(lang, 'access.document_rule', { position })}`;
      process.stdout.write(t(lang, 'access.cli_rule_set', { target, kind: kindWord(lang, rule.kind), until: rule.until ?? 'none' }) + '\n');
    });

  access
    .command('grant')
    .description(t(lang, 'access.cli_grant_desc'))
    .argument('<dossier>', t(lang, 'access.cli_arg_dossier'))
    .requiredOption('--user <username>', t(lang, 'access.cli_opt_user'))
    .requiredOption('--grounds <grounds>', t(lang, 'access.cli_opt_grounds'))
    .requiredOption('--reference <text>', t(lang, 'access.cli_opt_reference'))
    .option('--json', t(lang, 'access.cli_opt_json'))
    .action(async (dossier: string, opts: { user: string; grounds: string; reference: string; json?: boolean }) => {
      const a = await withCatalog(async ({ db }) => grantException(db, cliActor(), { dossierId: (await findDossier(db, dossier)).id, username: opts.user, grounds: opts.grounds, reference: opts.reference }));
      if (opts.json) return printJson(a);
      process.stdout.write(t(lang, 'access.cli_exception_granted', { username: opts.user, dossier: a.caseIndex }) + '\n');
    });

  access
    .command('revoke')
    .description(t(lang, 'access.cli_revoke_desc'))
    .argument('<exception>', t(lang, 'access.cli_arg_exception'))
    .requiredOption('--reason <text>', t(lang, 'access.cli_opt_reason'))
    .option('--json', t(lang, 'access.cli_opt_json'))
    .action(async (id: string, opts: { reason: string; json?: boolean }) => {
      const a = await withCatalog(({ db }) => revokeException(db, cliActor(), { exceptionId: id, reason: opts.reason }));
      if (opts.json) return printJson(a);
      process.stdout.write(t(lang, 'access.cli_exception_revoked', { id }) + '\n');
    });

  access
    .command('report')
    .description(t(lang, 'access.cli_report_desc'))
    .requiredOption('--user <username>', t(lang, 'access.cli_opt_user'))
    .option('--from <date>', t(lang, 'access.cli_opt_from'))
    .option('--to <date>', t(lang, 'access.cli_opt_to'))
    .option('--json', t(lang, 'access.cli_opt_json'))
    .action(async (opts: { user: string; from?: string; to?: string; json?: boolean }) => {
      for (const [field, value] of [['--from', opts.from], ['--to', opts.to]] as const) {
        if (value !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new CliExit(EXIT.usage, t(lang, 'access.cli_date_invalid', { option: field, value }));
      }
      const report = await withCatalog(({ db }) => researcherReport(db, opts.user, { from: opts.from, to: opts.to }));
      if (opts.json) return printJson(report);
      const lines = [t(lang, 'access.report_title', { username: report.username }), t(lang, 'access.report_total', { count: report.total })];
      if (!report.rows.length) lines.push(t(lang, 'access.report_empty'));
      for (const r of report.rows) {
        lines.push(
          t(lang, 'access.cli_report_line', {
            at: r.at,
            action: t(lang, r.action === 'access.view' ? 'access.action_view' : 'access.action_download'),
            what: t(lang, `access.what_${r.what.replace(/-/g, '_')}` as never),
            dossier: r.dossier ?? '',
            position: r.position === null ? 'none' : String(r.position),
            title: r.title ? `«${r.title}»` : '',
          }),
        );
      }
      process.stdout.write(lines.join('\n') + '\n');
    });
}
