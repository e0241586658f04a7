// `muragat audit verify`: walks the hash chain of the audit log, then checks it against the
// signed anchors of its head kept in storage (audit/audit-anchor.ts), which catch what the
// chain alone cannot: deleted last events and rewrites with recomputed hashes. Also reports
// append-only triggers that were dropped or disabled. Exit 0 intact, 1 broken (each problem
// named), 2 the check itself could not run.
// `muragat audit anchor`: writes an anchor now (for cron on CLI-only installations).
import type { Command } from 'commander';
import { t } from '../../common/i18n';
import { loadConfig } from '../../common/config';
import { verifyAuditChain } from '../../audit/audit.service';
import { loadSystemKey, systemKeyDir, verifyAuditAnchors, writeAuditAnchor } from '../../audit/audit-anchor';
import { openStorage } from '../../storage';
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
      const config = loadConfig();
      const { chain, anchors } = await withCatalog(async ({ db }) => {
        const progress = createProgress({ label: t(lang, 'cli.audit_verify_progress'), silent: opts.json, unit: 'events' });
        try {
          const chain = await verifyAuditChain(db, {
            onProgress: (checked, total) => {
              progress.setTotal(total);
              progress.update(checked);
            },
          });
          const anchors = await verifyAuditAnchors({ db, storage: openStorage(config), key: await loadSystemKey(systemKeyDir(config)) });
          return { chain, anchors };
        } finally {
          progress.stop();
        }
      });
      const ok = chain.ok && anchors.ok;
      if (opts.json) printJson({ ...chain, ok, anchors });
      else {
        const lines: string[] = [];
        if (chain.ok) lines.push(t(lang, 'cli.audit_verify_ok', { count: chain.checked, hash: chain.lastHash ?? '—' }));
        else if (chain.firstBroken) {
          const { id, reason } = chain.firstBroken;
          lines.push(t(lang, `cli.audit_broken_${reason}`, { id, checked: chain.checked, total: chain.total }));
        }
        if (anchors.latest) {
          lines.push(t(lang, 'catalog.audit_anchor_checked', { anchors: anchors.anchors, at: anchors.latest.at, reason: anchors.latest.reason, count: anchors.latest.count }));
        }
        for (const p of anchors.problems) lines.push(t(lang, `catalog.audit_anchor_${p.kind.replace(/-/g, '_')}`, p.params));
        process.stdout.write(lines.join('\n') + '\n');
      }
      if (!ok) throw new CliExit(EXIT.checkFailed);
    });

  audit
    .command('anchor')
    .description(t(lang, 'catalog.audit_anchor_command_description'))
    .option('--json', t(lang, 'cli.opt_json_report'))
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      const written = await withCatalog(async ({ db }) => {
        const key = (await loadSystemKey(systemKeyDir(config), { create: true }))!;
        return writeAuditAnchor({ db, storage: openStorage(config), key }, 'manual');
      });
      if (opts.json) printJson(written);
      else process.stdout.write(t(lang, 'catalog.audit_anchor_written', { name: written.name, count: written.anchor.count, locations: written.written.join(', ') }) + '\n');
      if (written.failed.length) throw new CliExit(EXIT.checkFailed, written.failed.map((f) => `${f.location}: ${f.error}`).join('\n'));
    });
}
