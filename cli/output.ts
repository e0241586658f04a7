// Output helpers shared by every command: JSON for machines, text for people, and one
// mapping from errors to exit codes.
import { isAppError } from '../common/errors';
import { ConfigError } from '../common/config';
import { ToolMissingError } from '../common/process';
import { t, hasMessage, negotiateLanguage, isLanguage, type Language } from '../common/i18n';

export const EXIT = { ok: 0, checkFailed: 1, usage: 2 } as const;

/** Error raised by a command to end with a given exit code and message. */
export class CliExit extends Error {
  constructor(readonly code: number, message = '') {
    super(message);
    this.name = 'CliExit';
  }
}

/** CLI language: MURAGAT_LANG, then LANG (kk_KZ.UTF-8 → kk), default Kazakh. */
export function cliLanguage(): Language {
  const explicit = process.env.MURAGAT_LANG;
  if (isLanguage(explicit)) return explicit;
  return negotiateLanguage((process.env.LANG ?? '').split('.')[0]?.replace('_', '-'));
}

/**
 * A stored problem in the reader's language: reports keep an English message beside a code,
 * so the code is translated where a catalog knows it, the stored message shown otherwise.
 */
export function problemText(lang: Language, problem: { code: string; message: string; details?: unknown }): string {
  if (!hasMessage(problem.code)) return problem.message;
  const params = problem.details && typeof problem.details === 'object' ? (problem.details as Record<string, unknown>) : {};
  return t(lang, problem.code, params);
}

/** A status code (a document's accepted / conversion-failed, a dossier's stored, …) in the reader's language. */
export function statusText(lang: Language, status: string, of: 'document' | 'dossier' = 'document'): string {
  const key = `ui.${of === 'dossier' ? 'dossier' : 'ingest'}_status_${status.replace(/-/g, '_')}`;
  return hasMessage(key) ? t(lang, key) : status;
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function reportFatal(error: unknown): number {
  if (error instanceof CliExit) {
    if (error.message) process.stderr.write(error.message + '\n');
    return error.code;
  }
  if (error instanceof ConfigError) {
    process.stderr.write(error.message + '\n');
    return EXIT.usage;
  }
  if (error instanceof ToolMissingError) {
    process.stderr.write(`muragat: ${error.message}\n`);
    return EXIT.usage;
  }
  if (isAppError(error)) {
    const lang = cliLanguage();
    process.stderr.write(`muragat: ${t(lang, error.messageKey, error.params)} [${error.code}]\n`);
    if (error.details !== undefined) process.stderr.write(JSON.stringify(error.details, null, 2) + '\n');
    return error.status === 400 || error.status === 404 || error.status === 409 ? EXIT.checkFailed : EXIT.usage;
  }
  process.stderr.write(`muragat: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT.usage;
}

/**
 * A command's result: the value as JSON with --json, otherwise its text for people. Lists print
 * one line per item, or `nothing` when empty, so every listing reads the same.
 */
export function printResult<T>(value: T, asJson: boolean | undefined, text: (value: T) => string): void {
  if (asJson) return printJson(value);
  process.stdout.write(text(value) + '\n');
}

export function printList<T>(items: readonly T[], asJson: boolean | undefined, line: (item: T) => string, nothing: string): void {
  if (asJson) return printJson(items);
  process.stdout.write((items.length ? items.map(line).join('\n') : nothing) + '\n');
}
