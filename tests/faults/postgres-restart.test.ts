// PostgreSQL "restarts" during an ingest (issue 15). The local server is shared by every
// session on this machine, so the test does not restart the cluster: it does to the worker
// what a restart does to its clients — every connection of the worker (found by its own
// application_name) is terminated with pg_terminate_backend, again and again for a few
// seconds, so reconnecting fails too while the "restart" lasts — and nothing to anyone else.
// (`pg_ctlcluster restart` would also cut the other sessions' test suites and benches.)
// Each transfer must complete once after the outage, with `verify --all` clean and nothing
// half-stored; the worker keeps running or, if it exits, says why and a new one finishes.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { enqueueTransfer, receiveTransfer } from '../../ingest';
import { queueSchema } from '../../jobs';
import { auditCount, createJobsEnv, killChild, runsByTransfer, spawnCli, statuses, textTransfer, waitFor, type Child, type JobsEnv } from '../jobs/helpers';
import { expectStoreSound, expectVerifyAll } from './helpers';

const onServer = !!process.env.TEST_DATABASE_URL;

describe.skipIf(!onServer)('PostgreSQL connections cut during an ingest (a restart, as the worker sees it)', () => {
  let env: JobsEnv;
  const children: Child[] = [];
  const application = `muragat_fault_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    env = await createJobsEnv();
  }, 60_000);
  afterAll(async () => {
    for (const c of children) await killChild(c);
    if (process.env.MURAGAT_TEST_SHOW_WORKERS) for (const c of children) console.log(`--- worker ${c.proc.pid}\n${c.output()}`);
    await env?.close();
  });

  /** A worker whose every connection carries this suite's application_name. */
  function worker(): Child {
    const url = new URL(env.env.DATABASE_URL!);
    url.searchParams.set('application_name', application);
    const c = spawnCli({ ...env, env: { ...env.env, DATABASE_URL: url.toString() } }, ['worker']);
    children.push(c);
    return c;
  }

  /** Terminates every backend of the worker for `ms`, every 100 ms; returns how many were cut. */
  async function outage(ms: number): Promise<number> {
    let cut = 0;
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const r = await sql<{ n: number }>`SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = ${application}`.execute(env.db);
      cut += r.rows[0]?.n ?? 0;
      await new Promise((r) => setTimeout(r, 100));
    }
    return cut;
  }

  /** What a stuck recovery looks like: the queue's jobs, the steps, and the worker's words after the cut connections. */
  async function diagnose(w: Child): Promise<string> {
    const schema = await queueSchema(env.db);
    const jobs = await sql.raw(`SELECT id, key, attempts, max_attempts, locked_by, locked_at, run_at, last_error FROM "${schema}"._private_jobs ORDER BY id`).execute(env.db);
    const steps = await sql`SELECT transfer_id, step, status FROM ingest_steps ORDER BY transfer_id, started_at`.execute(env.db);
    const words = w.output().split('\n').filter((l) => !/57P01|Connection terminated|connection lost|UNLISTEN|notify listener/.test(l));
    return `jobs: ${JSON.stringify(jobs.rows)}\nsteps: ${JSON.stringify(steps.rows)}\nworker (without the cut-connection lines):\n${words.slice(-40).join('\n')}`;
  }

  it('every transfer completes once after the outage; the worker survives it', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const id = await receiveTransfer(env.deps, { tarPath: await textTransfer(env.root, `pg-restart-${i}`, 3) });
      await enqueueTransfer(env.deps, id);
      ids.push(id);
    }
    const w = worker();
    await waitFor('the worker connected and processing a transfer', async () => {
      const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ingest_steps WHERE status = 'done' AND step = 'unpack'`.execute(env.db);
      return (r.rows[0]?.n ?? 0) > 0;
    }, 120_000, 50);
    const cut = await outage(4000);
    expect(cut, 'connections of the worker terminated').toBeGreaterThan(0);
    console.log(`outage: ${cut} connections of the worker cut in 4 s`);
    const finished = async () => {
      const s = await statuses(env.db);
      return ids.every((id) => ['completed', 'failed'].includes(s.get(id) ?? ''));
    };
    const recovered = await waitFor('all transfers finished after the outage', async () => (await finished()) || w.proc.exitCode !== null, 150_000, 250).catch(() => false);
    expect(w.proc.exitCode, `the worker exited after the outage:\n${w.output().slice(-3000)}`).toBeNull();
    // The worker itself must recover: graphile-worker drops a queue worker that could not record
    // the end of its job, and jobs/graphile.ts unlocks that job and starts a fresh runner.
    expect(recovered, `transfers still waiting 150 s after the outage: ${JSON.stringify([...(await statuses(env.db))].filter(([id]) => ids.includes(id)))}\n${await diagnose(w)}`).toBe(true);
    const current: Child = w;
    const s = await statuses(env.db);
    for (const id of ids) expect(s.get(id), `transfer ${id}`).toBe('completed');
    const completes = await auditCount(env.db, 'transfer.complete');
    for (const id of ids) expect(completes.get(id), `transfer.complete of ${id}`).toBe(1);
    // A run's record is closed just after its transfer's status, and a release cut by the outage
    // is written again as the database comes back (jobs/leases.ts): wait for every run to be closed.
    const runs = await waitFor('the runs of the transfers closed', async () => {
      const r = await runsByTransfer(env.db);
      return ids.every((id) => (r.get(id) ?? []).length && !(r.get(id) ?? []).includes('running')) ? r : undefined;
    }, 90_000, 250).catch(async () => runsByTransfer(env.db));
    for (const id of ids) expect(runs.get(id)?.filter((o) => o === 'completed'), `runs of ${id}`).toEqual(['completed']);
    const dossiers = await env.db.selectFrom('dossiers').select(['transfer_id']).where('transfer_id', 'in', ids).execute();
    expect(dossiers).toHaveLength(ids.length);
    await expectStoreSound(path.join(env.root, 'primary'));
    await expectVerifyAll(env);
    current.proc.kill('SIGTERM');
    expect(await current.exited).toBe(0);
  }, 600_000);
});
