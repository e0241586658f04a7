// Message catalogs: common/i18n/<area>/<lang>.json, flat keys, ICU MessageFormat.
// Kazakh is the default language (p.6: the state language); Russian and English follow.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IntlMessageFormat } from 'intl-messageformat';

export const LANGUAGES = ['kk', 'ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'kk';

export type Catalog = Record<string, string>;

const here = path.dirname(fileURLToPath(import.meta.url));

/** Reads every area's catalog for one language, from disk (used by tests and the server). */
export function readCatalogs(root = here): Record<Language, Catalog> {
  const result = { kk: {}, ru: {}, en: {} } as Record<Language, Catalog>;
  for (const area of readdirSync(root, { withFileTypes: true })) {
    if (!area.isDirectory()) continue;
    for (const lang of LANGUAGES) {
      const file = path.join(root, area.name, `${lang}.json`);
      if (!existsSync(file)) continue;
      Object.assign(result[lang], JSON.parse(readFileSync(file, 'utf8')) as Catalog);
    }
  }
  return result;
}

let catalogs: Record<Language, Catalog> | undefined;
const formatters = new Map<string, IntlMessageFormat>();

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** Picks the best supported language from an Accept-Language header value. */
export function negotiateLanguage(acceptLanguage: string | undefined | null): Language {
  if (!acceptLanguage) return DEFAULT_LANGUAGE;
  const ranked = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag = '', ...rest] = part.trim().split(';');
      const q = rest.find((p) => p.trim().startsWith('q='));
      return { lang: tag.trim().toLowerCase().split('-')[0] ?? '', q: q ? Number(q.trim().slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { lang } of ranked) if (isLanguage(lang)) return lang;
  return DEFAULT_LANGUAGE;
}

/** Whether some catalog holds the key (a stored problem's code, say). */
export function hasMessage(key: string): boolean {
  catalogs ??= readCatalogs();
  return key in catalogs[DEFAULT_LANGUAGE] || key in catalogs.en;
}

/**
 * Translates a key. Falls back to Kazakh, then English, then the key itself, so a missing
 * translation is visible but never breaks a response.
 */
export function t(lang: Language, key: string, params: Record<string, unknown> = {}): string {
  catalogs ??= readCatalogs();
  const source = catalogs[lang][key] ?? catalogs[DEFAULT_LANGUAGE][key] ?? catalogs.en[key];
  if (source === undefined) return key;
  const cacheKey = `${lang}\u0000${key}`;
  let formatter = formatters.get(cacheKey);
  if (!formatter) {
    formatter = new IntlMessageFormat(source, lang);
    formatters.set(cacheKey, formatter);
  }
  try {
    return String(formatter.format(params as Record<string, string | number>));
  } catch {
    return source;
  }
}
