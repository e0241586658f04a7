// `muragat transfer case-index|new-volume|keep-refused`: the archivist's decision on a transfer
// refused because a case index it names is already kept for that department and year
// (ingest/intake/case-index.service.ts), for installations without the web UI. Registered
// under `transfer` (cli/commands/transfer.ts sorts before this file). The local operator names
// the archivist deciding (--by): the decision is kept on the transfer and audited as theirs.
import type { Command } from 'commander';
import { t, type Language } from '../../common/i18n';
import { NotFoundError } from '../../common/errors';
import { loadConfig } from '../../common/config';
import type { Actor } from '../../audit/audit.service';
import type { Kysely } from 'kysely';
import type { Database } from '../../database/database';
import { isRole } from '../../accounts/roles';
import { findUser } from '../../accounts/users.repository';
import { buildReport, processTransfer } from '../../ingest';
import { caseIndexView, decideNewVolume, keepRefused, type CaseIndexView } from '../../ingest/intake/case-index.service';
import { openStorage } from '../../storage';
import { withCatalog } from '../database';
import { EXIT, cliLanguage, printJson } from '../output';
import { createProgress } from '../progress';
import { printReportText, reportExitCode } from './ingest';

/** The archivist named by --by, acting through the command line. */
async function archivistActor(db: Kysely<Database>, username: string): Promise<Actor> {
  const user = await findUser(db, username.trim());
  if (!user || user.status !== 'active') throw new NotFoundError('user.not_found', 'catalog.user_not_found', { user: username });
  return { userId: user.id, username: user.username, roles: user.roles.filter(isRole), requestId: `cli-${user.username}` };
}

function printView(lang: Language, view: CaseIndexView): void {
  const lines: string[] = [];
  if (!view.conflicts.length) lines.push(t(lang, 'signers.cli_case_index_none', { id: view.transferId }));
  for (const c of view.conflicts) {
    lines.push(t(lang, 'signers.case_index_kept', { index: c.index, department: c.department, year: c.year, count: c.dossiers.length }));
    for (const d of c.dossiers) lines.push(`  ${t(lang, 'signers.case_index_dossier', { index: c.index, volume: d.volume, title: d.title })}  (${d.id})`);
  }
  if (view.decision) {
    const key = view.decision.decision === 'new-volume' ? 'signers.case_index_decided_new_volume' : 'signers.case_index_decided_keep';
    lines.push(t(lang, key, { by: view.decision.decidedBy ?? '—', at: view.decision.decidedAt ?? '—' }));
  } else if (view.refused) {
    lines.push(t(lang, 'signers.cli_case_index_undecided', { id: view.transferId }));
  }
  process.stdout.write(lines.join('\n') + '\n');
}

export function register(program: Command): void {
  const lang = cliLanguage();
  const transfer = program.commands.find((c) => c.name() === 'transfer');
  if (!transfer) throw new Error('cli/commands/transfer.ts must register `transfer` before its case index commands');

  transfer
    .command('case-index')
    .description(t(lang, 'signers.cli_case_index_description'))
    .argument('<id>', t(lang, 'signers.cli_arg_transfer'))
    .option('--json', t(lang, 'cli.opt_json_result'))
    .action(async (id: string, opts: { json?: boolean }) => {
      const view = await withCatalog(({ db }) => caseIndexView(db, id.trim()));
      if (opts.json) printJson(view);
      else printView(lang, view);
    });

  transfer
    .command('new-volume')
    .description(t(lang, 'signers.cli_new_volume_description'))
    .argument('<id>', t(lang, 'signers.cli_arg_transfer'))
    .requiredOption('--by <username>', t(lang, 'signers.cli_opt_by'))
    .option('--json', t(lang, 'cli.opt_json_report'))
    .action(async (id: string, opts: { by: string; json?: boolean }) => {
      const config = loadConfig();
      const report = await withCatalog(async ({ db }) => {
        const deps = { db, storage: openStorage(config), config };
        await decideNewVolume(deps, await archivistActor(db, opts.by), id.trim());
        const progress = createProgress({ label: t(lang, 'ingest.cli_progress'), silent: opts.json, total: 0 });
        try {
          await processTransfer(deps, id.trim(), {
            onProgress: (p) => {
              progress.setTotal(p.total);
              progress.update(p.done, `${p.step}${p.item ? ` ${p.item}` : ''}`);
            },
          });
        } finally {
          progress.stop();
        }
        return buildReport({ db }, id.trim(), lang);
      });
      if (opts.json) printJson(report);
      else printReportText(report, lang);
      if (reportExitCode(report) !== EXIT.ok) process.exitCode = EXIT.checkFailed;
    });

  transfer
    .command('keep-refused')
    .description(t(lang, 'signers.cli_keep_refused_description'))
    .argument('<id>', t(lang, 'signers.cli_arg_transfer'))
    .requiredOption('--by <username>', t(lang, 'signers.cli_opt_by'))
    .option('--json', t(lang, 'cli.opt_json_result'))
    .action(async (id: string, opts: { by: string; json?: boolean }) => {
      const decision = await withCatalog(async ({ db }) => keepRefused({ db }, await archivistActor(db, opts.by), id.trim()));
      if (opts.json) printJson({ transferId: id.trim(), decision });
      else process.stdout.write(t(lang, 'signers.case_index_decided_keep', { by: decision.decidedBy ?? '—', at: decision.decidedAt ?? '—' }) + '\n');
    });
}
