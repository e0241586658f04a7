// Transfers as jobs on the PostgreSQL server, with real worker processes
// (`node bin/muragat.js worker`): each transfer processed exactly once by two workers, also when
// one of them is killed (SIGKILL) midway; a killed worker's transfer resumed by another, or
// failed with "worker stopped" once its retry budget is spent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { receiveTransfer, enqueueTransfer, verifyStoredDossiers, buildReport, loadTools } from '../../ingest';
import { jobQueueFor, queueSchema } from '../../jobs';
import { createJobsEnv, textTransfer, spawnCli, waitFor, statuses, auditCount, runsByTransfer, killChild, type JobsEnv, type Child } from './helpers';

const onServer = !!process.env.TEST_DATABASE_URL;

async function receiveAll(env: JobsEnv, prefix: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const tar = await textTransfer(env.root, `${prefix}-${i}`);
    const id = await receiveTransfer(env.deps, { tarPath: tar });
    await enqueueTransfer(env.deps, id);
    ids.push(id);
  }
  return ids;
}

async function allFinished(env: JobsEnv, ids: string[]): Promise<boolean> {
  const s = await statuses(env.db);
  return ids.every((id) => s.get(id) === 'completed' || s.get(id) === 'failed');
}

async function expectAllAcceptedOnce(env: JobsEnv, ids: string[]): Promise<void> {
  const s = await statuses(env.db);
  for (const id of ids) expect(s.get(id), `transfer ${id}`).toBe('completed');
  const completes = await auditCount(env.db, 'transfer.complete');
  for (const id of ids) expect(completes.get(id), `transfer.complete events of ${id}`).toBe(1);
  for (const id of ids) {
    const report = await buildReport(env.deps, id);
    expect(report.dossiers.flatMap((d) => d.documents.map((doc) => doc.status))).toEqual(['accepted', 'accepted']);
  }
  // Each dossier stored once: one catalog row per transfer.
  const dossiers = await env.db.selectFrom('dossiers').select(['transfer_id', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('transfer_id').execute();
  for (const d of dossiers) expect(Number(d.n)).toBe(1);
  const verify = await verifyStoredDossiers({ db: env.db, storage: env.storage, trustDir: env.config.trustDir, tools: await loadTools() });
  expect(verify.ok, JSON.stringify(verify.dossiers.filter((d) => !(d as { ok?: boolean }).ok).slice(0, 2))).toBe(true);
}

describe.skipIf(!onServer)('transfers as jobs on the PostgreSQL server', () => {
  let env: JobsEnv;
  const children: Child[] = [];
  const worker = () => {
    const c = spawnCli(env, ['worker']);
    children.push(c);
    return c;
  };

  beforeAll(async () => {
    env = await createJobsEnv();
  }, 60_000);
  afterAll(async () => {
    for (const c of children) await killChild(c);
    // What the workers said, for a failing run.
    if (process.env.MURAGAT_TEST_SHOW_WORKERS) for (const c of children) console.log(`--- worker ${c.proc.pid}\n${c.output()}`);
    await env?.close();
  });

  // Issue 15's acceptance: two workers and 20 transfers.
  it('two workers and twenty transfers: each processed exactly once, all accepted', async () => {
    const ids = await receiveAll(env, 'twenty', 20);
    const a = worker();
    const b = worker();
    await waitFor('twenty transfers finished', () => allFinished(env, ids), 400_000);
    await expectAllAcceptedOnce(env, ids);
    const runs = await runsByTransfer(env.db);
    // Exactly one run completed each transfer. (A heartbeat late on a loaded machine may make a
    // live worker look dead; its run then stops at the fence and is recorded, never completed.)
    for (const id of ids) expect(runs.get(id)?.filter((o) => o === 'completed'), `runs of ${id}`).toEqual(['completed']);
    console.log(`two workers: ${[...runs.values()].flat().length} runs for ${ids.length} transfers`);
    // Both workers took part (the queue spread the work).
    const owners = await sql<{ owner: string }>`SELECT DISTINCT owner FROM job_runs`.execute(env.db);
    expect(owners.rows.length).toBe(2);
    a.proc.kill('SIGTERM');
    b.proc.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
  }, 600_000);

  it('the same with one worker killed midway: its transfer is taken over, nothing done twice', async () => {
    const ids = await receiveAll(env, 'kill', 20);
    const a = worker();
    const b = worker();
    // Kill A while it holds a transfer and has finished some of its steps. (Not waiting for its
    // progress too: that is written with the next heartbeat, and on an idle machine a small
    // transfer is done before one comes.)
    const victim = await waitFor('worker A midway through a transfer', async () => {
      const r = await sql<{ key: string }>`
        SELECT l.key FROM job_leases l JOIN transfers t ON l.key = 'transfer:' || t.source_sha256
         WHERE l.owner LIKE ${`%:${a.proc.pid}:%`}
           AND EXISTS (SELECT 1 FROM ingest_steps s WHERE s.transfer_id = t.id AND s.step = 'identify' AND s.status = 'done')`.execute(env.db);
      return r.rows[0]?.key;
    }, 60_000, 50);
    await killChild(a);
    const started = Date.now();
    await waitFor('all transfers finished after the kill', () => allFinished(env, ids), 400_000);
    await expectAllAcceptedOnce(env, ids);
    const runs = await runsByTransfer(env.db);
    const killedId = (await env.db.selectFrom('transfers').select('id').where(sql<string>`'transfer:' || source_sha256`, '=', victim).executeTakeFirstOrThrow()).id;
    expect(runs.get(killedId)?.[0]).toBe('abandoned');
    for (const id of ids) expect(runs.get(id)?.filter((o) => o === 'completed'), `runs of ${id}`).toEqual(['completed']);
    const takeovers = await auditCount(env.db, 'job.takeover');
    expect(takeovers.get(killedId)).toBeGreaterThanOrEqual(1);
    // Steps done before the kill were not redone by the successor.
    const identify = await env.db.selectFrom('ingest_steps').select('attempt').where('transfer_id', '=', killedId).where('step', '=', 'identify').executeTakeFirstOrThrow();
    expect(identify.attempt).toBe(1);
    console.log(`worker killed: ${ids.length} transfers finished ${((Date.now() - started) / 1000).toFixed(1)} s after the kill`);
    b.proc.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  }, 600_000);

  it('`muragat worker --once` processes what is waiting and exits', async () => {
    const ids = await receiveAll(env, 'once', 2);
    // Only transfers are counted: a worker also keeps the recurring fixity batch and package
    // sweep on the queue (due later), which are not "waiting" work.
    const transfersQueued = async () => (await jobQueueFor(env.deps).depth())['ingest.transfer'] ?? 0;
    expect(await transfersQueued()).toBe(2);
    const once = spawnCli(env, ['worker', '--once']);
    children.push(once);
    expect(await once.exited, once.output()).toBe(0);
    await expectAllAcceptedOnce(env, ids);
    expect(await env.db.selectFrom('job_workers').select('id').execute()).toEqual([]);
    expect(await transfersQueued()).toBe(0);
  }, 400_000);

  it('a killed worker’s transfer is resumed by a worker started later', async () => {
    const [id] = await receiveAll(env, 'resume', 1);
    const a = worker();
    await waitFor('worker A past identify', async () => {
      const r = await env.db.selectFrom('ingest_steps').select('step').where('transfer_id', '=', id!).where('step', '=', 'identify').where('status', '=', 'done').executeTakeFirst();
      return r?.step;
    }, 60_000, 50);
    await killChild(a);
    expect((await statuses(env.db)).get(id!)).toBe('processing');
    const b = worker();
    await waitFor('resumed transfer finished', () => allFinished(env, [id!]), 90_000);
    await expectAllAcceptedOnce(env, [id!]);
    const runs = (await runsByTransfer(env.db)).get(id!) ?? [];
    expect(runs[0]).toBe('abandoned');
    expect(runs.filter((o) => o === 'completed')).toEqual(['completed']);
    b.proc.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  }, 400_000);

  it('a killed worker’s transfer with its retry budget spent fails with "worker stopped"', async () => {
    const [id] = await receiveAll(env, 'spent', 1);
    const a = worker();
    await waitFor('worker A holding the transfer', async () => {
      const r = await env.db.selectFrom('ingest_steps').select('step').where('transfer_id', '=', id!).where('step', '=', 'unpack').where('status', '=', 'done').executeTakeFirst();
      return r?.step;
    }, 60_000, 50);
    await killChild(a);
    // As if this had been the last try: the queue's budget for the job is used up.
    const schema = await queueSchema(env.db);
    await sql.raw(`UPDATE "${schema}"._private_jobs SET max_attempts = attempts WHERE key = 'transfer:${id}'`).execute(env.db);
    const b = worker();
    // Generous: a loaded machine starts a worker slowly, and the watchdog waits out the stale time.
    await waitFor('transfer failed by the watchdog', () => allFinished(env, [id!]), 150_000).catch(async (error: Error) => {
      throw new Error(`${error.message} (status ${(await statuses(env.db)).get(id!)})\n--- worker B\n${b.output().slice(-3000)}`);
    });
    const row = await env.db.selectFrom('transfers').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    const problems = row.problems as { code: string; message: string }[];
    expect(problems[0]?.code).toBe('jobs.worker_stopped');
    expect(problems[0]?.message).toMatch(/worker processing this transfer stopped/);
    const fails = await auditCount(env.db, 'transfer.fail');
    expect(fails.get(id!)).toBe(1);
    b.proc.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  }, 400_000);
});
