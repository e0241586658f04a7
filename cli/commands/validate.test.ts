// `muragat validate pdfa`: exit codes, JSON shape and human output, run in-process via main().
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parseConfig, setConfig } from '../../common/config';
import { main } from '../main';
import { pdfa } from '../../validators/pdfa/testing/build-pdf';

const dir = mkdtempSync(path.join(tmpdir(), 'muragat-validate-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const good = path.join(dir, 'good.pdf');
const bad = path.join(dir, 'bad.pdf');
writeFileSync(good, pdfa());
writeFileSync(bad, pdfa({ catalogExtra: '/OCProperties << /OCGs [] /D << >> >>' }));

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  const saved = process.env.MURAGAT_LANG;
  process.env.MURAGAT_LANG = 'en';
  try {
    process.exitCode = undefined;
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
    if (saved === undefined) delete process.env.MURAGAT_LANG;
    else process.env.MURAGAT_LANG = saved;
  }
}

describe('muragat validate pdfa', () => {
  it('exits 0 when every file complies', async () => {
    const r = await run('validate', 'pdfa', good);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('complies with PDF/A-1b');
  });

  it('exits 1 and prints a JSON array when a file does not comply', async () => {
    const r = await run('validate', 'pdfa', '--json', good, bad);
    expect(r.code).toBe(1);
    const reports = JSON.parse(r.stdout) as { file: string; compliant: boolean; profile: string; failures: { clause: string }[] }[];
    expect(reports.map((x) => [path.basename(x.file), x.compliant, x.profile])).toEqual([
      ['good.pdf', true, 'PDF/A-1b'],
      ['bad.pdf', false, 'PDF/A-1b'],
    ]);
    expect(reports[1]!.failures.map((f) => f.clause)).toContain('6.1.13');
  });

  it('names failures with clause and rule for people', async () => {
    const r = await run('validate', 'pdfa', bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/6\.1\.13\s+6-1-13-t01\s+The catalog contains OCProperties/);
  });

  it('with --engine both, says where the engines disagree, in text and in JSON', async () => {
    // The stand-in prints a recorded veraPDF report (6.2.3.3 and 6.7.3 failed) for every file.
    const fake = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../validators/pdfa/testdata/fake-verapdf.mjs');
    const saved = { bin: process.env.VERAPDF_BIN, mode: process.env.FAKE_VERAPDF_MODE };
    process.env.VERAPDF_BIN = fake;
    process.env.FAKE_VERAPDF_MODE = 'fail';
    setConfig(parseConfig(process.env));
    try {
      const text = await run('validate', 'pdfa', '--engine', 'both', good, bad);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain('verdicts differ: built-in checker complies, veraPDF fails');
      expect(text.stdout).toContain('clause 6.2.3.3: failed by veraPDF only');
      expect(text.stdout).toContain('clause 6.1.13: failed by the built-in checker only');
      expect(text.stdout).toContain('The engines disagree on 2 of 2 files');
      const json = await run('validate', 'pdfa', '--engine', 'both', '--json', good);
      const [report] = JSON.parse(json.stdout) as { engine: string; disagreements: unknown[] }[];
      expect(report!.engine).toBe('both');
      expect(report!.disagreements).toContainEqual({ kind: 'verdict', builtin: true, verapdf: false });
      expect(report!.disagreements).toContainEqual({ kind: 'clause', clause: '6.7.3', builtin: false, verapdf: true });
    } finally {
      for (const [k, v] of [['VERAPDF_BIN', saved.bin], ['FAKE_VERAPDF_MODE', saved.mode]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      setConfig(parseConfig(process.env));
    }
  });

  it('exits 2 and says how to install veraPDF when it is missing', async () => {
    const saved = process.env.VERAPDF_BIN;
    process.env.VERAPDF_BIN = path.join(dir, 'no-such-verapdf');
    setConfig(parseConfig(process.env));
    try {
      const r = await run('validate', 'pdfa', '--engine', 'verapdf', good);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('veraPDF is not installed');
    } finally {
      if (saved === undefined) delete process.env.VERAPDF_BIN;
      else process.env.VERAPDF_BIN = saved;
      setConfig(parseConfig(process.env));
    }
  });

  it('exits 2 on usage errors', async () => {
    expect((await run('validate', 'pdfa', '--engine', 'magic', good)).code).toBe(2);
    expect((await run('validate', 'pdfa', path.join(dir, 'missing.pdf'))).code).toBe(2);
    expect((await run('validate', 'pdfa')).code).toBe(2);
  });
});
