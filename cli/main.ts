// `muragat` command line. Each file in cli/commands/ exports `register(program)`; they are
// discovered here so that each domain adds its commands without editing a shared list.
// Exit codes: 0 ok, 1 a check failed, 2 usage or system error.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { t } from '../common/i18n';
import { LocalizedCommand } from './localize';
import { EXIT, cliLanguage, reportFatal } from './output';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function buildProgram(): Promise<Command> {
  const lang = cliLanguage();
  // Help option and help command are set before the commands register: sub-commands copy them.
  const program = new LocalizedCommand('muragat', lang)
    .description(t(lang, 'cli.program_description'))
    .version(process.env.npm_package_version ?? '0.1.0', '-V, --version', t(lang, 'cli.version_option'))
    .helpOption('-h, --help', t(lang, 'cli.help_option'))
    .helpCommand('help [command]', t(lang, 'cli.help_command'))
    .showHelpAfterError()
    .exitOverride();
  const dir = path.join(here, 'commands');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort();
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { register?: (p: Command) => void };
    mod.register?.(program);
  }
  program.commands.forEach(applyExitOverride);
  return program;
}

function applyExitOverride(command: Command): void {
  command.exitOverride();
  command.commands.forEach(applyExitOverride);
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return reportFatal(error);
  }
}

const invokedDirectly = process.argv[1] && /(?:muragat(?:\.js)?|main\.ts)$/.test(process.argv[1]);
if (invokedDirectly) {
  // `muragat … | head` closes the pipe early: that is the reader's choice, not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
  // Commands close their own resources; a lingering handle must not keep a cron job alive.
  setTimeout(() => process.exit(code), 200).unref();
}
