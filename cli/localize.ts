// Commander in the CLI's language: a Command subclass whose help (titles, "(default: …)",
// "[options]") and usage errors come from the cli.* catalog. Sub-commands made with
// `.command()` are of the same class, so every level of `muragat … --help` is translated.
// Flags, parsing and exit codes are commander's own; only the texts change.
import { Command, Help, type Argument, type ErrorOptions, type Option } from 'commander';
import { t, type Language } from '../common/i18n';

// Section titles commander passes to styleTitle() (commander 14, lib/help.js formatHelp).
const TITLES: Record<string, string> = {
  'Usage:': 'cli.help_title_usage',
  'Arguments:': 'cli.help_title_arguments',
  'Options:': 'cli.help_title_options',
  'Global Options:': 'cli.help_title_global_options',
  'Commands:': 'cli.help_title_commands',
};

export class LocalizedHelp extends Help {
  constructor(private readonly lang: Language) {
    super();
  }

  override styleTitle(title: string): string {
    const key = TITLES[title];
    return key ? t(this.lang, key) : title;
  }

  /** `[options]` and `[command]` in usage lines and command lists are words for people, not syntax. */
  private placeholders(text: string): string {
    return text
      .replace(/\[options\]/g, `[${t(this.lang, 'cli.help_placeholder_options')}]`)
      .replace(/\[command\]/g, `[${t(this.lang, 'cli.help_placeholder_command')}]`);
  }

  override commandUsage(cmd: Command): string {
    return this.placeholders(super.commandUsage(cmd));
  }

  override subcommandTerm(cmd: Command): string {
    return this.placeholders(super.subcommandTerm(cmd));
  }

  override optionDescription(option: Option): string {
    const extra: string[] = [];
    if (option.argChoices) extra.push(this.choices(option.argChoices));
    if (option.defaultValue !== undefined) {
      // As commander: a boolean flag's default is for programmers, not shown.
      const show = option.required || option.optional || (option.isBoolean() && typeof option.defaultValue === 'boolean');
      if (show) extra.push(t(this.lang, 'cli.help_default', { value: option.defaultValueDescription || JSON.stringify(option.defaultValue) }));
    }
    if (option.presetArg !== undefined && option.optional) extra.push(t(this.lang, 'cli.help_preset', { value: JSON.stringify(option.presetArg) }));
    if (option.envVar !== undefined) extra.push(t(this.lang, 'cli.help_env', { name: option.envVar }));
    return withExtra(option.description, extra);
  }

  override argumentDescription(argument: Argument): string {
    const extra: string[] = [];
    if (argument.argChoices) extra.push(this.choices(argument.argChoices));
    if (argument.defaultValue !== undefined) {
      extra.push(t(this.lang, 'cli.help_default', { value: argument.defaultValueDescription || JSON.stringify(argument.defaultValue) }));
    }
    return withExtra(argument.description, extra);
  }

  private choices(values: readonly string[]): string {
    return t(this.lang, 'cli.help_choices', { values: values.map((v) => JSON.stringify(v)).join(', ') });
  }
}

function withExtra(description: string, extra: string[]): string {
  if (extra.length === 0) return description;
  const info = `(${extra.join(', ')})`;
  return description ? `${description} ${info}` : info;
}

/** "\n(Did you mean --json?)" or "\n(Did you mean one of a, b?)", as commander's suggestSimilar() ends a message. */
const SUGGESTION = /\n\(Did you mean (one of )?(.+)\?\)$/s;

/**
 * Commander's usage error in the CLI's language. Commander builds an English message and
 * passes it to error() with a code; the names in it (argument, flag, command) are read back
 * from that message. A message in an unknown shape stays as commander wrote it.
 */
export function localizeCommanderMessage(lang: Language, code: string | undefined, message: string): string {
  let suggestion = '';
  let text = message;
  const hint = SUGGESTION.exec(message);
  if (hint && (code === 'commander.unknownOption' || code === 'commander.unknownCommand')) {
    text = message.slice(0, hint.index);
    const [, several, list = ''] = hint;
    suggestion = '\n' + t(lang, 'cli.error_did_you_mean', { suggestion: list, count: several ? 2 : 1 });
  }
  const m = (pattern: RegExp) => pattern.exec(text);
  let match: RegExpExecArray | null;
  switch (code) {
    case 'commander.missingArgument':
      if ((match = m(/^error: missing required argument '(.*)'$/s))) return t(lang, 'cli.error_missing_argument', { argument: match[1] });
      break;
    case 'commander.optionMissingArgument':
      if ((match = m(/^error: option '(.*)' argument missing$/s))) return t(lang, 'cli.error_option_missing_argument', { option: match[1] });
      break;
    case 'commander.missingMandatoryOptionValue':
      if ((match = m(/^error: required option '(.*)' not specified$/s))) return t(lang, 'cli.error_missing_mandatory_option', { option: match[1] });
      break;
    case 'commander.unknownOption':
      if ((match = m(/^error: unknown option '(.*)'$/s))) return t(lang, 'cli.error_unknown_option', { option: match[1] }) + suggestion;
      break;
    case 'commander.unknownCommand':
      if ((match = m(/^error: unknown command '(.*)'$/s))) return t(lang, 'cli.error_unknown_command', { command: match[1] }) + suggestion;
      break;
    case 'commander.excessArguments':
      if ((match = m(/^error: too many arguments(?: for '(.*)')?\. Expected (\d+) arguments? but got (\d+)\.$/s))) {
        const params = { command: match[1] ?? '', expected: Number(match[2]), received: Number(match[3]) };
        return t(lang, match[1] === undefined ? 'cli.error_excess_arguments' : 'cli.error_excess_arguments_for', params);
      }
      break;
    case 'commander.invalidArgument':
      if ((match = m(/^error: option '(.*)' argument '(.*)' is invalid\.(?: (.*))?$/s))) {
        return t(lang, 'cli.error_invalid_option_value', { option: match[1], value: match[2], detail: match[3] ?? '' }).trimEnd();
      }
      if ((match = m(/^error: command-argument value '(.*)' is invalid for argument '(.*)'\.(?: (.*))?$/s))) {
        return t(lang, 'cli.error_invalid_argument_value', { value: match[1], argument: match[2], detail: match[3] ?? '' }).trimEnd();
      }
      break;
    case 'commander.conflictingOption':
      if ((match = m(/^error: (?:option|environment variable) '(.*)' cannot be used with (?:option|environment variable) '(.*)'$/s))) {
        return t(lang, 'cli.error_conflicting_option', { first: match[1], second: match[2] });
      }
      break;
  }
  return message;
}

/** The CLI's Command: help and usage errors in `lang`; sub-commands inherit the class and language. */
export class LocalizedCommand extends Command {
  constructor(
    name: string | undefined,
    readonly lang: Language,
  ) {
    super(name);
  }

  override createCommand(name?: string): Command {
    return new LocalizedCommand(name, this.lang);
  }

  override createHelp(): Help {
    return Object.assign(new LocalizedHelp(this.lang), this.configureHelp());
  }

  override error(message: string, errorOptions?: ErrorOptions): never {
    return super.error(localizeCommanderMessage(this.lang, errorOptions?.code, message), errorOptions);
  }
}
