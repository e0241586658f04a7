// Cancelling a transfer that is being processed (issue 9): the processor stops in the step it is
// in, its programs are killed (started directly or through the tool-runner helper), its work
// folder is removed, the package stays in the store, the transfer ends `cancelled` with the
// cancel and the stop audited, and the job is not retried. In this process (PGlite and the
// PostgreSQL server) the cancel is signalled at once; a `muragat worker` in another process sees
// the lease's cancel flag with its heartbeat and kills the LibreOffice it is running — the
// cancel then given by `muragat transfer cancel`. A finished transfer cannot be cancelled (409,
// exit 1 on the command line).
import { createHash } from 'node:crypto';
import { readFile, readdir, readlink, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { runProcess } from '../../common/process';
import { cancelTransfer, enqueueTransfer, loadTools, processTransfer, receiveTransfer, type IngestDeps, type IngestTools } from '../../ingest';
import { quarantineDir } from '../../ingest/pipeline/context';
import { runTool as runThroughHelper } from '../../ingest/convert/tool-runner';
import { makeDocx, rawTar, KAZAKH_TEXT } from '../../ingest/transfer/testing/fixtures';
import { testDatabaseKinds } from '../helpers/db';
import { createIngestEnv, type IngestEnv } from '../ingest/helpers';
import { createJobsEnv, killChild, runsByTransfer, spawnCli, textTransfer, waitFor, type Child, type JobsEnv } from './helpers';

/** Processes (any, by /proc) whose arguments or working folder name something under `folder`. */
async function processesUnder(folder: string, minFiles = 0): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    const args = (await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).split('\0');
    const cwd = await readlink(`/proc/${name}/cwd`).catch(() => '');
    const files = args.filter((a) => a.includes(folder)).length;
    if ((files > 0 || cwd.startsWith(folder)) && files >= minFiles) out.push(Number(name));
  }
  return out;
}

const auditOf = (db: IngestDeps['db'], id: string) => db.selectFrom('audit_events').select(['action', 'details']).where('object_id', '=', id).orderBy('id').execute();

