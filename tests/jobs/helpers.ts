// Set-up for the job tests on the PostgreSQL server: a per-suite schema (tests/helpers/db.ts),
// a data folder, small text-only transfer packages (fast to convert), worker child processes
// (`node bin/muragat.js worker`) and waits on what the catalog says.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { parseConfig, type Config } from '../../common/config';
import { openStorage, type Storage } from '../../storage';
import { manifestTransferTar, type ManifestTarFile } from '../../ingest/transfer/testing/fixtures';
import type { IngestDeps } from '../../ingest';
import { closeJobQueue } from '../../jobs';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface JobsEnv {
  root: string;
  config: Config;
  storage: Storage;
  db: TestDatabase['db'];
  deps: IngestDeps;
  /** Environment of worker and CLI child processes. */
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** A catalog in its own schema on the server; the queue's tables go into the same schema. */
export async function createJobsEnv(extra: Record<string, string> = {}): Promise<JobsEnv> {
  const root = await mkdtemp(path.join(tmpdir(), 'muragat-jobs-'));
  const database = await createTestDatabase('postgres', { ownDatabase: true });
  const vars: Record<string, string> = {
    DATABASE_URL: database.url!,
    MURAGAT_DATA_DIR: path.join(root, 'data'),
    MURAGAT_STORAGE: `file:${path.join(root, 'primary')}`,
    MURAGAT_TRUST_DIR: path.join(root, 'trust'),
    // No ClamAV database on test machines: the policy lets unscanned text files in, with a warning.
    MURAGAT_MALWARE_POLICY: 'accept-with-warning',
    // A dead worker is noticed after 10 s instead of 30 s (shorter makes a loaded machine's
    // late heartbeats look like deaths).
    MURAGAT_JOB_STALE_SECONDS: '10',
    MURAGAT_LANG: 'en',
    LOG_LEVEL: 'warn',
    ...extra,
  };
  const config = parseConfig(vars);
  const storage = openStorage(config);
  const deps: IngestDeps = { db: database.db, storage, config };
  return {
    root,
    config,
    storage,
    db: database.db,
    deps,
    env: { ...process.env, ...vars, VITEST: undefined, VITEST_POOL_ID: undefined, VITEST_WORKER_ID: undefined },
    async close() {
      await closeJobQueue(database.db);
      await database.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

let dossierNumber = 0;

/**
 * A small transfer: `count` text documents in one dossier, unique to `seed`. Each gets its own
 * case index: a department's case index is unique within a year.
 */
export async function textTransfer(dir: string, seed: string, count = 2): Promise<string> {
  const index = `03-${String(++dossierNumber).padStart(3, '0')}`;
  const files = Array.from({ length: count }, (_, i) => ({
    name: `хат-${i + 1}.txt`,
    content: Buffer.from(`Хат ${seed}/${i + 1}. Қазақстан Республикасы, мұрағат тапсыруы.\nПисьмо ${seed}/${i + 1}: текст документа.\n`),
    title: `Хат ${i + 1}`,
    language: 'kk' as const,
  }));
  return writeTransferTar(dir, seed, { index, title: `Хаттар ${seed}` }, files);
}

export type TransferFile = ManifestTarFile;

/**
 * `transfer-<seed>.tar` in `dir`: a manifest (organisation, department 03, 2025) and one
 * permanent dossier `index` holding `files`, each dated 2025-01-10.
 */
export async function writeTransferTar(dir: string, seed: string, dossier: { index: string; title: string }, files: TransferFile[]): Promise<string> {
  const transfer = { organisation: { bin: '123456789012', name: 'Ұйым' }, department: { code: '03', name: 'Кадр' }, compiledBy: { name: 'Әбенова Г. С.', position: 'іс жүргізуші' } };
  const tar = path.join(dir, `transfer-${seed}.tar`);
  await writeFile(tar, manifestTransferTar(transfer, [{ ...dossier, retention: { kind: 'permanent' }, files }]));
  return tar;
}

export interface Child {
  proc: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** `node bin/muragat.js <args>` with the suite's environment. */
export function spawnCli(env: JobsEnv, args: string[]): Child {
  const proc = spawn(process.execPath, [path.join(ROOT, 'bin', 'muragat.js'), ...args], { cwd: ROOT, env: env.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false | null>, timeoutMs = 240_000, pollMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export async function statuses(db: TestDatabase['db']): Promise<Map<string, string>> {
  const rows = await db.selectFrom('transfers').select(['id', 'status']).execute();
  return new Map(rows.map((r) => [r.id, r.status]));
}

/** Audit events of one action per transfer id. */
export async function auditCount(db: TestDatabase['db'], action: string): Promise<Map<string, number>> {
  const rows = await db.selectFrom('audit_events').select(['object_id', (eb) => eb.fn.countAll<string>().as('n')]).where('action', '=', action).groupBy('object_id').execute();
  return new Map(rows.map((r) => [String(r.object_id), Number(r.n)]));
}

/** Processing runs per transfer (job_runs keyed by the package hash), by outcome. */
export async function runsByTransfer(db: TestDatabase['db']): Promise<Map<string, string[]>> {
  const rows = await sql<{ id: string; outcome: string | null }>`
    SELECT t.id, r.outcome FROM job_runs r JOIN transfers t ON r.key = 'transfer:' || t.source_sha256 ORDER BY r.started_at`.execute(db);
  const out = new Map<string, string[]>();
  for (const r of rows.rows) out.set(r.id, [...(out.get(r.id) ?? []), r.outcome ?? 'running']);
  return out;
}

export async function killChild(child: Child): Promise<void> {
  if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
  await child.exited;
}

/** An ingest on a fresh in-memory PGlite catalog and one storage location in a temp folder. */
export async function createPgliteIngest(prefix: string): Promise<{ root: string; deps: IngestDeps; close(): Promise<void> }> {
  const root = await mkdtemp(path.join(tmpdir(), prefix));
  const database = await createTestDatabase('pglite');
  const config = parseConfig({ MURAGAT_DATA_DIR: path.join(root, 'data'), MURAGAT_STORAGE: `file:${path.join(root, 'primary')}`, MURAGAT_MALWARE_POLICY: 'accept-with-warning', LOG_LEVEL: 'silent' });
  return {
    root,
    deps: { db: database.db, storage: openStorage(config), config },
    async close() {
      await database.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
