// `muragat export <out>`: a dossier, a fonds, a year or a transfer as E-ARK CSIP/SIP packages
// (or a BagIt bag of them), as a tar or a folder (preservation/exchange, docs/exchange.md).
import type { Command } from 'commander';
import { t } from '../../common/i18n';
import { loadConfig } from '../../common/config';
import { openStorage } from '../../storage';
import { exportHoldings, type ExportFormat, type ExportScope } from '../../preservation/exchange';
import { cliActor, withCatalog } from '../database';
import { createProgress } from '../progress';
import { CliExit, EXIT, cliLanguage, printJson } from '../output';

interface Options {
  dossier?: string;
  fonds?: string;
  year?: string;
  department?: string;
  transfer?: string;
  format: string;
  folder?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  const lang = cliLanguage();
  program
    .command('export')
    .description(t(lang, 'exchange.cli_export_description'))
    .argument('<out>', t(lang, 'exchange.cli_arg_out'))
    .option('--dossier <id|index>', t(lang, 'exchange.cli_opt_dossier'))
    .option('--fonds <number>', t(lang, 'exchange.cli_opt_fonds'))
    .option('--year <year>', t(lang, 'exchange.cli_opt_year'))
    .option('--department <code>', t(lang, 'exchange.cli_opt_department'))
    .option('--transfer <id>', t(lang, 'exchange.cli_opt_transfer'))
    .option('--format <csip|bagit>', t(lang, 'exchange.cli_opt_format'), 'csip')
    .option('--folder', t(lang, 'exchange.cli_opt_folder'))
    .option('--json', t(lang, 'cli.opt_json_report'))
    .action(async (out: string, opts: Options) => {
      if (opts.format !== 'csip' && opts.format !== 'bagit') throw new CliExit(EXIT.usage, t(lang, 'exchange.cli_bad_format', { value: opts.format }));
      const year = opts.year !== undefined ? Number(opts.year) : undefined;
      if (year !== undefined && !Number.isInteger(year)) throw new CliExit(EXIT.usage, t(lang, 'exchange.cli_opt_year'));
      const given = [opts.dossier, opts.fonds, opts.transfer].filter((x) => x !== undefined).length;
      let scope: ExportScope;
      if (given > 1 || (given === 0 && year === undefined)) throw new CliExit(EXIT.usage, t(lang, 'exchange.cli_scope_required'));
      if (opts.dossier !== undefined) scope = { kind: 'dossier', dossier: opts.dossier, ...(year !== undefined ? { year } : {}) };
      else if (opts.fonds !== undefined) scope = { kind: 'fonds', fonds: opts.fonds };
      else if (opts.transfer !== undefined) scope = { kind: 'transfer', transferId: opts.transfer };
      else scope = { kind: 'year', year: year!, ...(opts.department ? { department: opts.department } : {}) };
      const config = loadConfig();
      const report = await withCatalog(async ({ db }) => {
        const progress = createProgress({ label: t(lang, 'exchange.cli_progress_export'), silent: opts.json, total: 0, unit: 'MB' });
        try {
          return await exportHoldings(
            { db, storage: openStorage(config) },
            {
              scope,
              format: opts.format as ExportFormat,
              container: opts.folder ? 'folder' : 'tar',
              out,
              actor: cliActor(),
              onProgress: (p) => {
                progress.setTotal(Math.ceil(p.bytes / 1048576));
                progress.update(Math.floor(p.bytesDone / 1048576), p.item.slice(0, 40));
              },
            },
          );
        } finally {
          progress.stop();
        }
      });
      if (opts.json) return printJson(report);
      process.stdout.write(t(lang, 'exchange.cli_exported', { count: report.packages.length, files: report.files, bytes: report.bytes, path: report.out ?? out }) + '\n');
      for (const p of report.packages) process.stdout.write(t(lang, 'exchange.cli_exported_package', { objid: p.objid, index: p.index, files: p.files }) + '\n');
      for (const d of report.destroyed) process.stdout.write(t(lang, 'exchange.cli_left_out_destroyed', { index: d.index, act: d.act, date: d.date }) + '\n');
    });
}
