// Two `muragat ingest` of the same package at once (issue #9: once stored four valid documents
// as "damaged or unreadable", once failed a valid package with "no manifest.json at its root").
// One processes it, the other waits and answers with the same report; nothing is done twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { runIngest, type IngestDeps, type IngestReport } from '../../ingest';
import { createJobsEnv, createPgliteIngest, textTransfer, spawnCli, auditCount, runsByTransfer, type JobsEnv } from './helpers';

const onServer = !!process.env.TEST_DATABASE_URL;

function statusesOf(report: IngestReport): string[] {
  return report.dossiers.flatMap((d) => d.documents.map((doc) => doc.status));
}

describe.skipIf(!onServer)('two concurrent `muragat ingest` of one package [postgres]', () => {
  let env: JobsEnv;
  beforeAll(async () => {
    env = await createJobsEnv();
  }, 60_000);
  afterAll(async () => env?.close());

  for (const round of [1, 2]) {
    it(`processes it once and gives both the same report (round ${round})`, async () => {
      const tar = await textTransfer(env.root, `same-${round}`, 4);
      const a = spawnCli(env, ['ingest', tar, '--json']);
      const b = spawnCli(env, ['ingest', tar, '--json']);
      const [codeA, codeB] = await Promise.all([a.exited, b.exited]);
      expect(codeA, a.output()).toBe(0);
      expect(codeB, b.output()).toBe(0);
      const json = (out: string) => JSON.parse(out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1)) as IngestReport;
      const ra = json(a.output().split('\n').filter((l) => !l.startsWith('muragat:')).join('\n'));
      const rb = json(b.output().split('\n').filter((l) => !l.startsWith('muragat:')).join('\n'));
      expect(ra.transfer).toBe(rb.transfer);
      expect(statusesOf(ra)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
      expect(statusesOf(rb)).toEqual(statusesOf(ra));
      // One of them said it waited for the other.
      expect(`${a.output()}${b.output()}`).toMatch(/already being processed/);
      expect((await auditCount(env.db, 'transfer.complete')).get(ra.transfer)).toBe(1);
      expect((await runsByTransfer(env.db)).get(ra.transfer)?.filter((o) => o === 'completed')).toEqual(['completed']);
      const dossiers = await env.db.selectFrom('dossiers').select('id').where('transfer_id', '=', ra.transfer).execute();
      expect(dossiers).toHaveLength(1);
      // Nothing left behind in quarantine: the claim folders went with the completed transfer.
      expect(await readdir(path.join(env.config.dataDir, 'quarantine')).catch(() => [])).not.toContain(ra.transfer);
    }, 300_000);
  }
});

describe('two concurrent ingests of one package in one process [pglite]', () => {
  let root: string;
  let deps: IngestDeps;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ root, deps, close } = await createPgliteIngest('muragat-jobs-pglite-'));
  }, 60_000);
  afterAll(async () => {
    await close?.();
  });

  it('runs the pipeline once; the second waits and returns the same report', async () => {
    const tar = await textTransfer(root, 'pglite', 4);
    let busy = 0;
    const [a, b] = await Promise.all([runIngest(deps, { tarPath: tar, onBusy: () => busy++ }), runIngest(deps, { tarPath: tar, onBusy: () => busy++ })]);
    expect(a.transfer).toBe(b.transfer);
    expect(statusesOf(a)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    expect(statusesOf(b)).toEqual(statusesOf(a));
    expect(busy).toBe(1);
    const steps = await deps.db.selectFrom('ingest_steps').select(['step', 'attempt']).where('transfer_id', '=', a.transfer).execute();
    expect(steps.every((s) => s.attempt === 1)).toBe(true);
    const completes = await deps.db.selectFrom('audit_events').select('id').where('action', '=', 'transfer.complete').where('object_id', '=', a.transfer).execute();
    expect(completes).toHaveLength(1);
  }, 120_000);
});
