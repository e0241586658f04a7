// `muragat validate pdfa <files…>`: PDF/A-1b conformance of each file, by the built-in checker,
// veraPDF, or both (with where they disagree). Exit 0 all comply, 1 any does not (or cannot be
// read), 2 usage or system error (veraPDF asked for but not installed, among others).
import { access } from 'node:fs/promises';
import type { Command } from 'commander';
import { t, type Language } from '../../common/i18n';
import { ToolMissingError } from '../../common/process';
import { defaultPdfaEngine, validatePdfAFiles, type PdfaDisagreement, type PdfaEngine, type PdfaReport } from '../../validators/pdfa';
import { createProgress } from '../progress';
import { CliExit, EXIT, cliLanguage, printJson } from '../output';

const ENGINES: PdfaEngine[] = ['builtin', 'verapdf', 'both'];

export function disagreementText(lang: Language, d: PdfaDisagreement): string {
  if (d.kind === 'verdict') {
    return t(lang, 'pdfa.cli_disagree_verdict', { builtin: String(d.builtin), verapdf: String(d.verapdf) });
  }
  return t(lang, 'pdfa.cli_disagree_clause', { clause: d.clause ?? '', engine: d.builtin ? 'builtin' : 'verapdf' });
}

/** MURAGAT_PDFA_ENGINE; help stays available when the configuration is invalid. */
function configuredEngine(): PdfaEngine {
  try {
    return defaultPdfaEngine();
  } catch {
    return 'builtin';
  }
}

export function register(program: Command): void {
  const lang = cliLanguage();
  const validate = program.command('validate').description(t(lang, 'pdfa.cli_description'));
  validate
    .command('pdfa')
    .description(t(lang, 'pdfa.cli_pdfa_description'))
    .argument('<files...>', t(lang, 'pdfa.cli_arg_files'))
    .option('--json', t(lang, 'pdfa.cli_opt_json'))
    .option('--engine <engine>', t(lang, 'pdfa.cli_opt_engine'), configuredEngine())
    .option('--timeout <seconds>', t(lang, 'pdfa.cli_opt_timeout'), '60')
    .action(async (files: string[], opts: { json?: boolean; engine?: string; timeout: string }) => {
      const engine = (opts.engine ?? configuredEngine()) as PdfaEngine;
      if (!ENGINES.includes(engine)) throw new CliExit(EXIT.usage, t(lang, 'pdfa.cli_usage_engine', { engine }));
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
      let reports: PdfaReport[];
      try {
        // One call for all files: veraPDF checks them in a single JVM start.
        reports = await validatePdfAFiles(files, { engine, timeoutMs, lang, onFile: (f) => progress.tick(1, f) });
      } catch (error) {
        if (error instanceof ToolMissingError) throw new CliExit(EXIT.usage, `muragat: ${t(lang, 'pdfa.cli_verapdf_missing')}`);
        throw error;
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
          for (const d of r.disagreements ?? []) process.stdout.write(`  ! ${disagreementText(lang, d)}\n`);
        }
        if (reports.length > 1) {
          process.stdout.write(t(lang, 'pdfa.cli_summary', { ok: reports.filter((r) => r.compliant).length, total: reports.length }) + '\n');
        }
        if (engine === 'both') {
          const differing = reports.filter((r) => r.disagreements?.length).length;
          process.stdout.write(t(lang, 'pdfa.cli_disagreement_summary', { count: differing, total: reports.length }) + '\n');
        }
      }
      if (reports.some((r) => !r.compliant)) process.exitCode = EXIT.checkFailed;
    });
}
