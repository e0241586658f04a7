// `muragat copy <request> --certifier <archivist> [--out <zip>] [--json]`: makes the certified
// copies of an approved request (PDF/A-1b with the certification sheet and the requester's
// watermark, CMS by the archive's system key) and their package; prints the expiring link's
// token once (only its hash is kept), and with --out also writes the package.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig } from '../../common/config';
import { t } from '../../common/i18n';
import { systemKeyDir } from '../../audit/audit-anchor';
import { openStorage } from '../../storage';
import { downloadForUser, makeCopies } from '../../research';
import { createProgress } from '../progress';
import { cliActor, withCatalog } from '../database';
import { cliLanguage, printJson } from '../output';
import { requestIdOf } from './request';

export function register(program: Command): void {
  const lang = cliLanguage();
  program
    .command('copy')
    .description(t(lang, 'research.cli_copy_description'))
    .argument('<request>', t(lang, 'research.cli_arg_request'))
    .option('--certifier <username>', t(lang, 'research.cli_opt_certifier'))
    .option('--out <zip>', t(lang, 'research.cli_opt_out'))
    .option('--json', t(lang, 'research.cli_opt_json'))
    .action(async (id: string, opts: { certifier?: string; out?: string; json?: boolean }) => {
      const config = loadConfig();
      const progress = createProgress({ label: t(lang, 'research.cli_copy_progress'), silent: opts.json === true, unit: t(lang, 'research.cli_copy_unit') });
      const made = await withCatalog(async ({ db }) => {
        const deps = { db, storage: openStorage(config), dataDir: config.dataDir, keyDir: systemKeyDir(config) };
        const actor = cliActor();
        const requestId = await requestIdOf(db, id);
        try {
          const result = await makeCopies(deps, actor, requestId, {
            ...(opts.certifier ? { certifier: opts.certifier } : {}),
            onProgress: (p) => {
              progress.setTotal(p.total);
              progress.update(p.done, p.item);
            },
          });
          if (opts.out) await writeFile(opts.out, (await downloadForUser(deps, actor, requestId)).bytes);
          return result;
        } finally {
          progress.stop();
        }
      });
      const summary = {
        request: made.request.number,
        status: made.request.status,
        copies: made.copies,
        package: { id: made.packageId, sha256: made.sha256, size: made.size, file: opts.out ?? null },
        link: { path: `/api/research/packages/${made.token}`, expiresAt: made.expiresAt },
      };
      if (opts.json) printJson(summary);
      else {
        process.stdout.write(t(lang, 'research.cli_copies_made', { number: made.request.number, count: made.copies.length, size: made.size, sha256: made.sha256 }) + '\n');
        process.stdout.write(t(lang, 'research.cli_link', { path: summary.link.path, expires: made.expiresAt }) + '\n');
        if (opts.out) process.stdout.write(t(lang, 'research.cli_written', { file: opts.out }) + '\n');
      }
    });
}
