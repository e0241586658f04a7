// Crash-resume: the CLI ingest is killed with SIGKILL at durable points and at an arbitrary
// moment, then run again; the result must equal an uninterrupted run, with no duplicate
// rows and every stored object verifying.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../common/config';
import { openCatalog } from '../../database/open';
import type { IngestReport } from '../../ingest';
import { createIngestEnv, buildFixtureTransfer, type IngestEnv } from './helpers';
import { registerOperatorSigner } from '../server/signers-fixtures';

const root = path.resolve(import.meta.dirname, '../..');

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function cli(args: string[], env: Record<string, string>, killAfterMs?: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/muragat.js'), ...args], { cwd: root, env: { ...process.env, ...env, VITEST: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = killAfterMs ? setTimeout(() => child.kill('SIGKILL'), killAfterMs) : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Ids differ between data folders; everything else must be identical. */
function normalise(report: IngestReport): unknown {
  return { ...report, transfer: 'T', dossiers: report.dossiers.map((d) => ({ ...d, id: d.id ? 'D' : null })) };
}

async function counts(env: Record<string, string>) {
  const catalog = await openCatalog(parseConfig(env));
  try {
    const n = async (table: 'transfers' | 'documents' | 'dossiers' | 'dossier_documents' | 'dossier_signatures') =>
      Number((await catalog.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    return { transfers: await n('transfers'), documents: await n('documents'), dossiers: await n('dossiers'), dossierDocuments: await n('dossier_documents'), signatures: await n('dossier_signatures') };
  } finally {
    await catalog.close();
  }
}

describe('ingest crash-resume', () => {
  let env: IngestEnv;
  let tar: string;
  let reference: { report: unknown; counts: Awaited<ReturnType<typeof counts>> };
  const dataEnv = async (name: string) => {
    const dir = path.join(env.root, name);
    await mkdir(dir, { recursive: true });
    // The operator's key signs as a registered signer only (accounts/signers.service.ts).
    await registerOperatorSigner(path.join(dir, 'data'), env.pki.signers.rsa.certPath);
    return {
      ...env.env,
      MURAGAT_DATA_DIR: path.join(dir, 'data'),
      MURAGAT_STORAGE: `file:${path.join(dir, 'primary')},file:${path.join(dir, 'replica')}`,
      MURAGAT_SIGN_KEY_PASSWORD: env.pki.password,
      MURAGAT_LANG: 'en',
    };
  };
  const ingestArgs = () => ['ingest', tar, '--json', '--sign-key', env.pki.signerP12Path];

  beforeAll(async () => {
    env = await createIngestEnv({ MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    tar = await buildFixtureTransfer(env, 'crash');
    const e = await dataEnv('reference');
    const run = await cli(ingestArgs(), e);
    expect(run.code, run.stderr).toBe(0);
    reference = { report: normalise(JSON.parse(run.stdout) as IngestReport), counts: await counts(e) };
    expect(reference.counts).toMatchObject({ transfers: 1, dossiers: 2, dossierDocuments: 6, signatures: 4 });
  }, 600_000);
  afterAll(async () => env?.close());

  const resumeAndCompare = async (e: Record<string, string>) => {
    const again = await cli(ingestArgs(), e);
    expect(again.code, again.stderr).toBe(0);
    expect(normalise(JSON.parse(again.stdout) as IngestReport)).toEqual(reference.report);
    expect(await counts(e)).toEqual(reference.counts);
    const verify = await cli(['verify', '--all', '--json'], e);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  };

  it.each(['manifest', 'convert', 'store'])('killed after the %s step, a re-run completes the same', async (step) => {
    const e = await dataEnv(`after-${step}`);
    const crashed = await cli(ingestArgs(), { ...e, MURAGAT_TEST_CRASH_AFTER_STEP: step });
    expect(crashed.signal).toBe('SIGKILL');
    await resumeAndCompare(e);
  }, 600_000);

  it('killed at an arbitrary moment inside a step, a re-run completes the same', async () => {
    const e = await dataEnv('timed');
    const crashed = await cli(ingestArgs(), e, 9_000);
    expect(crashed.signal === 'SIGKILL' || crashed.code === 0).toBe(true);
    await resumeAndCompare(e);
  }, 600_000);
});
