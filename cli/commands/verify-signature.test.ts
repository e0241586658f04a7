import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../main';
import { createTestPki, signFile, type TestPki } from '../../validators/signature/testing/test-pki';

let dir: string;
let pki: TestPki;
let doc: string;
let signature: string;
let revoked: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-cli-sig-'));
  pki = await createTestPki(path.join(dir, 'pki'));
  doc = path.join(dir, 'act.txt');
  await writeFile(doc, 'Акт о выделении к уничтожению документов\n');
  signature = await signFile(pki, doc);
  revoked = await signFile(pki, doc, { signer: 'revoked', outPath: path.join(dir, 'revoked.p7s') });
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const previous = process.env.MURAGAT_LANG;
  process.env.MURAGAT_LANG = 'en';
  try {
    const code = await main(['verify-signature', ...args]);
    return { code, stdout, stderr };
  } finally {
    if (previous === undefined) delete process.env.MURAGAT_LANG;
    else process.env.MURAGAT_LANG = previous;
    vi.restoreAllMocks();
  }
}

describe('muragat verify-signature', () => {
  it('exits 0 for a valid signature and lists every check', async () => {
    const r = await run([signature, '--content', doc, '--trust-dir', pki.trustDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Verdict: valid');
    expect(r.stdout).toContain(`IIN: ${pki.iin}`);
    expect(r.stdout).toContain(`BIN: ${pki.bin}`);
    for (const label of ['Message digest', 'Signature value', 'Trust chain', 'Certificate validity', 'Key usage', 'Revocation']) {
      expect(r.stdout).toContain(`✓ ${label}:`);
    }
  });

  it('prints a JSON report with base64 evidence', async () => {
    const r = await run([signature, '--content', doc, '--trust-dir', pki.trustDir, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { verdict: string; signers: { checks: { name: string; ok: boolean | null }[] }[]; evidence: { certificates: string[]; crls: string[] } };
    expect(report.verdict).toBe('valid');
    expect(report.signers[0]!.checks.length).toBeGreaterThan(8);
    expect(report.evidence.certificates).toHaveLength(3);
    expect(Buffer.from(report.evidence.certificates[0]!, 'base64')[0]).toBe(0x30);
  });

  it('exits 1 for a revoked signer and for a signature that cannot be verified', async () => {
    const bad = await run([revoked, '--content', doc, '--trust-dir', pki.trustDir]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('Verdict: invalid');
    expect(bad.stdout).toContain('✗ Revocation:');
    const unknown = await run([signature, '--trust-dir', pki.trustDir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain('Verdict: cannot verify');
    expect(unknown.stdout).toContain('? Message digest:');
  });

  it('exits 2 for missing files and bad usage', async () => {
    expect((await run([path.join(dir, 'missing.p7s'), '--trust-dir', pki.trustDir])).code).toBe(2);
    expect((await run([signature, '--content', path.join(dir, 'missing.txt'), '--trust-dir', pki.trustDir])).code).toBe(2);
    expect((await run([])).code).toBe(2);
  });
});
