// The UI's message catalogs: identical key sets in kk, ru and en, sorted keys, and every
// key the UI sources name exists (a missing one would show a raw key on screen).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { format, LANGUAGES } from '../../ui/src/lib/messages';
import { NAV_ITEMS, ROLES as UI_ROLES } from '../../ui/src/lib/nav';
import { ROLES } from '../../accounts/roles';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const load = (lang: string) => JSON.parse(readFileSync(path.join(root, 'common/i18n/ui', `${lang}.json`), 'utf8')) as Record<string, string>;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'dist' ? [] : sources(full);
    return /\.(svelte|ts)$/.test(entry.name) ? [full] : [];
  });
}

describe('UI message catalogs', () => {
  it('have the same keys in kk, ru and en, sorted alphabetically', () => {
    const [kk, ru, en] = LANGUAGES.map(load);
    expect(Object.keys(ru!).sort()).toEqual(Object.keys(kk!).sort());
    expect(Object.keys(en!).sort()).toEqual(Object.keys(kk!).sort());
    for (const catalog of [kk!, ru!, en!]) expect(Object.keys(catalog)).toEqual(Object.keys(catalog).sort());
    expect(Object.keys(kk!).length).toBeGreaterThan(100);
  });

  it('contain every ui.* key named in ui/src', () => {
    const known = new Set(Object.keys(load('kk')));
    const used = new Set<string>();
    for (const file of sources(path.join(root, 'ui', 'src'))) {
      // A name ending in `_` is a prefix (ui/src/lib/labels.ts); ui-labels.test.ts checks those families.
      for (const match of readFileSync(file, 'utf8').matchAll(/'(ui\.[a-z0-9_]*[a-z0-9])'/g)) used.add(match[1]!);
    }
    // Keys built from a role name: ui.role_<role>.
    for (const role of ROLES) used.add(`ui.role_${role}`);
    expect([...used].filter((key) => !known.has(key))).toEqual([]);
    expect(used.size).toBeGreaterThan(80);
  });

  it('format plurals by language', () => {
    expect(format('ru', 'ui.users_count', { count: 1 })).toBe('1 пользователь');
    expect(format('ru', 'ui.users_count', { count: 3 })).toBe('3 пользователя');
    expect(format('ru', 'ui.users_count', { count: 11 })).toBe('11 пользователей');
    expect(format('en', 'ui.users_count', { count: 1 })).toBe('1 user');
    expect(format('en', 'ui.users_count', { count: 8 })).toBe('8 users');
    expect(format('kk', 'ui.users_count', { count: 8 })).toBe('8 пайдаланушы');
  });

  it('name the same roles as the catalog and give every role a menu', () => {
    expect([...UI_ROLES]).toEqual([...ROLES]);
    for (const role of ROLES) expect(NAV_ITEMS.some((item) => item.roles.includes(role))).toBe(true);
  });
});
