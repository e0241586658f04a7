// `muragat retention import <file>`: loads a retention list (перечень) from CSV or JSON as a new
// version; a file with bad rows is refused whole, each problem printed with its row and field.
// `muragat retention export [--list-version N] --format csv|json [--out file]`: writes a version out
// in the import's own shape. `muragat retention versions`: the versions imported so far.
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { t, type Language } from '../../common/i18n';
import { RetentionListInvalidError, createRetentionService, describeProblem, type ListFormat } from '../../catalog/retention';
import { cliActor, withCatalog } from '../database';
import { CliExit, EXIT, cliLanguage, printJson } from '../output';

/** A retention list has some thousand articles; 20 MB is far past any real one. */
const MAX_FILE_BYTES = 20 * 1024 * 1024;

function parseFormat(value: string | undefined, lang: Language): ListFormat | undefined {
  if (value === undefined) return undefined;
  const format = value.trim().toLowerCase();
  if (format !== 'csv' && format !== 'json') throw new CliExit(EXIT.usage, t(lang, 'retention.invalid_format', { value, allowed: 'csv, json' }));
  return format;
}

function parseVersion(value: string | undefined, lang: Language): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]{0,8}$/.test(value.trim())) throw new CliExit(EXIT.usage, t(lang, 'retention.invalid_version', { value }));
  return Number(value);
}

export function register(program: Command): void {
  const lang = cliLanguage();
  const retention = program.command('retention').description(t(lang, 'retention.cli_description'));

  retention
    .command('import')
    .description(t(lang, 'retention.cli_import_description'))
    .argument('<file>', t(lang, 'retention.cli_arg_file'))
    .option('--format <format>', t(lang, 'retention.cli_opt_format'))
    .option('--title <title>', t(lang, 'retention.cli_opt_title'))
    .option('--json', t(lang, 'retention.cli_opt_json_report'))
    .action(async (file: string, opts: { format?: string; title?: string; json?: boolean }) => {
      const format = parseFormat(opts.format, lang) ?? (path.extname(file).toLowerCase() === '.json' ? 'json' : 'csv');
      let content: string;
      try {
        const size = (await stat(file)).size;
        if (size > MAX_FILE_BYTES) throw new CliExit(EXIT.usage, t(lang, 'retention.cli_file_too_large', { file, size, max: MAX_FILE_BYTES }));
        content = await readFile(file, 'utf8');
      } catch (error) {
        if (error instanceof CliExit) throw error;
        throw new CliExit(EXIT.usage, t(lang, 'retention.cli_file_unreadable', { file, reason: (error as NodeJS.ErrnoException).code ?? String(error) }));
      }
      try {
        const imported = await withCatalog(({ db }) =>
          createRetentionService({ db }).importList(cliActor(), { content, format, sourceName: path.basename(file), title: opts.title ?? null }),
        );
        if (opts.json) printJson({ ok: true, ...imported });
        else process.stdout.write(t(lang, 'retention.cli_imported', { version: imported.version, count: imported.articleCount, title: imported.title }) + '\n');
      } catch (error) {
        if (!(error instanceof RetentionListInvalidError)) throw error;
        const problems = error.problems.map((p) => ({ ...p, message: describeProblem(lang, p) }));
        if (opts.json) printJson({ ok: false, file, problems });
        else process.stderr.write([t(lang, 'retention.import_invalid', { file, count: problems.length }), ...problems.map((p) => `  ${p.message}`)].join('\n') + '\n');
        throw new CliExit(EXIT.checkFailed);
      }
    });

  retention
    .command('export')
    .description(t(lang, 'retention.cli_export_description'))
    .requiredOption('--format <format>', t(lang, 'retention.cli_opt_format'))
    // Not --version: the program's own --version (muragat's release) answers that anywhere on the line.
    .option('--list-version <n>', t(lang, 'retention.cli_opt_version'))
    .option('--out <file>', t(lang, 'retention.cli_opt_out'))
    .action(async (opts: { format: string; listVersion?: string; out?: string }) => {
      const format = parseFormat(opts.format, lang)!;
      const version = parseVersion(opts.listVersion, lang);
      const exported = await withCatalog(({ db }) => createRetentionService({ db }).exportList(format, version));
      if (!opts.out) {
        process.stdout.write(exported.content);
        return;
      }
      await writeFile(opts.out, exported.content, 'utf8');
      process.stderr.write(t(lang, 'retention.cli_exported', { version: exported.version, file: opts.out }) + '\n');
    });

  retention
    .command('versions')
    .description(t(lang, 'retention.cli_versions_description'))
    .option('--json', t(lang, 'retention.cli_opt_json_report'))
    .action(async (opts: { json?: boolean }) => {
      const versions = await withCatalog(({ db }) => createRetentionService({ db }).versions());
      if (opts.json) printJson(versions);
      else if (versions.length === 0) process.stdout.write(t(lang, 'retention.cli_no_versions') + '\n');
      else {
        const lines = versions.map((v) => t(lang, 'retention.cli_version_line', { version: v.version, title: v.title, count: v.articleCount, at: v.importedAt.slice(0, 10), by: v.importedBy }));
        process.stdout.write(lines.join('\n') + '\n');
      }
    });
}
