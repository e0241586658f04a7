// kill -9 of a worker mid-conversion and mid-store (issue 15), on the PostgreSQL server with real
// worker processes (`node bin/muragat.js worker`). Mid-conversion is caught deterministically:
// the fake LibreOffice (tests/faults/helpers.ts) is slow and logs its call, and the worker is
// killed while soffice runs. Mid-store is caught by freezing the worker (SIGSTOP) as soon as
// its store step is running and, frozen, checking that the step had not finished, then killing
// it. Another worker takes the transfer over after the lease goes stale: the transfer completes
// once, every document accepted, the steps done before the kill are not redone, the three
// storage locations hold no object that does not hash to its name, and `verify --all` is clean.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { enqueueTransfer, receiveTransfer } from '../../ingest';
import { auditCount, createJobsEnv, killChild, runsByTransfer, spawnCli, statuses, waitFor, type Child, type JobsEnv } from '../jobs/helpers';
import { documentsOf, expectStoreSound, expectVerifyAll, fakeOffice, officeTransfer, removeQuietly, type FakeOffice } from './helpers';

const onServer = !!process.env.TEST_DATABASE_URL;

describe.skipIf(!onServer)('kill -9 of a worker mid-conversion and mid-store, on the PostgreSQL server', () => {
  let env: JobsEnv;
  let office: FakeOffice;
  let dir: string;
  const children: Child[] = [];
  const locations = () => ['primary', 'replica-1', 'replica-2'].map((l) => path.join(dir, l));
  const worker = () => {
    const c = spawnCli(env, ['worker']);
    children.push(c);
    return c;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'muragat-fault-kill-'));
    office = await fakeOffice(dir);
    env = await createJobsEnv({ SOFFICE_BIN: office.bin, MURAGAT_STORAGE: locations().map((l) => `file:${l}`).join(',') });
  }, 60_000);
  afterAll(async () => {
    for (const c of children) await killChild(c);
    if (process.env.MURAGAT_TEST_SHOW_WORKERS) for (const c of children) console.log(`--- worker ${c.proc.pid}\n${c.output()}`);
    await office?.cleanup();
    await env?.close();
    await removeQuietly(dir);
  });

  async function receive(seed: string, counts: Parameters<typeof officeTransfer>[2]): Promise<string> {
    const id = await receiveTransfer(env.deps, { tarPath: await officeTransfer(env.root, seed, counts) });
    await enqueueTransfer(env.deps, id);
    return id;
  }

  const stepStatus = async (id: string, step: string) =>
    (await env.db.selectFrom('ingest_steps').select(['status', 'attempt']).where('transfer_id', '=', id).where('step', '=', step).executeTakeFirst()) ?? null;

  async function expectTakenOverOnce(id: string, documents: number): Promise<void> {
    const b = worker();
    await waitFor('the transfer finished by the second worker', async () => ['completed', 'failed'].includes((await statuses(env.db)).get(id) ?? ''), 150_000, 250).catch((error: unknown) => {
      throw new Error(`${String(error)}; the second worker said:\n${b.output().slice(-4000)}`);
    });
    expect((await statuses(env.db)).get(id)).toBe('completed');
    expect((await auditCount(env.db, 'transfer.complete')).get(id)).toBe(1);
    // The run rows are closed just after the transfer's status: wait for both ends to be written.
    const runs = await waitFor('the runs of the transfer closed', async () => {
      const r = (await runsByTransfer(env.db)).get(id) ?? [];
      return r.length && !r.includes('running') ? r : undefined;
    }, 60_000, 200);
    expect(runs[0]).toBe('abandoned');
    expect(runs.filter((o) => o === 'completed')).toEqual(['completed']);
    expect((await auditCount(env.db, 'job.takeover')).get(id)).toBeGreaterThanOrEqual(1);
    const docs = await documentsOf(env, id);
    expect(docs.map((d) => d.status), JSON.stringify(docs.map((d) => d.problems))).toEqual(Array(documents).fill('accepted'));
    const dossiers = await env.db.selectFrom('dossiers').select('id').where('transfer_id', '=', id).execute();
    expect(dossiers).toHaveLength(1);
    // Whatever the killed worker was writing never became a visible object in any location.
    const tmpLeft: number[] = [];
    for (const l of locations()) tmpLeft.push((await expectStoreSound(l, { allowTmp: true })).tmp);
    console.log(`temp files a killed worker left in the three locations' tmp/: ${tmpLeft.join(', ')}`);
    await expectVerifyAll(env);
    b.proc.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  }

  it('killed while LibreOffice converts: another worker converts and stores it, steps before the kill not redone', async () => {
    await office.mode('slow');
    const id = await receive('kill-convert', { office: 1, texts: 2 });
    const a = worker();
    await waitFor('worker A inside the conversion (soffice called)', async () => (await office.calls()) > 0, 120_000, 50);
    expect((await stepStatus(id, 'convert'))?.status).toBe('running');
    await killChild(a);
    await office.mode('ok');
    await expectTakenOverOnce(id, 3);
    expect((await stepStatus(id, 'identify'))?.attempt).toBe(1);
    expect((await stepStatus(id, 'convert'))?.attempt).toBe(2);
  }, 300_000);

  it('killed while the store step writes the AIP to three locations: the successor stores it whole, once', async () => {
    await office.mode('ok');
    // Several documents of some size, so that storing them takes long enough to be caught.
    const id = await receive('kill-store', { office: 1, texts: 8, textBytes: 40_000 });
    const a = worker();
    await waitFor('worker A storing', async () => (await stepStatus(id, 'store'))?.status === 'running', 240_000, 10);
    a.proc.kill('SIGSTOP');
    const frozen = await stepStatus(id, 'store');
    const objects = (await expectStoreSound(locations()[0]!, { allowTmp: true })).objects;
    await killChild(a);
    expect(frozen?.status, 'the store step was still running when the worker died').toBe('running');
    console.log(`killed mid-store with ${objects} objects in the primary location`);
    const indexed = await sql<{ n: number }>`SELECT count(*)::int AS n FROM dossiers WHERE transfer_id = ${id}`.execute(env.db);
    // The catalog names no dossier before its AIP is whole.
    expect(indexed.rows[0]!.n).toBe(0);
    await expectTakenOverOnce(id, 9);
    expect((await stepStatus(id, 'convert'))?.attempt).toBe(1);
    expect((await stepStatus(id, 'store'))?.attempt).toBe(2);
  }, 400_000);
});
