// `muragat appraisal list --by YYYY-MM-DD [--fonds --year --department --article] [--page N --page-size N] [--json]`: the
// dossiers whose retention ends by the date, grouped by fonds, year, department and article, ЭПК
// flagged, with decisions, holds and acts. `muragat appraisal decide <dossierId> destroy|keep_permanently|extend
// --reason … [--years N]`: the appraiser's decision. `muragat appraisal apply`: the commission's
// adopted decisions (signed protocol) applied to the dossiers' retention.
import type { Command } from 'commander';
import { createAppraisalService, type AppraisalEntry } from '../../appraisal';
import { t, type Language } from '../../common/i18n';
import { retentionForForm } from '../../forms/retention-text';
import { loadConfig } from '../../common/config';
import { openStorage } from '../../storage';
import { cliActor, withCatalog } from '../database';
import { CliExit, EXIT, cliLanguage, printJson } from '../output';

function yearOption(value: string | undefined, lang: Language): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}$/.test(value)) throw new CliExit(EXIT.usage, t(lang, 'appraisal.hold_year_invalid', { year: value }));
  return Number(value);
}

function entryLine(lang: Language, e: AppraisalEntry): string {
  const retention = retentionForForm({ kind: e.retention.kind, years: e.retention.years ?? null }, lang === 'ru' ? 'ru' : 'kk', e.retention.article ?? null);
  const marks = [
    e.needsReview ? t(lang, 'appraisal.cli_mark_review') : '',
    e.decision ? t(lang, 'appraisal.cli_mark_decision', { decision: e.decision.decision, status: e.decision.status }) : '',
    e.hold ? t(lang, 'appraisal.cli_mark_hold', { reason: e.hold.reason }) : '',
    e.act ? t(lang, 'appraisal.cli_mark_act', { number: e.act.number }) : '',
  ].filter(Boolean);
  return `  ${e.index}  ${e.heading}  ${retention}  ${e.earliestDestruction ?? '—'}${marks.length ? `  [${marks.join('; ')}]` : ''}  ${e.dossierId}`;
}

export function register(program: Command): void {
  const lang = cliLanguage();
  const appraisal = program.command('appraisal').description(t(lang, 'appraisal.cli_description'));

  appraisal
    .command('list')
    .description(t(lang, 'appraisal.cli_list_description'))
    .requiredOption('--by <date>', t(lang, 'appraisal.cli_opt_by'))
    .option('--fonds <number>', t(lang, 'appraisal.cli_opt_fonds'))
    .option('--year <year>', t(lang, 'appraisal.cli_opt_year'))
    .option('--department <code>', t(lang, 'appraisal.cli_opt_department'))
    .option('--article <article>', t(lang, 'appraisal.cli_opt_article'))
    .option('--page <n>', t(lang, 'appraisal.cli_opt_page'))
    .option('--page-size <n>', t(lang, 'appraisal.cli_opt_page_size'))
    .option('--json', t(lang, 'appraisal.cli_opt_json'))
    .action(async (opts: { by: string; fonds?: string; year?: string; department?: string; article?: string; page?: string; pageSize?: string; json?: boolean }) => {
      const year = yearOption(opts.year, lang);
      // Left to appraisalList to refuse (a translated error naming the option's field).
      const page = opts.page === undefined ? undefined : Number(opts.page);
      const pageSize = opts.pageSize === undefined ? undefined : Number(opts.pageSize);
      const list = await withCatalog(({ db }) => createAppraisalService({ db }).list({ by: opts.by, fonds: opts.fonds, year, department: opts.department, article: opts.article, page, pageSize }));
      if (opts.json) return printJson(list);
      const out: string[] = [t(lang, 'appraisal.cli_list_summary', { by: list.by, total: list.total, review: list.needsReview, decided: list.decided })];
      if (list.pages > 1) out.push(t(lang, 'appraisal.cli_list_page', { page: list.page, pages: list.pages }));
      for (const g of list.groups) {
        out.push(t(lang, 'appraisal.cli_group', { fonds: g.fonds ?? '—', year: g.year ?? '—', department: g.department ?? '—', article: g.article ?? '—', count: g.count }));
        for (const e of g.dossiers) out.push(entryLine(lang, e));
      }
      process.stdout.write(out.join('\n') + '\n');
    });

  appraisal
    .command('decide')
    .description(t(lang, 'appraisal.cli_decide_description'))
    .argument('<dossierId>', t(lang, 'appraisal.cli_arg_dossier'))
    .argument('<decision>', t(lang, 'appraisal.cli_arg_decision'))
    .requiredOption('--reason <text>', t(lang, 'appraisal.cli_opt_reason'))
    .option('--years <n>', t(lang, 'appraisal.cli_opt_years'))
    .option('--json', t(lang, 'appraisal.cli_opt_json'))
    .action(async (dossierId: string, decision: string, opts: { reason: string; years?: string; json?: boolean }) => {
      const years = opts.years === undefined ? undefined : Number(opts.years);
      const view = await withCatalog(({ db }) => createAppraisalService({ db }).decide(cliActor(), { dossierId, decision, reason: opts.reason, years }));
      if (opts.json) return printJson(view);
      process.stdout.write(t(lang, 'appraisal.cli_decided', { decision: view.decision, status: view.status, id: view.id }) + '\n');
    });

  appraisal
    .command('apply')
    .description(t(lang, 'appraisal.cli_apply_description'))
    .option('--json', t(lang, 'appraisal.cli_opt_json'))
    .action(async (opts: { json?: boolean }) => {
      // With the storage: a dossier kept permanently has its sealed content re-stored in clear.
      const applied = await withCatalog(({ db }) => createAppraisalService({ db, storage: openStorage(loadConfig()) }).applyCommissionDecisions(cliActor()));
      if (opts.json) return printJson(applied);
      const lines = applied.flatMap((a) => [
        t(lang, 'appraisal.cli_applied', { index: a.index, year: a.year ?? '—', outcome: a.outcome, number: a.protocol.number, date: a.protocol.date }),
        ...(a.storedInClear ? [t(lang, 'appraisal.cli_applied_clear', { objects: a.storedInClear.objects })] : []),
        ...(a.storedInClearError ? [t(lang, 'appraisal.cli_applied_clear_failed', { error: a.storedInClearError })] : []),
      ]);
      process.stdout.write([t(lang, 'appraisal.cli_applied_count', { count: applied.length }), ...lines].join('\n') + '\n');
    });
}
