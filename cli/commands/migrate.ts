// `muragat migrate`: brings the catalog schema up to date.
import type { Command } from 'commander';
import { loadConfig } from '../../common/config';
import { t } from '../../common/i18n';
import { catalogLocation } from '../../database/open';
import { withCatalog } from '../database';
import { cliLanguage, printJson } from '../output';

export function register(program: Command): void {
  const lang = cliLanguage();
  program
    .command('migrate')
    .description(t(lang, 'cli.migrate_description'))
    .option('--json', t(lang, 'cli.opt_json_result'))
    .action(async (opts: { json?: boolean }) => {
      const location = catalogLocation(loadConfig());
      const applied = await withCatalog(async (catalog) => catalog.applied);
      if (opts.json) return printJson({ ok: true, database: location, applied });
      if (applied.length === 0) process.stdout.write(t(lang, 'cli.migrate_up_to_date', { database: location }) + '\n');
      else {
        process.stdout.write(t(lang, 'cli.migrate_applied', { count: applied.length, database: location }) + '\n');
        for (const name of applied) process.stdout.write(`  ${name}\n`);
      }
    });
}
