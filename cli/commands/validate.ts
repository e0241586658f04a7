// `muragat validate pdfa <files…>`: PDF/A-1b conformance of each file. Exit 0 all comply,
// 1 any does not (or cannot be read), 2 usage or system error.
import { access } from 'node:fs/promises';
import type { Command } from 'commander';
import { t } from '../../common/i18n';
import { validatePdfA, type PdfaEngine, type PdfaReport } from '../../validators/pdfa';
import { createProgress } from '../progress';
import { CliExit, EXIT, cliLanguage, printJson } from '../output';

const ENGINES: PdfaEngine[] = ['builtin', 'verapdf', 'both'];

export function register(program: Command): void {
  const lang = cliLanguage();
  const validate = program.command('validate').description(t(lang, 'pdfa.cli_description'));
  validate
    .command('pdfa')
    .description(t(lang, 'pdfa.cli_pdfa_description'))
    .argument('<files...>', t(lang, 'pdfa.cli_arg_files'))
    .option('--json', t(lang, 'pdfa.cli_opt_json'))
    .option('--engine <engine>', t(lang, 'pdfa.cli_opt_engine'), 'builtin')
    .option('--timeout <seconds>', t(lang, 'pdfa.cli_opt_timeout'), '60')
    .action(async (files: string[], opts: { json?: boolean; engine: string; timeout: string }) => {
      if (!ENGINES.includes(opts.engine as PdfaEngine)) throw new CliExit(EXIT.usage, t(lang, 'pdfa.cli_usage_engine', { engine: opts.engine }));
      if (files.length === 0) throw new CliExit(EXIT.usage, t(lang, 'pdfa.cli_no_files'));
      const timeoutMs = Math.max(1, Number(opts.timeout) || 60) * 1000;
      for (const f of files) {
        try {
          await access(f);
        } catch {
          throw new CliExit(EXIT.usage, `muragat: ${t(lang, 'pdfa.cli_file_missing', { file: f })}`);
        }
      }
      const progress = createProgress({ label: t(lang, 'pdfa.cli_progress'), total: files.length, silent: opts.json || files.length < 5, unit: 'files' });
      const reports: PdfaReport[] = [];
      try {
        for (const file of files) {
          reports.push(await validatePdfA(file, { engine: opts.engine as PdfaEngine, timeoutMs, lang }));
          progress.tick(1, file);
        }
      } finally {
        progress.stop();
      }
      if (opts.json) printJson(reports);
      else {
        for (const r of reports) {
          if (r.unreadable) process.stdout.write(t(lang, 'pdfa.cli_unreadable', { file: r.file }) + '\n');
          else if (r.compliant) process.stdout.write(t(lang, 'pdfa.cli_compliant', { file: r.file }) + '\n');
          else process.stdout.write(t(lang, 'pdfa.cli_not_compliant', { file: r.file, count: r.failures.length }) + '\n');
          for (const f of r.compliant ? [] : r.failures) {
            process.stdout.write(`  ${f.clause.padEnd(8)} ${f.rule.padEnd(12)} ${f.message}${f.location ? ` — ${f.location}` : ''}\n`);
          }
          for (const d of r.disagreements ?? []) process.stdout.write(`  ! ${t(lang, 'pdfa.cli_disagreement', { detail: d })}\n`);
        }
        if (reports.length > 1) {
          process.stdout.write(t(lang, 'pdfa.cli_summary', { ok: reports.filter((r) => r.compliant).length, total: reports.length }) + '\n');
        }
      }
      if (reports.some((r) => !r.compliant)) process.exitCode = EXIT.checkFailed;
    });
}