for (const kind of testDatabaseKinds()) {
  describe(`cancelling a transfer being processed, in this process [${kind}]`, () => {
    let env: IngestEnv;
    let tools: IngestTools;
    beforeAll(async () => {
      env = await createIngestEnv({ MURAGAT_MALWARE_POLICY: 'accept-with-warning' }, kind);
      tools = await loadTools();
    }, 120_000);
    afterAll(async () => env?.close());

    it('stops the convert step, kills its programs, removes the work folder, keeps the package, ends cancelled once', async () => {
      const content = Buffer.from(`Хат\n${KAZAKH_TEXT.join('\n')}\n`);
      const sha = createHash('sha256').update(content).digest('hex');
      const manifest = {
        schemaVersion: 'muragat.transfer/1',
        transfer: { organisation: { bin: '123456789012', name: 'Ұйым' }, department: { code: '03', name: 'Кадр' }, year: 2025, fonds: '12', createdAt: '2026-01-15T10:00:00Z' },
        dossiers: [{ index: '03-70', title: 'Хаттар', retention: { kind: 'permanent' }, documents: [{ path: '03-70/хат.txt', sha256: sha, size: content.length, title: 'Хат', date: '2025-01-10', language: 'kk' }] }],
      };
      const tar = path.join(env.root, 'cancel-running.tar');
      await writeFile(tar, rawTar([{ name: 'manifest.json', content: JSON.stringify(manifest) }, { name: '03-70/хат.txt', content }]));
      const id = await receiveTransfer(env.deps, { tarPath: tar });

      // A converter that runs like LibreOffice would: long programs working on the transfer's
      // files, one started directly and one through the tool-runner helper.
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const results: Promise<unknown>[] = [];
      const slow: IngestDeps = {
        ...env.deps,
        tools: {
          ...tools,
          createConverter: (options) => ({
            async convertMany(items) {
              const file = items[0]!.path;
              results.push(runProcess('sh', ['-c', 'sleep 300', file], { cwd: options.workDir.replace(/\/convert$/, '') }));
              results.push(runThroughHelper('sh', ['-c', 'sleep 301; echo done', file]));
              await new Promise((r) => setTimeout(r, 300));
              started();
              await Promise.all(results);
              // Killed: what a converter does when its tools die under it.
              return items.map(() => ({ ok: false, method: 'killed', tool: { name: 'sh', version: '0' }, problems: [{ code: 'convert.crashed', message: 'killed' }] }) as never);
            },
            async close() {},
          }),
        },
      };
      const t0 = Date.now();
      const processing = processTransfer(slow, id);
      await running;
      const folder = quarantineDir(env.deps, id);
      expect((await processesUnder(folder)).length).toBeGreaterThanOrEqual(2);
      expect((await env.db.selectFrom('transfers').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('processing');

      const cancelled = await cancelTransfer(env.deps, SYSTEM_ACTOR, id);
      expect(cancelled).toEqual({ transferId: id, status: 'cancelled' });
      const report = await processing;
      // Far sooner than the programs' 300 s.
      expect(Date.now() - t0).toBeLessThan(60_000);
      expect(report.status).toBe('cancelled');
      const killed = await Promise.all(results.map((p) => p.then((r) => r as { signal: string | null; code: number | null }, (e: unknown) => ({ error: String(e) }))));
      for (const r of killed) expect(r).toMatchObject({ signal: 'SIGKILL' });
      expect(await processesUnder(folder)).toEqual([]);
      expect(await stat(folder).catch(() => null)).toBeNull();

      const row = await env.db.selectFrom('transfers').select(['status', 'report']).where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.status).toBe('cancelled');
      // The package is kept in the store as sent.
      const keptAs = (row.report as { rejectedItemsManifest?: string }).rejectedItemsManifest;
      expect(keptAs).toMatch(/^[0-9a-f]{64}$/);
      expect(await env.storage.primary.exists(keptAs!)).toBe(true);
      const events = await auditOf(env.db, id);
      const actions = events.map((e) => e.action);
      expect(actions.filter((a) => a === 'transfer.cancel')).toHaveLength(1);
      expect(actions.filter((a) => a === 'transfer.processing_stop')).toHaveLength(1);
      expect(actions).not.toContain('transfer.fail');
      expect(events.find((e) => e.action === 'transfer.processing_stop')!.details).toMatchObject({ step: 'convert' });
      expect((events.find((e) => e.action === 'transfer.processing_stop')!.details as { killedProcesses: number }).killedProcesses).toBeGreaterThanOrEqual(2);
      // Nothing was stored, the convert step did not commit, and the run is recorded as cancelled.
      expect(await env.db.selectFrom('dossiers').select('id').where('transfer_id', '=', id).execute()).toEqual([]);
      const convert = await env.db.selectFrom('ingest_steps').select('status').where('transfer_id', '=', id).where('step', '=', 'convert').executeTakeFirst();
      expect(convert?.status).not.toBe('done');
      const runs = await env.db.selectFrom('job_runs').select('outcome').where('key', '=', `transfer:${(await env.db.selectFrom('transfers').select('source_sha256').where('id', '=', id).executeTakeFirstOrThrow()).source_sha256}`).execute();
      expect(runs.map((r) => r.outcome)).toEqual(['cancelled']);
      // Cancelling again, or running it again, changes nothing.
      await expect(cancelTransfer(env.deps, SYSTEM_ACTOR, id)).rejects.toMatchObject({ status: 409, code: 'transfer.not_cancellable' });
      expect((await processTransfer(env.deps, id)).status).toBe('cancelled');
    }, 180_000);
  });
}

const onServer = !!process.env.TEST_DATABASE_URL;

describe.skipIf(!onServer)('cancelling a transfer a `muragat worker` is processing, from another process [postgres]', () => {
  let env: JobsEnv;
  const children: Child[] = [];
  beforeAll(async () => {
    env = await createJobsEnv();
  }, 60_000);
  afterAll(async () => {
    for (const c of children) await killChild(c);
    await env?.close();
  });

  it('the worker sees the cancel flag with its heartbeat, kills LibreOffice, cleans up; the job is not retried; cancelling a completed transfer exits 1', async () => {
    // Office documents: enough that LibreOffice is still at work when the worker sees the cancel.
    const files = Array.from({ length: 60 }, (_, i) => ({
      name: `03-71/бұйрық-${i + 1}.docx`,
      content: Buffer.from(makeDocx({ title: `Бұйрық ${i + 1}`, paragraphs: Array.from({ length: 120 }, (_, k) => `${k + 1}. ${KAZAKH_TEXT.join(' ')}`) })),
    }));
    const manifest = {
      schemaVersion: 'muragat.transfer/1',
      transfer: { organisation: { bin: '123456789012', name: 'Ұйым' }, department: { code: '03', name: 'Кадр' }, year: 2025, fonds: '12', createdAt: '2026-01-15T10:00:00Z' },
      dossiers: [{ index: '03-71', title: 'Бұйрықтар', retention: { kind: 'permanent' }, documents: files.map((f, i) => ({ path: f.name, sha256: createHash('sha256').update(f.content).digest('hex'), size: f.content.length, title: `Бұйрық ${i + 1}`, date: '2025-01-10', language: 'kk' })) }],
    };
    const tar = path.join(env.root, 'office.tar');
    await writeFile(tar, rawTar([{ name: 'manifest.json', content: JSON.stringify(manifest) }, ...files]));
    const id = await receiveTransfer(env.deps, { tarPath: tar });
    await enqueueTransfer(env.deps, id);
    const worker = spawnCli(env, ['worker']);
    children.push(worker);
    const folder = quarantineDir(env.deps, id);
    // LibreOffice at work on the large batch of this transfer (tens of files: a minute's work),
    // not on the small first one, which may end between the cancel and the worker's next heartbeat.
    await waitFor('LibreOffice converting the large batch of the transfer', async () => {
      const step = await env.db.selectFrom('ingest_steps').select('status').where('transfer_id', '=', id).where('step', '=', 'convert').executeTakeFirst();
      return step?.status === 'running' && (await processesUnder(folder, 20)).length > 0;
    }, 180_000, 100);

    const cli = spawnCli(env, ['transfer', 'cancel', id, '--json']);
    expect(await cli.exited, cli.output()).toBe(0);
    expect(JSON.parse(cli.output())).toEqual({ transferId: id, status: 'cancelled' });
    const stopped = await waitFor('the worker to stop the cancelled transfer', async () => {
      const events = await auditOf(env.db, id);
      return events.find((e) => e.action === 'transfer.processing_stop');
    }, 60_000, 100).catch((error: unknown) => {
      throw new Error(`${String(error)}; the worker said:\n${worker.output().slice(-3000)}`);
    });
    expect(stopped.details).toMatchObject({ step: 'convert' });
    expect((stopped.details as { killedProcesses: number }).killedProcesses).toBeGreaterThanOrEqual(1);
    await waitFor('no program left on the transfer', async () => (await processesUnder(folder)).length === 0, 10_000, 100);
    expect(await stat(folder).catch(() => null)).toBeNull();
    expect((await env.db.selectFrom('transfers').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('cancelled');
    await waitFor('the run recorded as cancelled', async () => (await runsByTransfer(env.db)).get(id)?.includes('cancelled'), 10_000);
    expect((await runsByTransfer(env.db)).get(id)).toEqual(['cancelled']);

    // The worker goes on with the next transfer: the queue did not retry the cancelled one.
    const next = await receiveTransfer(env.deps, { tarPath: await textTransfer(env.root, 'after-cancel') });
    await enqueueTransfer(env.deps, next);
    await waitFor('the next transfer processed', async () => (await env.db.selectFrom('transfers').select('status').where('id', '=', next).executeTakeFirst())?.status === 'completed', 180_000);
    expect((await runsByTransfer(env.db)).get(id)).toEqual(['cancelled']);
    expect(await env.db.selectFrom('dossiers').select('id').where('transfer_id', '=', id).execute()).toEqual([]);

    // A finished transfer cannot be cancelled (the API's 409): exit 1 with the reason in words.
    const again = spawnCli(env, ['transfer', 'cancel', next]);
    expect(await again.exited).toBe(1);
    expect(again.output()).toContain('completed');
    expect(again.output()).not.toMatch(/at .*\.ts:\d+/);
    expect((await env.db.selectFrom('transfers').select('status').where('id', '=', next).executeTakeFirstOrThrow()).status).toBe('completed');
    worker.proc.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  }, 400_000);
});
