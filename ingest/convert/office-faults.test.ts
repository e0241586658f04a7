// LibreOffice failure handling with a fake soffice (SOFFICE_BIN): it converts files by copying a
// template PDF, hangs on files containing HANG and crashes on files containing CRASH, so timeout,
// crash and the one-by-one retry that isolates the bad file are tested in seconds.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, parseConfig, setConfig, type Config } from '../../common/config';
import type { FormatId } from '../scan/index';
import { writeFakeSoffice } from '../../tests/helpers/fake-soffice';
import { createConverter, textToPdfA } from './index';
import { OfficeConverter } from './office';

let dir: string;
let saved: Config;
const docx: FormatId = { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', name: 'DOCX', family: 'office', extensionMatches: true, encrypted: false, problems: [] };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-office-faults-'));
  const bin = path.join(dir, 'soffice');
  // Records each call, converts by copying $FAKE_PDF, hangs or crashes on demand.
  await writeFakeSoffice(bin, {
    version: 'LibreOffice 0.0.0.fake',
    onCall: 'echo "call $#" >> "$FAKE_LOG"',
    onFile: `  if grep -q SLOW "$f"; then sleep 3; touch "$FAKE_SLOW_DONE"; fi
  if grep -q HANG "$f"; then sleep 600; fi
  if grep -q CRASH "$f"; then kill -SEGV $$; fi
  if grep -q BROKEN "$f"; then echo "Error: source file could not be loaded" >&2; continue; fi`,
    onWritten: '  if grep -q HOLD "$f"; then sleep 1; touch "$FAKE_LOCK_GONE"; fi',
    template: '"$FAKE_PDF"',
  });
  await writeFile(path.join(dir, 'template.pdf'), await textToPdfA('template', { title: 'template' }));
  process.env.FAKE_PDF = path.join(dir, 'template.pdf');
  process.env.FAKE_LOG = path.join(dir, 'calls.log');
  process.env.FAKE_SLOW_DONE = path.join(dir, 'slow-done');
  process.env.FAKE_LOCK_GONE = path.join(dir, 'lock-gone');
  saved = loadConfig();
  setConfig(parseConfig({ ...process.env, SOFFICE_BIN: bin }));
});
afterAll(async () => {
  setConfig(saved);
  await rm(dir, { recursive: true, force: true });
});

async function inputs(contents: string[]): Promise<{ path: string; format: FormatId; outPath: string }[]> {
  return Promise.all(
    contents.map(async (c, i) => {
      const p = path.join(dir, `doc${i}.docx`);
      await writeFile(p, c);
      return { path: p, format: docx, outPath: path.join(dir, 'out', `doc${i}.pdf`) };
    }),
  );
}

