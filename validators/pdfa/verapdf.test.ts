// The veraPDF wrapper and report parser through a stand-in executable that prints recorded
// machine-readable reports (validators/pdfa/testdata), selected with VERAPDF_BIN. The real
// veraPDF runs in verapdf.integration.test.ts.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, setConfig } from '../../common/config';
import { validatePdfA } from './index';
import { parseMrr, parseMrrBatch, runVeraPdfBatch } from './verapdf';
import { readFileSync } from 'node:fs';
import { pdfa } from './testing/build-pdf';

const here = path.dirname(fileURLToPath(import.meta.url));
const fake = path.join(here, 'testdata', 'fake-verapdf.mjs');
const saved = { bin: process.env.VERAPDF_BIN, mode: process.env.FAKE_VERAPDF_MODE };

beforeAll(() => {
  process.env.VERAPDF_BIN = fake;
  setConfig(parseConfig(process.env));
});
afterAll(() => {
  if (saved.bin === undefined) delete process.env.VERAPDF_BIN;
  else process.env.VERAPDF_BIN = saved.bin;
  if (saved.mode === undefined) delete process.env.FAKE_VERAPDF_MODE;
  else process.env.FAKE_VERAPDF_MODE = saved.mode;
  setConfig(parseConfig(process.env));
});

describe('veraPDF engine', () => {
  it('reads failed rules, clauses, contexts and messages from the report', async () => {
    process.env.FAKE_VERAPDF_MODE = 'fail';
    const r = await validatePdfA(pdfa(), { engine: 'verapdf', file: 'doc.pdf' });
    expect(r).toMatchObject({ file: 'doc.pdf', compliant: false, profile: 'PDF/A-1b', engine: 'verapdf' });
    expect(r.failures.map((f) => [f.clause, f.rule])).toEqual([
      ['6.2.3.3', '6-2-3-3-t04'],
      ['6.7.3', '6-7-3-t01'],
    ]);
    expect(r.failures[0]!.location).toContain('PDPage');
    expect(r.failures[1]!.message).toBe('Info dictionary entries are not consistent with the XMP metadata & its dates');
  });

  it('reports a compliant file', async () => {
    process.env.FAKE_VERAPDF_MODE = 'pass';
    const r = await validatePdfA(pdfa(), { engine: 'verapdf' });
    expect(r.compliant).toBe(true);
    expect(r.failures).toEqual([]);
  });

  it('lists disagreements when both engines run', async () => {
    process.env.FAKE_VERAPDF_MODE = 'fail';
    const r = await validatePdfA(pdfa(), { engine: 'both', file: 'doc.pdf' });
    expect(r.engine).toBe('both');
    expect(r.compliant).toBe(false);
    expect(r.disagreements).toEqual([
      { kind: 'verdict', builtin: true, verapdf: false },
      { kind: 'clause', clause: '6.2.3.3', builtin: false, verapdf: true },
      { kind: 'clause', clause: '6.7.3', builtin: false, verapdf: true },
    ]);
    process.env.FAKE_VERAPDF_MODE = 'pass';
    const agree = await validatePdfA(pdfa(), { engine: 'both' });
    expect(agree.compliant).toBe(true);
    expect(agree.disagreements).toEqual([]);
  });

  it('turns a crash or a hang into an unreadable report', async () => {
    process.env.FAKE_VERAPDF_MODE = 'garbage';
    const crashed = await validatePdfA(pdfa(), { engine: 'verapdf' });
    expect(crashed.unreadable).toBe(true);
    expect(crashed.failures[0]!.message).toContain('OutOfMemoryError');
    process.env.FAKE_VERAPDF_MODE = 'hang';
    const started = Date.now();
    const [hung] = await runVeraPdfBatch([path.join(here, 'testdata', 'hang.pdf')], { timeoutMs: 1000, startupMs: 500 });
    expect(hung!.unreadable).toBe(true);
    expect(hung!.failures[0]!.message).toContain('time limit');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('checks a batch in one start and gives each file its own report', async () => {
    process.env.FAKE_VERAPDF_MODE = 'fail';
    const files = ['a.pdf', 'b.pdf', 'c.pdf'].map((n) => path.join(here, 'testdata', n));
    const results = await runVeraPdfBatch([...files, files[0]!]);
    expect(results).toHaveLength(4);
    for (const r of results) expect(r.failures.map((f) => f.clause)).toEqual(['6.2.3.3', '6.7.3']);
  });

  it('reads the complete jobs of a report cut off by a killed process', () => {
    const full = readFileSync(path.join(here, 'testdata', 'verapdf-fail.mrr.xml'), 'utf8').replace('FILE', '/x/a.pdf');
    const cut = full.slice(0, full.indexOf('</jobs>')) + '<job><item><name>/x/b.pdf</name></item><validationReport isCompliant="true"';
    const jobs = parseMrrBatch(cut, ['/x/a.pdf', '/x/b.pdf']);
    expect([...jobs.keys()]).toEqual(['/x/a.pdf']);
    expect(jobs.get('/x/a.pdf')!.compliant).toBe(false);
  });

  it('follows MURAGAT_PDFA_ENGINE when no engine is asked for (how ingest switches engines)', async () => {
    process.env.FAKE_VERAPDF_MODE = 'fail';
    try {
      setConfig(parseConfig({ ...process.env, MURAGAT_PDFA_ENGINE: 'verapdf' }));
      expect((await validatePdfA(pdfa())).engine).toBe('verapdf');
      setConfig(parseConfig({ ...process.env, MURAGAT_PDFA_ENGINE: 'both' }));
      const both = await validatePdfA(pdfa());
      expect([both.engine, both.compliant]).toEqual(['both', false]);
    } finally {
      setConfig(parseConfig(process.env));
    }
    expect((await validatePdfA(pdfa())).engine).toBe('builtin');
    expect(() => parseConfig({ MURAGAT_PDFA_ENGINE: 'acrobat', MURAGAT_VERAPDF_MAX_HEAP: 'lots' })).toThrow(/MURAGAT_PDFA_ENGINE[\s\S]*MURAGAT_VERAPDF_MAX_HEAP/);
  });

  it('rejects a report without a validation result', () => {
    expect(parseMrr('<report><jobs><job><taskException>Couldn\'t parse stream</taskException></job></jobs></report>')).toMatchObject({ unreadable: true });
    expect(parseMrr('not xml').unreadable).toBe(true);
  });
});
