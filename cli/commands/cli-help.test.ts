// `muragat … --help` and commander's usage errors in kk, ru and en, run in-process through
// main() and buildProgram(): every command, option and argument is described from the
// catalogs, no English commander phrase is left in kk or ru, and a usage error is translated
// and ends with exit code 2.
import type { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LANGUAGES, t, type Language } from '../../common/i18n';
import { localizeCommanderMessage } from '../localize';
import { buildProgram, main } from '../main';

const saved = process.env.MURAGAT_LANG;
afterEach(() => {
  if (saved === undefined) delete process.env.MURAGAT_LANG;
  else process.env.MURAGAT_LANG = saved;
});

async function run(lang: Language, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  process.env.MURAGAT_LANG = lang;
  try {
    process.exitCode = undefined;
    return { code: await main(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

async function program(lang: Language): Promise<Command> {
  process.env.MURAGAT_LANG = lang;
  return buildProgram();
}

/** Every command below the program, as the words typed to reach it. */
function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((sub) => [[...prefix, sub.name()], ...commandPaths(sub, [...prefix, sub.name()])]);
}

function find(root: Command, path: string[]): Command {
  return path.reduce((cmd, name) => cmd.commands.find((c) => c.name() === name)!, root);
}

/** Descriptions of a command, its options (help and version included) and its arguments, by a stable name. */
function descriptions(command: Command): Map<string, string> {
  const result = new Map<string, string>([['(command)', command.description()]]);
  const help = command.createHelp();
  for (const option of help.visibleOptions(command)) result.set(option.flags, option.description);
  for (const argument of command.registeredArguments) result.set(`<${argument.name()}>`, argument.description);
  return result;
}

// Commander's English texts that must not survive in kk or ru output.
const ENGLISH = ['Usage:', 'Options:', 'Commands:', 'Arguments:', 'display help for command', 'output the version number', '(default:', '[options]', 'error:'];
// A translation key printed instead of its text: the key is missing from the catalog.
const KEY_LIKE = /^(?:cli|ingest|transfer|pdfa|server|signature)\.[a-z0-9_]+$/;

describe('muragat --help in every language', () => {
  it('lists the same commands in kk, ru and en', async () => {
    // One at a time: buildProgram() reads MURAGAT_LANG while the commands register.
    const listed: Partial<Record<Language, string[]>> = {};
    for (const lang of LANGUAGES) listed[lang] = commandPaths(await program(lang)).map((p) => p.join(' '));
    expect(listed.kk).toEqual(listed.en);
    expect(listed.ru).toEqual(listed.en);
    expect(listed.en).toEqual(expect.arrayContaining(['ingest', 'dossier export', 'integrity run', 'user add', 'validate pdfa', 'verify', 'verify-signature']));
  });

  it('describes every command, option and argument, and translates each in kk and ru', async () => {
    const english = await program('en');
    const problems: string[] = [];
    for (const lang of LANGUAGES) {
      const root = await program(lang);
      for (const path of [[], ...commandPaths(root)]) {
        const where = `${lang}: muragat ${path.join(' ')}`.trimEnd();
        const own = descriptions(find(root, path));
        const en = descriptions(find(english, path));
        for (const [name, text] of own) {
          if (!text?.trim()) problems.push(`${where} ${name}: no description`);
          else if (KEY_LIKE.test(text)) problems.push(`${where} ${name}: catalog key not found: ${text}`);
          else if (lang !== 'en' && text === en.get(name)) problems.push(`${where} ${name}: still English: ${text}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it.each(LANGUAGES)('%s: help of the program and of every command and sub-command', async (lang) => {
    const paths = [[], ...commandPaths(await program(lang))];
    expect(paths.length).toBeGreaterThan(20);
    for (const path of paths) {
      const r = await run(lang, ...path, '--help');
      expect(r.code, path.join(' ')).toBe(0);
      expect(r.stdout.trim(), path.join(' ')).not.toBe('');
      expect(r.stdout).toContain(t(lang, 'cli.help_title_usage'));
      expect(r.stdout).toContain(t(lang, 'cli.help_option'));
      if (lang !== 'en') for (const phrase of ENGLISH) expect(r.stdout, `${lang}: muragat ${path.join(' ')} --help`).not.toContain(phrase);
    }
  });

  it('shows sections, defaults and placeholders in the chosen language', async () => {
    const kk = await run('kk', 'user', 'add', '--help');
    expect(kk.stdout).toMatch(/^Қолданылуы: muragat user add \[опциялар\] <username>\n/);
    expect(kk.stdout).toContain('Аргументтер:');
    expect(kk.stdout).toContain('Опциялар:');
    expect(kk.stdout).toContain('(әдепкі: "kk")');
    expect(kk.stdout).toContain(t('kk', 'cli.user_add_description').slice(0, 20));

    const ru = await run('ru', '--help');
    expect(ru.stdout).toMatch(/^Использование: muragat \[параметры\] \[команда\]\n/);
    expect(ru.stdout).toContain('Команды:');
    expect(ru.stdout).toContain(`help [команда]`);
    expect(ru.stdout).toContain(t('ru', 'cli.version_option'));

    // English stays commander's own wording.
    const en = await run('en', 'validate', 'pdfa', '--help');
    expect(en.stdout).toMatch(/^Usage: muragat validate pdfa \[options\] <files\.\.\.>\n/);
    expect(en.stdout).toContain('Options:');
    expect(en.stdout).toContain('display help for command');
    expect(en.stdout).toContain('(default: "builtin")');
  });

  it('`help <command>` and --version work in kk', async () => {
    const help = await run('kk', 'help', 'transfer');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(t('kk', 'transfer.cli_description'));
    const version = await run('kk', '--version');
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('commander usage errors in every language', () => {
  const cases: { argv: string[]; key: string; params: Record<string, unknown>; english: string }[] = [
    { argv: ['ingest'], key: 'cli.error_missing_argument', params: { argument: 'tar' }, english: "error: missing required argument 'tar'" },
    { argv: ['ingest', 'x.tar', '--bogus'], key: 'cli.error_unknown_option', params: { option: '--bogus' }, english: "error: unknown option '--bogus'" },
    { argv: ['transfer', 'pack', 'dir'], key: 'cli.error_missing_mandatory_option', params: { option: '-o, --output <tar>' }, english: "error: required option '-o, --output <tar>' not specified" },
    { argv: ['transfer', 'pack', 'dir', '-o'], key: 'cli.error_option_missing_argument', params: { option: '-o, --output <tar>' }, english: "error: option '-o, --output <tar>' argument missing" },
    { argv: ['nosuch'], key: 'cli.error_unknown_command', params: { command: 'nosuch' }, english: "error: unknown command 'nosuch'" },
    {
      argv: ['transfer', 'check', 'a.tar', 'b.tar'],
      key: 'cli.error_excess_arguments_for',
      params: { command: 'check', expected: 1, received: 2 },
      english: "error: too many arguments for 'check'. Expected 1 argument but got 2.",
    },
  ];

  it.each(LANGUAGES)('%s: prints the translated message, then the help, and exits 2', async (lang) => {
    for (const c of cases) {
      const r = await run(lang, ...c.argv);
      const message = t(lang, c.key, c.params);
      expect(r.code, c.argv.join(' ')).toBe(2);
      expect(r.stderr.startsWith(message + '\n'), `${lang}: ${c.argv.join(' ')}: ${r.stderr.split('\n')[0]}`).toBe(true);
      // showHelpAfterError: the help follows, in the same language.
      expect(r.stderr).toContain(t(lang, 'cli.help_title_usage'));
      if (lang === 'en') expect(message).toBe(c.english);
      else for (const phrase of ENGLISH) expect(r.stderr, `${lang}: ${c.argv.join(' ')}`).not.toContain(phrase);
      expect(r.stdout).toBe('');
    }
  });

  it('suggests a close option or command in the chosen language', async () => {
    const option = await run('ru', 'ingest', 'x.tar', '--jsn');
    expect(option.code).toBe(2);
    expect(option.stderr).toContain(t('ru', 'cli.error_did_you_mean', { suggestion: '--json', count: 1 }));
    const command = await run('kk', 'verfy');
    expect(command.code).toBe(2);
    expect(command.stderr).toContain(t('kk', 'cli.error_unknown_command', { command: 'verfy' }));
    expect(command.stderr).toContain('verify');
    expect(command.stderr).not.toContain('Did you mean');
  });

  it('reads the names back from every commander message it knows, and keeps others as they are', () => {
    expect(localizeCommanderMessage('ru', 'commander.invalidArgument', "error: option '--engine <engine>' argument 'x' is invalid. Allowed choices are a, b.")).toBe(
      t('ru', 'cli.error_invalid_option_value', { option: '--engine <engine>', value: 'x', detail: 'Allowed choices are a, b.' }),
    );
    expect(localizeCommanderMessage('kk', 'commander.invalidArgument', "error: command-argument value 'x' is invalid for argument 'kind'. Bad.")).toBe(
      t('kk', 'cli.error_invalid_argument_value', { value: 'x', argument: 'kind', detail: 'Bad.' }),
    );
    expect(localizeCommanderMessage('kk', 'commander.excessArguments', 'error: too many arguments. Expected 0 arguments but got 1.')).toBe(
      t('kk', 'cli.error_excess_arguments', { expected: 0, received: 1 }),
    );
    expect(localizeCommanderMessage('en', 'commander.excessArguments', 'error: too many arguments. Expected 0 arguments but got 1.')).toBe(
      'error: too many arguments. Expected 0 arguments but got 1.',
    );
    expect(localizeCommanderMessage('ru', 'commander.conflictingOption', "error: option '--a' cannot be used with option '--b'")).toBe(
      t('ru', 'cli.error_conflicting_option', { first: '--a', second: '--b' }),
    );
    expect(localizeCommanderMessage('en', 'commander.unknownOption', "error: unknown option '--jsn'\n(Did you mean one of --json, --jsonl?)")).toBe(
      "error: unknown option '--jsn'\n(Did you mean one of --json, --jsonl?)",
    );
    expect(localizeCommanderMessage('kk', 'commander.error', 'something else')).toBe('something else');
    expect(localizeCommanderMessage('kk', 'commander.missingArgument', 'a message in a new shape')).toBe('a message in a new shape');
  });
});
