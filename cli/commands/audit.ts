// `muragat audit verify`: walks the hash chain of the audit log. Exit 0 intact, 1 broken
// (first broken event named), 2 the check itself could not run.
import type { Command } from 'commander';
import { t } from '../../common/i18n';
import { verifyAuditChain } from '../../catalog/audit.service';
import { withCatalog } from '../database';
import { createProgress } from '../progress';
import { CliExit, EXIT, cliLanguage, printJson } from '../output';

export function register(program: Command): void {
  const lang = cliLanguage();
  const audit = program.command('audit').description(t(lang, 'cli.audit_description'));

  audit
    .command('verify')
    .description(t(lang, 'cli.audit_verify_description'))
    .option('--json', t(lang, 'cli.opt_json_report'))
    .action(async (opts: { json?: boolean }) => {
      const report = await withCatalog(async ({ db }) => {
        const progress = createProgress({ label: t(lang, 'cli.audit_verify_progress'), silent: opts.json, unit: 'events' });
        try {
          return await verifyAuditChain(db, {
            onProgress: (checked, total) => {
              progress.setTotal(total);
              progress.update(checked);
            },
          });
        } finally {
          progress.stop();
        }
      });
      if (opts.json) printJson(report);
      else if (report.ok) {
        process.stdout.write(t(lang, 'cli.audit_verify_ok', { count: report.checked, hash: report.lastHash ?? '—' }) + '\n');
      }
      if (!report.ok && report.firstBroken) {
        const { id, reason } = report.firstBroken;
        const message = t(lang, `cli.audit_broken_${reason}`, { id, checked: report.checked, total: report.total });
        // The named event goes to stdout for people and scripts alike; JSON already carries it.
        if (!opts.json) process.stdout.write(message + '\n');
        throw new CliExit(EXIT.checkFailed);
      }
    });
}
