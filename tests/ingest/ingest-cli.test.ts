// The commands as an operator uses them: ingest with a signing key, export, verify (exit 0,
// then exit 1 naming a damaged object), and usage errors.
import { spawn } from 'node:child_process';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestReport } from '../../ingest';
import { validatePdfA } from '../../validators/pdfa';
import { createIngestEnv, buildFixtureTransfer, type IngestEnv } from './helpers';
import { registerOperatorSigner } from '../server/signers-fixtures';
import { openCatalog } from '../../database/open';
import { storedObjectOf } from '../../destruction/content';

const root = path.resolve(import.meta.dirname, '../..');

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/muragat.js'), ...args], { cwd: root, env: { ...process.env, ...env, VITEST: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('muragat ingest / dossier export / verify', () => {
  let env: IngestEnv;
  let cliEnv: Record<string, string>;
  let report: IngestReport;

  beforeAll(async () => {
    env = await createIngestEnv({ MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    cliEnv = { ...env.env, MURAGAT_SIGN_KEY_PASSWORD: env.pki.password, MURAGAT_LANG: 'kk' };
    const tar = await buildFixtureTransfer(env, 'cli');
    // The operator's key signs as a registered signer only (accounts/signers.service.ts).
    await registerOperatorSigner(env.env.MURAGAT_DATA_DIR!, env.pki.signers.rsa.certPath);
    const run = await cli(['ingest', tar, '--json', '--sign-key', env.pki.signerP12Path], cliEnv);
    expect(run.code, run.stderr).toBe(0);
    report = JSON.parse(run.stdout) as IngestReport;
  }, 300_000);
  afterAll(async () => env?.close());

  it('signs both dossiers with the operator\'s key; they are stored, not awaiting signature', async () => {
    const show = await cli(['dossier', 'show', report.dossiers[0]!.id!, '--json'], cliEnv);
    expect(show.code, show.stderr).toBe(0);
    const d = JSON.parse(show.stdout) as { status: string; signatures: { kind: string; verdict: string }[] };
    expect(d.status).toBe('stored');
    expect(d.signatures.map((s) => `${s.kind}:${s.verdict}`).sort()).toEqual(['integrity:valid', 'inventory:valid']);
  }, 120_000);

  it('exports so that <out>/<rendition> is the PDF/A', async () => {
    const out = path.join(env.root, 'exported');
    const d = report.dossiers[1]!;
    const run = await cli(['dossier', 'export', d.id!, '--out', out], cliEnv);
    expect(run.code, run.stderr).toBe(0);
    for (const doc of d.documents) expect((await validatePdfA(path.join(out, doc.rendition!))).compliant).toBe(true);
  }, 120_000);

  // Three CLI starts (each opens the catalog and migrates): minutes on a loaded 2-core machine.
  it('verify exits 0 when intact and 1 naming a damaged object', async () => {
    const ok = await cli(['verify', '--all'], cliEnv);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(env.root, 'exported', 'aip-manifest.json'), 'utf8')) as { files: { path: string; sha256: string; role: string }[] };
    const rendition = manifest.files.find((f) => f.role === 'rendition')!;
    // A dossier that may be destroyed stores its documents sealed (docs/destruction.md): the
    // object on disk is the envelope, named by its own digest in the CLI's catalog.
    const catalog = await openCatalog({ databaseUrl: undefined, dataDir: cliEnv.MURAGAT_DATA_DIR! });
    const stored = await storedObjectOf(catalog.db, rendition.sha256).finally(() => catalog.close());
    const victim = { path: rendition.path, sha256: stored.sha256 };
    const file = path.join(env.root, 'primary', 'objects', victim.sha256.slice(0, 2), victim.sha256.slice(2, 4), victim.sha256);
    expect((await stat(file)).isFile()).toBe(true);
    const bytes = await readFile(file);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0x01;
    await chmod(file, 0o644);
    await writeFile(file, bytes);
    const bad = await cli(['verify', '--dossier', report.dossiers[1]!.id!], cliEnv);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(victim.path);
    expect(bad.stdout).toContain(victim.sha256);
    expect(bad.stdout).toContain(report.dossiers[1]!.index!);
  }, 300_000);

  it('refuses a malformed --accept-invalid-signature with exit 2', async () => {
    const run = await cli(['ingest', path.join(env.root, 'cli.tar'), '--accept-invalid-signature', 'no-reason'], cliEnv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no-reason');
  }, 60_000);
});
