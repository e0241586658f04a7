// `muragat validate pdfa`: exit codes, JSON shape and human output, run in-process via main().
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
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

  it('exits 2 on usage errors', async () => {
    expect((await run('validate', 'pdfa', '--engine', 'magic', good)).code).toBe(2);
    expect((await run('validate', 'pdfa', path.join(dir, 'missing.pdf'))).code).toBe(2);
    expect((await run('validate', 'pdfa')).code).toBe(2);
  });
});
