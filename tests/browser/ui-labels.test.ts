// Every status, verdict, audit action and audit object type the server can send has words in
// the UI catalogs (kk, ru, en): the values are read from the code that produces them, so a new
// enum value or a new audit action fails here until it is translated, instead of reaching
// users as a raw code such as `not-scanned` or `user.create`.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { labelKey, statusLabel, type LabelFamily } from '../../ui/src/lib/labels';
import { format, LANGUAGES } from '../../ui/src/lib/messages';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const catalogs = LANGUAGES.map((lang) => JSON.parse(read(`common/i18n/ui/${lang}.json`)) as Record<string, string>);

/** The string literals of `export type <name> = 'a' | 'b'` (or of a `<name>: 'a' | 'b'` field). */
function unionOf(file: string, name: string): string[] {
  const text = read(file);
  const match = new RegExp(`(?:type ${name} =|\\b${name}:)\\s*((?:'[^']+'\\s*\\|?\\s*)+)`).exec(text);
  if (!match) throw new Error(`${file}: no union ${name}`);
  return [...match[1]!.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
}

function sourceFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(path.join(root, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'testing' ? [] : sourceFiles(rel);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [rel] : [];
  });
}

const backend = () =>
  readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !['node_modules', 'ui', 'tests', 'bench', 'docs', 'data', 'dist', 'scripts'].includes(d.name) && !d.name.startsWith('.'))
    .flatMap((d) => sourceFiles(d.name));

/**
 * Quoted values given to `field:` anywhere in the server-side code (ternaries included), and
 * to helpers that take the value as a parameter of that name (`storePassword(…, 'user.password_reset')`).
 */
function valuesOf(field: string, shape: RegExp): Set<string> {
  const found = new Set<string>();
  const add = (text: string) => {
    for (const value of text.matchAll(/['`]([^'`$]+)['`]/g)) if (shape.test(value[1]!)) found.add(value[1]!);
  };
  for (const file of backend()) {
    const text = read(file);
    // `field: { type: 'string' }` is a schema, not a value.
    for (const match of text.matchAll(new RegExp(`\\b${field}:\\s*(?![\\s{])([^,}\\n]+)`, 'g'))) add(match[1]!);
    for (const helper of text.matchAll(new RegExp(`function (\\w+)\\([^)]*\\b${field}: string`, 'g'))) {
      for (const call of text.matchAll(new RegExp(`\\b${helper[1]}\\(([^;]*?)\\);`, 'g'))) add(call[1]!);
    }
  }
  return found;
}

const ENUMS: { family: LabelFamily; values: string[]; from: string }[] = [
  { family: 'transfer', values: unionOf('ingest/tables.ts', 'TransferStatus'), from: 'TransferStatus' },
  { family: 'step', values: unionOf('ingest/tables.ts', 'StepStatus'), from: 'StepStatus' },
  // `expanded` documents (containers opened into their files) are not in the report but may be listed.
  { family: 'document', values: unionOf('ingest/tables.ts', 'DocumentStatus'), from: 'DocumentStatus' },
  { family: 'dossier', values: unionOf('ingest/tables.ts', 'DossierStatus'), from: 'DossierStatus' },
  { family: 'integrity_run', values: unionOf('ingest/tables.ts', 'IntegrityRunStatus'), from: 'IntegrityRunStatus' },
  { family: 'integrity_phase', values: unionOf('ingest/tables.ts', 'IntegrityRunPhase'), from: 'IntegrityRunPhase' },
  { family: 'malware', values: unionOf('ingest/scan/malware.ts', 'status'), from: 'MalwareResult.status' },
  { family: 'signature', values: unionOf('ingest/pipeline/documents.ts', 'verdict'), from: 'signature verdict' },
];

describe('UI words for the codes the server sends', () => {
  it.each(ENUMS)('every $from value has a ui key in kk, ru and en', ({ family, values }) => {
    expect(values.length).toBeGreaterThan(1);
    const missing = values.filter((value) => {
      const key = labelKey(family, value);
      return !key || catalogs.some((catalog) => !catalog[key]);
    });
    expect(missing).toEqual([]);
  });

  it('every audit action and object type recorded in the code has words', () => {
    const actions = valuesOf('action', /^[a-z][a-z_]*\.[a-z][a-z_]*$/);
    const objects = valuesOf('objectType', /^[a-z][a-z_]*$/);
    // The sweep must actually find the code's actions (user.create, transfer.receive, …).
    expect(actions.size).toBeGreaterThan(15);
    expect(actions).toContain('user.create');
    expect(actions).toContain('transfer.receive');
    expect(objects).toContain('transfer');
    const missing = [
      ...[...actions].filter((a) => !labelKey('audit_action', a)).map((a) => `action ${a}`),
      ...[...objects].filter((o) => !labelKey('audit_object', o)).map((o) => `object ${o}`),
    ];
    expect(missing).toEqual([]);
  });

  it('every audit detail name recorded in the code has words', () => {
    // The top-level names of each `details: { … }` object in a file that records audit events
    // (shorthand `year,`, `name: value`, and names inside `...(cond ? { name } : {})`).
    const names = new Set<string>();
    for (const file of backend()) {
      const text = read(file);
      if (!/recordAudit/.test(text)) continue;
      for (const start of text.matchAll(/\bdetails:\s*\{/g)) {
        let depth = 1;
        let at = start.index! + start[0].length;
        const from = at;
        const segments: string[] = [];
        let segment = '';
        for (; at < text.length && depth > 0; at++) {
          const ch = text[at]!;
          if ('{[('.includes(ch)) depth++;
          else if ('}])'.includes(ch)) depth--;
          if (depth === 0) break;
          if (ch === ',' && depth === 1) {
            segments.push(segment);
            segment = '';
          } else segment += ch;
        }
        segments.push(segment);
        expect(at).toBeGreaterThan(from);
        for (const raw of segments.map((part) => part.trim()).filter(Boolean)) {
          if (raw.startsWith('...')) {
            for (const inner of raw.matchAll(/\?\s*\{\s*([A-Za-z_$][\w$]*)\s*[:,}]/g)) names.add(inner[1]!);
            continue;
          }
          const name = /^([A-Za-z_$][\w$]*)\s*(?::|$)/.exec(raw);
          if (name) names.add(name[1]!);
        }
      }
    }
    expect(names).toContain('username');
    expect(names).toContain('previousManifest');
    expect([...names].filter((name) => !labelKey('audit_detail', name) || catalogs.some((catalog) => !catalog[labelKey('audit_detail', name)!]))).toEqual([]);
  });

  it('an unknown value is shown as a word, never as the code', () => {
    for (const lang of LANGUAGES) {
      const t = (key: Parameters<typeof format>[1]) => format(lang, key);
      expect(statusLabel(t, 'malware', 'not-scanned')).not.toMatch(/not-scanned/);
      expect(statusLabel(t, 'audit_action', 'something.new')).toBe(format(lang, 'ui.audit_action_other'));
      expect(statusLabel(t, 'transfer', 'sleeping')).toBe(format(lang, 'ui.status_unknown'));
    }
    expect(statusLabel((key) => format('en', key), 'signature', 'unsigned')).toBe('Not signed');
    // Audit detail names are camelCase in the record.
    expect(statusLabel((key) => format('en', key), 'audit_detail', 'previousManifest')).toBe('Previous manifest');
    expect(statusLabel((key) => format('ru', key), 'malware', 'not-scanned')).toBe('Не проверен');
  });
});
