// `muragat search <words…> [filters] [--json]`: full-text search of the catalog (search/), as
// the archive sees it or, with --researcher, as a researcher would today.
// `muragat search reindex [--all] [--json]`: the text of stored renditions the search lacks
// (documents stored before the search existed), with a progress bar.
import type { Command } from 'commander';
import { t, type Language } from '../../common/i18n';
import { loadConfig } from '../../common/config';
import { openStorage } from '../../storage';
import { parseSearchInput, reindexSearch, search, type SearchHit, type SnippetPart } from '../../search';
import { withCatalog, cliActor } from '../database';
import { createProgress } from '../progress';
import { CliExit, EXIT, cliLanguage, printJson } from '../output';

interface SearchOptions {
  fonds?: string;
  year?: string;
  department?: string;
  kind?: string;
  language?: string;
  retention?: string;
  type?: string;
  limit?: string;
  offset?: string;
  researcher?: boolean;
  json?: boolean;
}

function marked(parts: SnippetPart[], tty: boolean): string {
  return parts.map((p) => (p.hit ? (tty ? `\u001b[1m${p.text}\u001b[22m` : `**${p.text}**`) : p.text)).join('').replace(/\s+/g, ' ').trim();
}

function hitLines(lang: Language, hit: SearchHit, tty: boolean): string[] {
  const where = hit.position === null ? hit.caseIndex : `${hit.caseIndex} #${hit.position}`;
  const facts = [hit.year, hit.department ? t(lang, 'search.cli_department', { code: hit.department }) : null, hit.kind, hit.date].filter((x) => x !== null && x !== undefined).join(', ');
  const lines = [`${where}  ${marked(hit.title, tty)}${facts ? `  (${facts})` : ''}`];
  if (hit.position !== null) lines.push(`    ${t(lang, 'search.cli_in_dossier', { title: hit.dossierTitle })}`);
  if (hit.snippet?.length) lines.push(`    … ${marked(hit.snippet, tty)} …`);
  return lines;
}

export function register(program: Command): void {
  const lang = cliLanguage();
  const command = program
    .command('search')
    .description(t(lang, 'search.cli_description'))
    .argument('[words...]', t(lang, 'search.cli_arg_words'))
    .option('--fonds <number>', t(lang, 'search.cli_opt_fonds'))
    .option('--year <year>', t(lang, 'search.cli_opt_year'))
    .option('--department <code>', t(lang, 'search.cli_opt_department'))
    .option('--kind <kind>', t(lang, 'search.cli_opt_kind'))
    .option('--language <code>', t(lang, 'search.cli_opt_language'))
    .option('--retention <kind>', t(lang, 'search.cli_opt_retention'))
    .option('--type <type>', t(lang, 'search.cli_opt_type'))
    .option('--limit <n>', t(lang, 'search.cli_opt_limit'))
    .option('--offset <n>', t(lang, 'search.cli_opt_offset'))
    .option('--researcher', t(lang, 'search.cli_opt_researcher'))
    .option('--json', t(lang, 'cli.opt_json_report'))
    .action(async (words: string[], opts: SearchOptions) => {
      const { researcher, json, ...filters } = opts;
      const input = parseSearchInput({ q: words.join(' '), ...filters });
      const result = await withCatalog(({ db }) =>
        search(db, input, researcher ? { kind: 'researcher', now: new Date(), userId: null } : { kind: 'staff', scope: { kind: 'all' } }),
      );
      if (json) {
        printJson(result);
        return;
      }
      const tty = Boolean(process.stdout.isTTY);
      const lines: string[] = [];
      const similar = result.terms.filter((x) => x.similar.length);
      for (const s of similar) lines.push(t(lang, 'search.cli_similar', { term: s.term, words: s.similar.join(', ') }));
      for (const hit of result.hits) lines.push(...hitLines(lang, hit, tty));
      const shownTo = result.offset + result.hits.length;
      lines.push(
        result.total === 0
          ? t(lang, 'search.cli_nothing')
          : t(lang, result.totalCapped ? 'search.cli_total_capped' : 'search.cli_total', { from: result.offset + 1, to: shownTo, total: result.total }),
      );
      process.stdout.write(lines.join('\n') + '\n');
    });

  command
    .command('reindex')
    .description(t(lang, 'search.cli_reindex_description'))
    .option('--all', t(lang, 'search.cli_reindex_opt_all'))
    .option('--json', t(lang, 'cli.opt_json_report'))
    .action(async (given: { all?: boolean; json?: boolean }) => {
      // `--json` after `reindex` is taken by the parent command, which has the same option.
      const opts = { ...given, json: given.json || Boolean((command.opts() as SearchOptions).json) };
      const config = loadConfig();
      const report = await withCatalog(async ({ db }) => {
        const progress = createProgress({ label: t(lang, 'search.cli_reindex_progress'), silent: opts.json, unit: t(lang, 'search.cli_reindex_unit') });
        try {
          return await reindexSearch(
            { db, storage: openStorage(config) },
            { actor: cliActor(), all: opts.all, onProgress: (done, total, item) => { progress.setTotal(total); progress.update(done, item); } },
          );
        } finally {
          progress.stop();
        }
      });
      if (opts.json) printJson(report);
      else {
        const lines = report.failed.map((f) => t(lang, 'search.cli_reindex_failed', { index: f.caseIndex, position: f.position, reason: f.reason }));
        lines.push(t(lang, 'search.cli_reindex_done', { documents: report.documents, indexed: report.indexed, empty: report.empty, failed: report.failed.length }));
        process.stdout.write(lines.join('\n') + '\n');
      }
      if (report.failed.length) throw new CliExit(EXIT.checkFailed);
    });
}
