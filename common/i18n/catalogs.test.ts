// Every message catalog area must have the same keys in kk, ru and en, each key named
// `<area>.snake_case`, every message valid ICU MessageFormat, and every catalog key the
// catalog code refers to must exist.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { LANGUAGES, t } from './index';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
// A folder without any catalog file yet is not an area (someone is just creating it);
// one with some languages but not all fails below.
const areas = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && LANGUAGES.some((lang) => existsSync(path.join(here, d.name, `${lang}.json`))))
  .map((d) => d.name)
  .sort();

function load(area: string, lang: string): Record<string, string> {
  const file = path.join(here, area, `${lang}.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch (error) {
    throw new Error(`${path.relative(root, file)}: ${(error as Error).message}`);
  }
}

describe('message catalogs', () => {
  it.each(areas)('area %s: same keys in kk, ru and en, well named, valid ICU', (area) => {
    const catalogs = Object.fromEntries(LANGUAGES.map((lang) => [lang, load(area, lang)]));
    const all = new Set(LANGUAGES.flatMap((lang) => Object.keys(catalogs[lang]!)));
    const problems: string[] = [];
    for (const key of all) {
      if (!new RegExp(`^${area}\\.[a-z0-9_]+$`).test(key)) problems.push(`${area}: key "${key}" is not ${area}.snake_case`);
      for (const lang of LANGUAGES) {
        const message = catalogs[lang]![key];
        if (typeof message !== 'string' || !message.trim()) {
          problems.push(`${area}/${lang}.json: missing "${key}"`);
          continue;
        }
        try {
          // Construction parses the message; a syntax error throws here.
          new IntlMessageFormat(message, lang);
        } catch (error) {
          problems.push(`${area}/${lang}.json: "${key}" is not valid ICU: ${(error as Error).message}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('has every catalog.* and cli.* key used in catalog/ and cli/', () => {
    const used = new Set<string>();
    for (const dir of ['catalog', 'cli', 'cli/commands']) {
      for (const file of readdirSync(path.join(root, dir))) {
        if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
        const text = readFileSync(path.join(root, dir, file), 'utf8');
        for (const match of text.matchAll(/'((?:catalog|cli)\.[a-z0-9_]+)'/g)) used.add(match[1]!);
        // Keys built from a reason: `cli.audit_broken_${reason}`.
        if (text.includes('cli.audit_broken_')) for (const r of ['edited', 'deleted', 'inserted', 'relinked']) used.add(`cli.audit_broken_${r}`);
      }
    }
    const known = new Set([...Object.keys(load('catalog', 'kk')), ...Object.keys(load('cli', 'kk'))]);
    expect([...used].filter((key) => !known.has(key))).toEqual([]);
    expect(used.size).toBeGreaterThan(20);
  });

  it('formats plurals per language', () => {
    expect(t('ru', 'catalog.auth_too_many_attempts', { retryAfterSeconds: 5 })).toContain('5 секунд.');
    expect(t('ru', 'catalog.auth_too_many_attempts', { retryAfterSeconds: 21 })).toContain('21 секунду');
    expect(t('en', 'catalog.auth_too_many_attempts', { retryAfterSeconds: 1 })).toContain('1 second.');
    expect(t('kk', 'catalog.auth_too_many_attempts', { retryAfterSeconds: 30 })).toContain('30 секундтан');
  });
});
