// `muragat request list|show|approve|refuse|sweep`: the archivist's queue of researchers' copy
// requests from the command line (research/, docs/research.md). The local operator acts for
// the archive; every decision is audited as in the web queue. `sweep` is the server's hourly
// pass over expired packages, run now (a machine where no server runs).
import type { Command } from 'commander';
import { loadConfig } from '../../common/config';
import { t, type Language } from '../../common/i18n';
import { approveRequest, auditRequestView, getRequest, listRequests, refuseRequest, sweepExpiredPackages, type RequestStatus, type RequestView } from '../../research';
import { cliActor, withCatalog } from '../database';
import { CliExit, EXIT, cliLanguage, printJson, printList, printResult } from '../output';

const STATUSES: RequestStatus[] = ['submitted', 'approved', 'refused', 'copies_ready', 'delivered', 'expired'];

export function statusWord(lang: Language, status: string): string {
  return t(lang, `research.status_${status}`);
}

/** A request by id or by its number (2026/00001). */
export async function requestIdOf(db: Parameters<typeof listRequests>[0], idOrNumber: string): Promise<string> {
  if (/^[0-9a-f-]{36}$/i.test(idOrNumber)) return idOrNumber;
  const row = await db.selectFrom('research_requests').select('id').where('number', '=', idOrNumber).executeTakeFirst();
  return row?.id ?? idOrNumber;
}

function line(lang: Language, r: RequestView): string {
  return t(lang, 'research.cli_request_line', {
    number: r.number,
    status: statusWord(lang, r.status),
    name: r.researcher.fullName,
    items: r.items.length,
    due: r.dueAt.slice(0, 10),
    overdue: r.overdue ? 'yes' : 'no',
  });
}

function details(lang: Language, r: RequestView): string {
  const out = [line(lang, r), t(lang, 'research.cli_purpose', { purpose: r.purpose })];
  for (const it of r.items) out.push(`  ${it.position}. ${it.label}`);
  if (r.refusalReason) out.push(t(lang, 'research.cli_refusal', { reason: r.refusalReason }));
  if (r.package) out.push(t(lang, 'research.cli_package', { file: r.package.fileName, expires: r.package.expiresAt, downloads: r.package.downloads }));
  return out.join('\n');
}

export function register(program: Command): void {
  const lang = cliLanguage();
  const request = program.command('request').description(t(lang, 'research.cli_request_description'));

  request
    .command('list')
    .description(t(lang, 'research.cli_list_description'))
    .option('--status <status>', t(lang, 'research.cli_opt_status', { statuses: STATUSES.join(', ') }))
    .option('--json', t(lang, 'research.cli_opt_json'))
    .action(async (opts: { status?: string; json?: boolean }) => {
      if (opts.status && !STATUSES.includes(opts.status as RequestStatus)) throw new CliExit(EXIT.usage, t(lang, 'research.cli_status_unknown', { status: opts.status, statuses: STATUSES.join(', ') }));
      const list = await withCatalog(({ db }) => listRequests(db, cliActor(), opts.status ? { status: opts.status as RequestStatus } : {}));
      printList(list, opts.json, (r) => line(lang, r), t(lang, 'research.cli_no_requests'));
    });

  request
    .command('show')
    .description(t(lang, 'research.cli_show_description'))
    .argument('<request>', t(lang, 'research.cli_arg_request'))
    .option('--json', t(lang, 'research.cli_opt_json'))
    .action(async (id: string, opts: { json?: boolean }) => {
      const view = await withCatalog(async ({ db }) => {
        const actor = cliActor();
        const v = await getRequest(db, actor, await requestIdOf(db, id));
        await auditRequestView(db, actor, v);
        return v;
      });
      printResult(view, opts.json, (v) => details(lang, v));
    });

  request
    .command('approve')
    .description(t(lang, 'research.cli_approve_description'))
    .argument('<request>', t(lang, 'research.cli_arg_request'))
    .option('--json', t(lang, 'research.cli_opt_json'))
    .action(async (id: string, opts: { json?: boolean }) => {
      const view = await withCatalog(async ({ db }) => approveRequest(db, cliActor(), await requestIdOf(db, id)));
      printResult(view, opts.json, (v) => line(lang, v));
    });

  request
    .command('refuse')
    .description(t(lang, 'research.cli_refuse_description'))
    .argument('<request>', t(lang, 'research.cli_arg_request'))
    .requiredOption('--reason <text>', t(lang, 'research.cli_opt_reason'))
    .option('--json', t(lang, 'research.cli_opt_json'))
    .action(async (id: string, opts: { reason: string; json?: boolean }) => {
      const view = await withCatalog(async ({ db }) => refuseRequest(db, cliActor(), await requestIdOf(db, id), opts.reason));
      printResult(view, opts.json, (v) => line(lang, v));
    });

  request
    .command('sweep')
    .description(t(lang, 'research.cli_sweep_description'))
    .option('--json', t(lang, 'research.cli_opt_json'))
    .action(async (opts: { json?: boolean }) => {
      const dataDir = loadConfig().dataDir;
      const result = await withCatalog(({ db }) => sweepExpiredPackages({ db, dataDir }));
      if (opts.json) printJson(result);
      else {
        const lines = [t(lang, 'research.cli_swept', { removed: result.removed.length, expired: result.expiredRequests })];
        for (const r of result.removed) lines.push(t(lang, 'research.cli_swept_package', { number: r.number, expires: r.expiresAt }));
        process.stdout.write(lines.join('\n') + '\n');
      }
    });
}
