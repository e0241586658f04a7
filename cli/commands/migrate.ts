// `muragat migrate`: brings the catalog schema up to date.
import type { Command } from 'commander';
import { loadConfig } from '../../common/config';
import { t } from '../../common/i18n';
import { catalogLocation } from '../../catalog/open';
import { withCatalog } from '../database';
import { cliLanguage, printJson } from '../output';

export function register(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (PGlite in $MURAGAT_DATA_DIR/db, or DATABASE_URL)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }) => {
      const lang = cliLanguage();
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