async function calls(): Promise<number> {
  return (await readFile(process.env.FAKE_LOG!, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
}

describe('LibreOffice batch failure handling', () => {
  it('converts a clean batch in one soffice call, and 25 files in one more', async () => {
    await rm(process.env.FAKE_LOG!, { force: true });
    const converter = createConverter({ workDir: path.join(dir, 'w1'), timeoutMs: 5_000 });
    const results = await converter.convertMany(await inputs(['a', 'b', 'c']));
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(results[0]!.tool).toEqual({ name: 'LibreOffice', version: '0.0.0.fake' });
    expect(await calls()).toBe(1);
    const many = await converter.convertMany(await inputs(Array.from({ length: 25 }, (_, i) => `file ${i}`)));
    await converter.close();
    expect(many.every((r) => r.ok)).toBe(true);
    expect(await calls()).toBe(2);
  });

  it('reports each file of a batch as soon as its PDF is written, while the batch still converts', async () => {
    // Smallest first: the batch runs small, mid, then SLOW (3 s). small and mid are heard of before SLOW is done.
    await rm(process.env.FAKE_SLOW_DONE!, { force: true });
    const [small, mid, slow] = await inputs(['small', 'mid file', `SLOW ${'x'.repeat(200)}`]);
    const jobs = [small!, mid!, slow!].map((j, key) => ({ ...j, key }));
    const office = new OfficeConverter(path.join(dir, 'w-early'), 20_000);
    const heard: { key: number; ok: boolean; slowDone: boolean; placed: boolean }[] = [];
    const results = await office.convert(jobs, (key, outcome) => heard.push({ key, ok: outcome.ok, slowDone: existsSync(process.env.FAKE_SLOW_DONE!), placed: existsSync(jobs[key]!.outPath) }));
    await office.close();
    expect([...results.values()].every((o) => o.ok)).toBe(true);
    expect(heard).toEqual([
      { key: 0, ok: true, slowDone: false, placed: true },
      { key: 1, ok: true, slowDone: false, placed: true },
      { key: 2, ok: true, slowDone: true, placed: true },
    ]);
    for (const j of jobs) expect((await readFile(j.outPath)).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('does not take a PDF while soffice still holds its lock file', async () => {
    // HOLD: the PDF is written whole, but soffice keeps its lock for a second more.
    await rm(process.env.FAKE_SLOW_DONE!, { force: true });
    await rm(process.env.FAKE_LOCK_GONE!, { force: true });
    const [held, slow] = await inputs(['HOLD', `SLOW ${'x'.repeat(200)}`]);
    const jobs = [held!, slow!].map((j, key) => ({ ...j, key }));
    const office = new OfficeConverter(path.join(dir, 'w-lock'), 20_000);
    const heard: { key: number; lockGone: boolean; slowDone: boolean }[] = [];
    await office.convert(jobs, (key) => heard.push({ key, lockGone: existsSync(process.env.FAKE_LOCK_GONE!), slowDone: existsSync(process.env.FAKE_SLOW_DONE!) }));
    await office.close();
    expect(heard).toEqual([
      { key: 0, lockGone: true, slowDone: false },
      { key: 1, lockGone: true, slowDone: true },
    ]);
  });

  it('isolates a file that hangs: the batch times out, the others are kept or retried alone', async () => {
    await rm(process.env.FAKE_LOG!, { force: true });
    const converter = createConverter({ workDir: path.join(dir, 'w2'), timeoutMs: 1_500 });
    const started = Date.now();
    // Equal sizes keep the input order (batches take the smallest files first).
    const results = await converter.convertMany(await inputs(['good 0', 'HANG!!', 'good 2']));
    await converter.close();
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1]!.problems.map((p) => p.code)).toEqual(['timeout']);
    expect(results[1]!.problems[0]!.message).toContain('LibreOffice');
    // Batch (killed after 3 × 1.5 s) + retries of the hanging and the unreached file.
    expect(await calls()).toBe(3);
    expect(Date.now() - started).toBeLessThan(20_000);
    // Originals untouched.
    expect(await readFile(path.join(dir, 'doc1.docx'), 'utf8')).toBe('HANG!!');
  }, 30_000);

  it('isolates a file that crashes soffice and reports corrupt input separately', async () => {
    await rm(process.env.FAKE_LOG!, { force: true });
    const converter = createConverter({ workDir: path.join(dir, 'w3'), timeoutMs: 5_000 });
    const results = await converter.convertMany(await inputs(['good', 'CRASH', 'good too', 'BROKEN']));
    await converter.close();
    expect(results.map((r) => r.ok)).toEqual([true, false, true, false]);
    expect(results[1]!.problems[0]!.code).toBe('crashed');
    expect(results[1]!.problems[0]!.message).toMatch(/SIGSEGV|exit code/);
    expect(results[3]!.problems[0]!.code).toBe('corrupt_input');
    for (const i of [0, 2]) expect((await readFile(results[i]!.output!)).subarray(0, 5).toString()).toBe('%PDF-');
  }, 30_000);

  it('does not retry alone a file soffice could not load in a batch that ended normally', async () => {
    await rm(process.env.FAKE_LOG!, { force: true });
    const converter = createConverter({ workDir: path.join(dir, 'w5'), timeoutMs: 5_000 });
    const results = await converter.convertMany(await inputs(['good', 'BROKEN', 'good too']));
    await converter.close();
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1]!.problems[0]!.code).toBe('corrupt_input');
    expect(await calls()).toBe(1);
  }, 30_000);

  it('reports a missing LibreOffice as tool_missing', async () => {
    const current = loadConfig();
    setConfig(parseConfig({ ...process.env, SOFFICE_BIN: path.join(dir, 'nope') }));
    try {
      const converter = createConverter({ workDir: path.join(dir, 'w4') });
      const [r] = await converter.convertMany(await inputs(['x']));
      await converter.close();
      expect(r).toMatchObject({ ok: false, method: 'libreoffice' });
      expect(r!.problems[0]!.code).toBe('tool_missing');
    } finally {
      setConfig(current);
    }
  });
});
