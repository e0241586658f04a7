// The real veraPDF (installed by `node scripts/setup.mjs --test`, or named by VERAPDF_BIN) on
// passing, failing and unreadable files in one JVM start: the wrapper's arguments, batching and
// report parsing against what veraPDF really prints. Skipped, saying why, only where veraPDF is
// not installed; CI installs it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, setConfig } from '../../common/config';
import { combine, disagreementsOf, validatePdfAFiles } from './index';
import { runVeraPdfBatch, veraPdfVersion, type VeraPdfResult } from './verapdf';
import { corpusDir } from './testing/corpus';
import { pdfa } from './testing/build-pdf';

// A stand-in left in VERAPDF_BIN by another suite must not pass for the real thing.
setConfig(parseConfig(process.env));
const version = await veraPdfVersion();
const real = version !== null && /^veraPDF \d/.test(version) && !version.includes('stand-in');
if (!real) {
  console.warn(`veraPDF integration tests skipped: veraPDF is not installed (${version ?? 'not found'}); run \`node scripts/setup.mjs --test\` or set VERAPDF_BIN`);
}

const dir = mkdtempSync(path.join(tmpdir(), 'muragat-verapdf-it-'));
const corpus = corpusDir();
const files = {
  good: path.join(dir, 'good.pdf'),
  // Optional content is forbidden by 6.1.13; the rest of the file conforms.
  optionalContent: path.join(dir, 'optional-content.pdf'),
  // Not a PDF at all: veraPDF cannot parse it.
  notPdf: path.join(dir, 'not-a-pdf.pdf'),
  // Renditions are stored without an extension.
  noExtension: path.join(dir, 'rendition'),
  lzw: corpus ? path.join(corpus, 'files', 'veraPDF_test_suite_6-1-10-t01-fail-a.pdf') : null,
  corpusPass: corpus ? path.join(corpus, 'files', '6-3-5-t02-pass-b.pdf') : null,
};

let results: Map<string, VeraPdfResult>;

beforeAll(async () => {
  if (!real) return;
  writeFileSync(files.good, pdfa());
  writeFileSync(files.optionalContent, pdfa({ catalogExtra: '/OCProperties << /OCGs [] /D << >> >>' }));
  writeFileSync(files.notPdf, 'this is plain text, not a PDF\n');
  writeFileSync(files.noExtension, pdfa());
  const list = Object.values(files).filter((f): f is string => f !== null);
  const started = Date.now();
  const out = await runVeraPdfBatch(list, { timeoutMs: 60_000 });
  console.log(`${version}: ${list.length} files in one start, ${Date.now() - started} ms`);
  results = new Map(list.map((f, i) => [f, out[i]!]));
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!real)('veraPDF (real)', () => {
  it('finds a conforming file compliant, with or without a .pdf extension', () => {
    expect(results.get(files.good)).toEqual({ compliant: true, unreadable: false, failures: [] });
    expect(results.get(files.noExtension)).toEqual({ compliant: true, unreadable: false, failures: [] });
  });

  it('reports the clause, rule, message and place of a failure', () => {
    const r = results.get(files.optionalContent)!;
    expect(r.compliant).toBe(false);
    expect(r.unreadable).toBe(false);
    expect(r.failures.map((f) => f.clause)).toEqual(['6.1.13']);
    expect(r.failures[0]!.rule).toMatch(/^6-1-13-t\d\d$/);
    expect(r.failures[0]!.message.length).toBeGreaterThan(10);
    expect(r.failures[0]!.location).toContain('root');
  });

  it('calls a file it cannot parse unreadable, not compliant', () => {
    const r = results.get(files.notPdf)!;
    expect(r).toMatchObject({ compliant: false, unreadable: true });
    expect(r.failures[0]!.message).toMatch(/parse|PDF/i);
  });

  it.skipIf(!corpus)('agrees with the corpus on a passing and a failing file', () => {
    expect(results.get(files.corpusPass!)!.compliant).toBe(true);
    const lzw = results.get(files.lzw!)!;
    expect(lzw.compliant).toBe(false);
    expect(lzw.failures.map((f) => [f.clause, f.rule])).toEqual([['6.1.10', '6-1-10-t01']]);
  });

  it('gives the built-in checker and veraPDF the same verdicts here, and lists differences', async () => {
    // The built-in reports of the same files, joined with the batch above (no second JVM start).
    const builtin = await validatePdfAFiles([files.good, files.optionalContent], { engine: 'builtin' });
    const both = builtin.map((b) => combine(b.file, b, { ...b, engine: 'verapdf', ...results.get(b.file)! }));
    expect(both.map((r) => [r.engine, r.compliant, r.disagreements])).toEqual([
      ['both', true, []],
      ['both', false, []],
    ]);
    expect(disagreementsOf({ compliant: true, failures: [] }, results.get(files.optionalContent)!)).toEqual([
      { kind: 'verdict', builtin: true, verapdf: false },
      { kind: 'clause', clause: '6.1.13', builtin: false, verapdf: true },
    ]);
  });
});
