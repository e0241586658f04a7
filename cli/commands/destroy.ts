// `muragat act execute <id> --as <user> --confirm <number>` (destruction/execute.ts): executes an
// approved destruction act. Added to the `act` command of appraisal (cli/commands/act.ts) when
// that is registered, so the act's whole life is under one command.
import type { Command } from 'commander';
import { t } from '../../common/i18n';
import { loadConfig } from '../../common/config';
import { NotFoundError } from '../../common/errors';
import { systemKeyDir } from '../../audit/audit-anchor';
import { openStorage } from '../../storage';
import type { Role } from '../../accounts';
import { executeAct } from '../../destruction';
import { withCatalog } from '../database';
import { createProgress } from '../progress';
import { cliLanguage, printJson } from '../output';

export function register(program: Command): void {
  const lang = cliLanguage();
  const act = program.commands.find((c) => c.name() === 'act') ?? program.command('act').description(t(lang, 'destruction.cli_act_description'));
  act
    .command('execute')
    .description(t(lang, 'destruction.cli_act_execute_description'))
    .argument('<id>', t(lang, 'destruction.cli_arg_act'))
    .requiredOption('--as <username>', t(lang, 'destruction.cli_opt_as'))
    .requiredOption('--confirm <number>', t(lang, 'destruction.cli_opt_confirm'))
    .option('--method <text>', t(lang, 'destruction.cli_opt_method'))
    .option('--json', t(lang, 'cli.opt_json_report'))
    .action(async (id: string, opts: { as: string; confirm: string; method?: string; json?: boolean }) => {
      const config = loadConfig();
      const progress = createProgress({ label: t(lang, 'destruction.cli_executing'), silent: opts.json });
      const report = await withCatalog(async ({ db }) => {
        try {
          // The executor is a registered user (never the act's author); the shell operator names them.
          const user = await db.selectFrom('users').select(['id', 'username', 'roles']).where('username', '=', opts.as).executeTakeFirst();
          if (!user) throw new NotFoundError('destruction.executor_not_found', 'destruction.executor_not_found', { user: opts.as });
          return await executeAct({ db, storage: openStorage(config), keyDir: systemKeyDir(config) }, { userId: user.id, username: user.username, roles: user.roles as Role[] }, id, { confirm: opts.confirm, ...(opts.method ? { method: opts.method } : {}) });
        } finally {
          progress.stop();
        }
      });
      if (opts.json) printJson(report);
      else {
        process.stdout.write(t(lang, 'destruction.cli_act_executed', { number: report.actNumber, count: report.dossiers.length, certificate: report.certificate.id }) + '\n');
        for (const d of report.dossiers) process.stdout.write(`  ${d.index} «${d.heading}»: ${t(lang, 'destruction.cli_dossier_destroyed', { objects: d.objectsDeleted, areas: d.keyDestroyed.length })}\n`);
      }
    });
}
