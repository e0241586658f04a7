// `muragat act draft --dossier <id>… --basis … --appraiser-name … --appraiser-position …`,
// `muragat act list`, `muragat act show <id>`, `muragat act submit <id>` (to the expert
// commission), `muragat act refresh <id>` (the commission's decision), `muragat act store <id>`
// (kk and ru renditions kept for the head to sign), `muragat act approve <id> --rendition <rid>
// --cms <file>` (the organisation head's detached CMS), `muragat act render <id> --lang kk|ru
// --out <file>` (PDF/A-1b). Every report has --json. Execution is `muragat destroy` (destruction/).
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { createAppraisalService, type ActView } from '../../appraisal';
import { loadConfig } from '../../common/config';
import { t, type Language } from '../../common/i18n';
import { openStorage } from '../../storage';
import { cliActor, withCatalog } from '../database';
import { CliExit, EXIT, cliLanguage, printJson } from '../output';

async function service(db: Parameters<typeof createAppraisalService>[0]['db']) {
  const config = loadConfig();
  const { verifySignature } = await import('../../validators/signature');
  return createAppraisalService({ db, storage: openStorage(config), trustDir: config.trustDir, verifySignature });
}

function actText(lang: Language, act: ActView): string {
  const lines = [
    t(lang, 'appraisal.cli_act_head', { number: `${act.number}/${act.year}`, date: act.date, status: act.status, count: act.totals.dossiers, years: act.totals.years.join(', ') }),
    ...(act.protocol ? [t(lang, 'appraisal.cli_act_protocol', { number: act.protocol.number, date: act.protocol.date })] : []),
    ...(act.approval ? [t(lang, 'appraisal.cli_act_approved', { name: act.approval.name, date: act.approval.date })] : []),
    ...act.rows.map((r) => `  ${r.position}. ${r.index} (${r.year ?? '—'})  ${r.heading}  ${r.dossierId}`),
    ...act.renditions.map((r) => `  ${t(lang, 'appraisal.cli_act_rendition', { id: r.id, language: r.language, sha256: r.sha256, signed: r.signedBy ?? '—' })}`),
  ];
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  const lang = cliLanguage();
  const act = program.command('act').description(t(lang, 'appraisal.cli_act_description'));
  const print = (view: ActView, json?: boolean) => (json ? printJson(view) : process.stdout.write(actText(lang, view)));

  act
    .command('draft')
    .description(t(lang, 'appraisal.cli_act_draft_description'))
    .requiredOption('--dossier <id...>', t(lang, 'appraisal.cli_arg_dossier'))
    .requiredOption('--basis <text>', t(lang, 'appraisal.cli_opt_basis'))
    .requiredOption('--appraiser-name <name>', t(lang, 'appraisal.cli_opt_appraiser_name'))
    .requiredOption('--appraiser-position <position>', t(lang, 'appraisal.cli_opt_appraiser_position'))
    .option('--json', t(lang, 'appraisal.cli_opt_json'))
    .action(async (opts: { dossier: string[]; basis: string; appraiserName: string; appraiserPosition: string; json?: boolean }) => {
      const view = await withCatalog(async ({ db }) => (await service(db)).acts.draft(cliActor(), { dossierIds: opts.dossier, basis: opts.basis, appraiser: { name: opts.appraiserName, position: opts.appraiserPosition } }));
      print(view, opts.json);
    });

  act
    .command('list')
    .description(t(lang, 'appraisal.cli_act_list_description'))
    .option('--status <status>', t(lang, 'appraisal.cli_opt_status'))
    .option('--json', t(lang, 'appraisal.cli_opt_json'))
    .action(async (opts: { status?: string; json?: boolean }) => {
      const acts = await withCatalog(async ({ db }) => (await service(db)).acts.list({ status: opts.status }));
      if (opts.json) return printJson(acts);
      const lines = acts.map((a) => t(lang, 'appraisal.cli_act_head', { number: `${a.number}/${a.year}`, date: a.date, status: a.status, count: a.dossiers, years: '' }) + `  ${a.id}`);
      process.stdout.write((lines.length ? lines : [t(lang, 'appraisal.cli_no_acts')]).join('\n') + '\n');
    });

  for (const [name, run] of [
    ['show', (s: Awaited<ReturnType<typeof service>>, id: string) => s.acts.get(id)],
    ['submit', (s: Awaited<ReturnType<typeof service>>, id: string) => s.acts.submit(cliActor(), id)],
    ['refresh', (s: Awaited<ReturnType<typeof service>>, id: string) => s.acts.refresh(cliActor(), id)],
    ['store', async (s: Awaited<ReturnType<typeof service>>, id: string) => (await s.acts.storeRenditions(cliActor(), id), s.acts.get(id))],
  ] as const) {
    act
      .command(name)
      .description(t(lang, `appraisal.cli_act_${name}_description`))
      .argument('<id>', t(lang, 'appraisal.cli_arg_act'))
      .option('--json', t(lang, 'appraisal.cli_opt_json'))
      .action(async (id: string, opts: { json?: boolean }) => {
        const view = await withCatalog(async ({ db }) => run(await service(db), id));
        print(view, opts.json);
      });
  }

  act
    .command('approve')
    .description(t(lang, 'appraisal.cli_act_approve_description'))
    .argument('<id>', t(lang, 'appraisal.cli_arg_act'))
    .requiredOption('--rendition <id>', t(lang, 'appraisal.cli_opt_rendition'))
    .requiredOption('--cms <file>', t(lang, 'appraisal.cli_opt_cms'))
    .option('--json', t(lang, 'appraisal.cli_opt_json'))
    .action(async (id: string, opts: { rendition: string; cms: string; json?: boolean }) => {
      const cms = await readFile(opts.cms).catch((error: Error) => {
        throw new CliExit(EXIT.usage, t(lang, 'appraisal.cli_file_unreadable', { file: opts.cms, reason: error.message }));
      });
      const view = await withCatalog(async ({ db }) => (await service(db)).acts.approve(cliActor(), id, { renditionId: opts.rendition, cms: new Uint8Array(cms) }));
      print(view, opts.json);
    });

  act
    .command('render')
    .description(t(lang, 'appraisal.cli_act_render_description'))
    .argument('<id>', t(lang, 'appraisal.cli_arg_act'))
    .option('--lang <lang>', t(lang, 'appraisal.cli_opt_lang'))
    .requiredOption('--out <file>', t(lang, 'appraisal.cli_opt_out'))
    .option('--json', t(lang, 'appraisal.cli_opt_json'))
    .action(async (id: string, opts: { lang?: string; out: string; json?: boolean }) => {
      const language = opts.lang ?? (lang === 'ru' ? 'ru' : 'kk');
      if (language !== 'kk' && language !== 'ru') throw new CliExit(EXIT.usage, t(lang, 'appraisal.cli_lang_unknown', { lang: language }));
      const { bytes, model } = await withCatalog(async ({ db }) => (await service(db)).acts.render(id, language));
      await writeFile(opts.out, bytes);
      const summary = { id, number: model.number, language, file: opts.out, bytes: bytes.length, dossiers: model.totals.dossiers };
      if (opts.json) return printJson(summary);
      process.stdout.write(t(lang, 'appraisal.cli_act_rendered', { number: model.number, file: opts.out, bytes: bytes.length }) + '\n');
    });
}
