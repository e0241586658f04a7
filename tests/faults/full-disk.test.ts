// A full disk during a store (issue 15), on the PostgreSQL server with a real worker process.
// The primary storage location is a small tmpfs (mounted by the test: root only; without the
// right to mount, the suite is skipped and says so) nearly filled by a ballast file, so the
// AIP's objects meet ENOSPC part-way through the store step. What must hold:
// - while the disk is full the store fails, its temp files are removed and no partial object is
//   ever visible; the job is retried with backoff (a system fault, not the sender's);
// - after recovery (the ballast removed) the retry stores the AIP and the transfer completes
//   once, `verify --all` clean;
// - the reason recorded is storage.no_space, which names the full location in every language
//   (found: it was the raw "Error: ENOSPC: no space left on device, write"); when the tries are
//   spent the transfer fails with the last reason (tests/jobs/workers.test.ts covers that path).
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { LANGUAGES, t } from '../../common/i18n';
import { enqueueTransfer, receiveTransfer } from '../../ingest';
import { auditCount, createJobsEnv, killChild, spawnCli, statuses, waitFor, type Child, type JobsEnv } from '../jobs/helpers';
import { documentsOf, expectStoreSound, expectVerifyAll, officeTransfer, removeQuietly } from './helpers';

const onServer = !!process.env.TEST_DATABASE_URL;

/** Mounts a tmpfs of `bytes` at `dir`; false when this process may not mount. */
function mountTmpfs(dir: string, bytes: number): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** Fills the file system of `dir` up to `leave` free bytes with one ballast file. */
async function fill(dir: string, leave: number): Promise<string> {
  const ballast = path.join(dir, 'ballast');
  const free = Number(execFileSync('df', ['-B1', '--output=avail', dir], { encoding: 'utf8' }).trim().split('\n').pop());
  const handle = await open(ballast, 'w');
  try {
    await handle.write(Buffer.alloc(Math.max(0, free - leave), 0x55));
  } finally {
    await handle.close();
  }
  return ballast;
}

const canMount = (() => {
  if (!onServer || process.getuid?.() !== 0) return false;
  return true;
})();

describe.skipIf(!canMount)('a full disk during a store, on the PostgreSQL server (tmpfs primary location)', () => {
  let env: JobsEnv;
  let dir: string;
  let disk: string;
  let mounted = false;
  const children: Child[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'muragat-fault-disk-'));
    disk = path.join(dir, 'disk');
    await mkdir(disk);
    mounted = mountTmpfs(disk, 4 * 1024 * 1024);
    if (!mounted) console.log('full disk: this process may not mount a tmpfs; the test does not run');
    env = await createJobsEnv({ MURAGAT_STORAGE: `file:${path.join(disk, 'primary')},file:${path.join(dir, 'replica')}` });
  }, 60_000);
  afterAll(async () => {
    for (const c of children) await killChild(c);
    if (process.env.MURAGAT_TEST_SHOW_WORKERS) for (const c of children) console.log(`--- worker ${c.proc.pid}\n${c.output()}`);
    await env?.close();
    if (mounted) execFileSync('umount', ['-l', disk]);
    await removeQuietly(dir);
  });

  const worker = () => {
    const c = spawnCli(env, ['worker']);
    children.push(c);
    return c;
  };

  async function receiveBig(seed: string): Promise<string> {
    // About 200 kB of originals plus their renditions: more than the space left.
    const id = await receiveTransfer(env.deps, { tarPath: await officeTransfer(env.root, seed, { office: 0, texts: 2, textBytes: 100_000 }) });
    return id;
  }

  const storeRuns = (id: string) =>
    sql<{ outcome: string | null; error: string | null }>`SELECT r.outcome, r.error FROM job_runs r JOIN transfers t ON r.key = 'transfer:' || t.source_sha256 WHERE t.id = ${id} ORDER BY r.started_at`.execute(env.db);

  it('the store meets ENOSPC, is retried, and completes once space is freed', async () => {
    if (!mounted) return;
    // The store location exists (and its folders) before the disk is full.
    await mkdir(path.join(disk, 'primary'), { recursive: true });
    const ballast = await fill(disk, 150 * 1024);
    const id = await receiveBig('disk-recover');
    await enqueueTransfer(env.deps, id);
    const w = worker();
    await waitFor('a try that failed on the full disk', async () => (await storeRuns(id)).rows.some((r) => r.outcome === 'failed' && /no_space|ENOSPC/.test(r.error ?? '')), 180_000, 200);
    const failed = (await storeRuns(id)).rows.find((r) => r.outcome === 'failed' && /no_space|ENOSPC/.test(r.error ?? ''))!;
    console.log(`full disk: the failed try says ${failed.error}`);
    expect(failed.error ?? '').toMatch(/storage\.no_space/);
    // The reason a person reads (the transfer's failure when the tries are spent) names the full
    // location in every language. (Found: it was the raw "Error: ENOSPC: no space left on device".)
    for (const lang of LANGUAGES) {
      const said = t(lang, 'errors.storage_no_space', { location: `file:${path.join(disk, 'primary')}` });
      console.log(`full disk [${lang}]: ${said}`);
      expect(said).toContain(path.join(disk, 'primary'));
      expect(said).toMatch(/full|толып|заполнено/);
    }
    // Nothing half-stored while the disk is full: no temp file left, every object whole.
    await expectStoreSound(path.join(disk, 'primary'));
    expect(await sql<{ n: number }>`SELECT count(*)::int AS n FROM dossiers WHERE transfer_id = ${id}`.execute(env.db).then((r) => r.rows[0]!.n)).toBe(0);
    // Recovery: space comes back before the next try (backoff 3 s, 7 s, …).
    await rm(ballast);
    await waitFor('the transfer completed after the space came back', async () => ['completed', 'failed'].includes((await statuses(env.db)).get(id) ?? ''), 180_000, 250);
    expect((await statuses(env.db)).get(id)).toBe('completed');
    expect((await auditCount(env.db, 'transfer.complete')).get(id)).toBe(1);
    const docs = await documentsOf(env, id);
    expect(docs.map((d) => d.status)).toEqual(['accepted', 'accepted']);
    await expectStoreSound(path.join(disk, 'primary'));
    await expectStoreSound(path.join(dir, 'replica'));
    await expectVerifyAll(env);
    w.proc.kill('SIGTERM');
    expect(await w.exited).toBe(0);
  }, 400_000);
});
