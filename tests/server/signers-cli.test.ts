// `muragat user cert add|list|confirm|remove` in-process through main(), on a PGlite catalog in a
// temporary data folder, with the real NCA RK test certificates (RSA and GOST 34.310-2004) of
// one person (IIN 123456789011 in the subject serialNumber).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, setConfig } from '../../common/config';
import { runCli as run } from '../helpers/cli';

const NCA = '/work/shared/fixtures/nca-rk';
const RSA = path.join(NCA, 'individual_valid_sign_2004_rsa.cer');
const GOST = path.join(NCA, 'ceo_valid_sign_2004_gost.cer');
let dataDir: string;

describe('muragat user cert', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'muragat-cli-cert-'));
    setConfig(parseConfig({ MURAGAT_DATA_DIR: dataDir, MURAGAT_LANG: 'en' }));
    process.env.MURAGAT_LANG = 'en';
    expect((await run('migrate', '--json')).code).toBe(0);
    for (const [name, role] of [['testov', 'department_head'], ['other', 'department_clerk']]) {
      const added = await run('user', 'add', name!, '--role', role!, '--full-name', `${name} person`, '--json');
      expect(added.code, added.stderr).toBe(0);
    }
  }, 120_000);
  afterAll(() => {
    delete process.env.MURAGAT_LANG;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('registers NCA RK certificates and an IIN, lists them and refuses them for another user', async () => {
    const rsa = await run('user', 'cert', 'add', 'testov', RSA, '--json');
    expect(rsa.code, rsa.stderr).toBe(0);
    const binding = JSON.parse(rsa.stdout).binding;
    expect(binding).toMatchObject({ username: 'testov', kind: 'certificate', status: 'active', iin: '123456789011' });
    expect(binding.certificate.issuer).toContain('ҰКО 3.0 (RSA TEST)');
    const gost = await run('user', 'cert', 'add', 'testov', GOST);
    expect(gost.code, gost.stderr).toBe(0);
    expect(gost.stdout).toContain('Registered for testov');
    expect((await run('user', 'cert', 'add', 'testov', '--iin', '123456789011')).code).toBe(0);
    const list = await run('user', 'cert', 'list', 'testov');
    expect(list.stdout.trim().split('\n')).toHaveLength(3);
    expect(list.stdout).toContain('IIN 123456789011');
    // The same person's certificate or IIN cannot also be another user's.
    const taken = await run('user', 'cert', 'add', 'other', RSA);
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toContain('testov person (testov)');
    expect((await run('user', 'cert', 'add', 'other', '--iin', '123456789011')).code).not.toBe(0);
    // Neither a file nor --iin, or both: a usage error.
    expect((await run('user', 'cert', 'add', 'other')).code).toBe(2);
    expect((await run('user', 'cert', 'add', 'other', RSA, '--iin', '123456789012')).code).toBe(2);
    // The NCA's own CA certificate is no person's signing certificate.
    const ca = await run('user', 'cert', 'add', 'other', path.join(NCA, 'nca_gost2015_test.cer'));
    expect(ca.code).not.toBe(0);
    expect(ca.stderr).toContain('certification authority');
    const unreadable = await run('user', 'cert', 'add', 'other', path.join(NCA, 'README.md'));
    expect(unreadable.code).not.toBe(0);
    expect(unreadable.stderr).toContain('README.md');
  }, 60_000);

  it('removes a binding with a reason; nothing waits for confirmation', async () => {
    const list = JSON.parse((await run('user', 'cert', 'list', 'testov', '--json')).stdout).bindings as { id: string; kind: string }[];
    const rsa = list.find((b) => b.kind === 'certificate')!;
    const removed = await run('user', 'cert', 'remove', 'testov', rsa.id, '--reason', 'certificate expired', '--json');
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout).binding).toMatchObject({ status: 'removed', removedReason: 'certificate expired' });
    expect(JSON.parse((await run('user', 'cert', 'list', 'testov', '--json')).stdout).bindings).toHaveLength(2);
    expect(JSON.parse((await run('user', 'cert', 'list', 'testov', '--all', '--json')).stdout).bindings).toHaveLength(3);
    expect((await run('user', 'cert', 'remove', 'testov', rsa.id, '--reason', 'again')).code).not.toBe(0);
    expect((await run('user', 'cert', 'list')).stdout).toContain('No signing certificates or IINs.');
    expect((await run('user', 'cert', 'confirm', 'testov', rsa.id)).code).not.toBe(0);
  }, 60_000);
});
