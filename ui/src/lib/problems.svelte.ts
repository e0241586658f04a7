// What went wrong, in words, in the language on screen now. Errors are kept as they came
// (code, catalog key, params, details) and translated when shown, so a language switch
// translates an error banner again instead of leaving the old language behind.
import { IntlMessageFormat } from 'intl-messageformat';
import { ApiError } from './api';
import { CATALOGS, format, LOCALE, type Language, type MessageKey } from './messages';

/** A problem found in the browser itself (no server answer): a UI catalog key and its values. */
export class UiProblem extends Error {
  constructor(
    readonly key: MessageKey,
    readonly params: Record<string, string | number> = {},
  ) {
    super(key);
    this.name = 'UiProblem';
  }
}

// The other areas' catalogs (errors, server, ingest, signature…) load per language on first
// need: server errors name their key in them, and shared domain code running in the browser
// (signing) throws AppErrors with such keys. The areas messages.ts bundles (CATALOGS) are left out
// here — a second, dynamic import of them would split nothing — and merged in from CATALOGS.
const loaders = import.meta.glob<Record<string, string>>(
  [
    '../../../common/i18n/*/*.json',
    '!../../../common/i18n/ui/*.json',
    '!../../../common/i18n/nomenclature/*.json',
    '!../../../common/i18n/inventories/*.json',
    '!../../../common/i18n/signers/*.json',
    '!../../../common/i18n/retention/*.json',
    '!../../../common/i18n/schedules/*.json',
    '!../../../common/i18n/acceptance/*.json',
    '!../../../common/i18n/prepare/*.json',
    '!../../../common/i18n/forms/*.json',
    '!../../../common/i18n/commission/*.json',
    '!../../../common/i18n/research/*.json',
    '!../../../common/i18n/search/*.json',
    '!../../../common/i18n/appraisal/*.json',
    '!../../../common/i18n/access/*.json',
    '!../../../common/i18n/preservation/*.json',
    '!../../../common/i18n/destruction/*.json',
  ],
  { import: 'default' },
);

class DomainCatalogs {
  loaded = $state.raw<Partial<Record<Language, Record<string, string>>>>({});
  private requested = new Set<Language>();

  /** The merged catalog of `lang`, or undefined while it loads (reading it subscribes to the load). */
  get(lang: Language): Record<string, string> | undefined {
    const catalog = this.loaded[lang];
    if (!catalog) void this.load(lang);
    return catalog;
  }

  async load(lang: Language): Promise<void> {
    if (this.requested.has(lang)) return;
    this.requested.add(lang);
    try {
      const parts = await Promise.all(Object.entries(loaders).filter(([file]) => file.endsWith(`/${lang}.json`)).map(([, load]) => load()));
      this.loaded = { ...this.loaded, [lang]: Object.assign({}, CATALOGS[lang], ...parts) as Record<string, string> };
    } catch {
      // Offline: the server's own translation stays on screen; try again next time.
      this.requested.delete(lang);
    }
  }
}

export const domainCatalogs = new DomainCatalogs();
const formatters = new Map<string, IntlMessageFormat>();

/** Translates any catalog key (ui.* or another area's); null when the key is unknown or not loaded yet. */
export function translateKey(lang: Language, key: string, params: Record<string, unknown> = {}): string | null {
  const source = key.startsWith('ui.') ? CATALOGS[lang][key] : domainCatalogs.get(lang)?.[key];
  if (source === undefined) return null;
  const id = `${lang}\u0000${key}`;
  let formatter = formatters.get(id);
  try {
    if (!formatter) {
      formatter = new IntlMessageFormat(source, LOCALE[lang]);
      formatters.set(id, formatter);
    }
    return String(formatter.format(params as Record<string, string | number>));
  } catch {
    return source;
  }
}

/** `body/fullName` → the translated name of the field, or null when the UI has no name for it. */
export function fieldLabel(lang: Language, pointer: string): string | null {
  const name = pointer.split('/').filter(Boolean).filter((part) => !/^\d+$/.test(part)).pop();
  if (!name || name === 'body' || name === 'query') return null;
  const key = `ui.field_${name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()}`;
  return CATALOGS[lang][key] ?? null;
}

function listOf(lang: Language, items: string[]): string {
  return new Intl.ListFormat(LOCALE[lang], { style: 'long', type: 'conjunction' }).format(items);
}

interface AppErrorLike {
  code: string;
  messageKey: string;
  params: Record<string, unknown>;
}
function isAppErrorLike(error: unknown): error is AppErrorLike {
  const e = error as Partial<AppErrorLike> | null;
  return typeof e?.code === 'string' && typeof e.messageKey === 'string' && typeof e.params === 'object';
}

/** The sentence to show for an error, in `lang`. Never a raw code. */
export function errorText(error: unknown, lang: Language): string {
  if (error instanceof UiProblem) return format(lang, error.key, error.params);
  if (error instanceof ApiError) {
    if (error.status === 0) return format(lang, 'ui.network_error');
    const problems = (error.details as { problems?: { field?: unknown }[] } | null)?.problems;
    if (error.code === 'request.invalid' && Array.isArray(problems)) {
      const labels = problems.map((p) => (typeof p.field === 'string' ? fieldLabel(lang, p.field) : null));
      if (labels.length && labels.every((l) => l !== null)) return format(lang, 'ui.error_fields_invalid', { fields: listOf(lang, [...new Set(labels as string[])]) });
    }
    const bad = error.details as { where?: unknown; field?: unknown } | null;
    if (error.code === 'request.bad_text' && bad?.where === 'body' && typeof bad.field === 'string') {
      const label = fieldLabel(lang, bad.field);
      if (label) return format(lang, 'ui.error_field_bad_text', { field: label });
    }
    if (error.messageKey) return translateKey(lang, error.messageKey, error.params) ?? error.message;
    if (error.status >= 500) return format(lang, 'ui.error_server', { status: error.status });
    return format(lang, 'ui.error_http', { status: error.status });
  }
  if (isAppErrorLike(error)) {
    return translateKey(lang, error.messageKey, error.params) ?? format(lang, 'ui.error_unexpected', { reason: error.code });
  }
  return format(lang, 'ui.error_unexpected', { reason: error instanceof Error ? error.message : String(error) });
}

/** The request id to quote to an administrator, when the server gave one. */
export function errorRequestId(error: unknown): string | null {
  return error instanceof ApiError ? error.requestId : null;
}
