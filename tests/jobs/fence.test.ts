// A processor that lost its transfer's lease (declared dead while merely stalled) cannot commit
// another step: the step's transaction checks the lease (state.ts stepFence).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { receiveTransfer, processTransfer, type IngestDeps } from '../../ingest';
import { LeaseLostError } from '../../jobs';
import { createPgliteIngest, textTransfer } from './helpers';

describe('step fence [pglite]', () => {
  let root: string;
  let deps: IngestDeps;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ root, deps, close } = await createPgliteIngest('muragat-fence-'));
  }, 60_000);
  afterAll(async () => {
    await close?.();
  });

  it('stops a run whose lease was taken over before it commits its next step, then resumes cleanly', async () => {
    const id = await receiveTransfer(deps, { tarPath: await textTransfer(root, 'fence') });
    let stolen: Promise<unknown> | undefined;
    const run = processTransfer(deps, id, {
      attempt: 1,
      afterStep: (step) => {
        // Another worker takes the transfer over right after the unpack step is committed.
        if (step === 'unpack') stolen = sql`UPDATE job_leases SET token = gen_random_uuid(), owner = 'elsewhere:1:x'`.execute(deps.db);
      },
    });
    await expect(run).rejects.toBeInstanceOf(LeaseLostError);
    await stolen;
    const steps = await deps.db.selectFrom('ingest_steps').select(['step', 'status']).where('transfer_id', '=', id).execute();
    expect(steps.filter((s) => s.status === 'done').map((s) => s.step)).toEqual(['unpack']);
    // The thief "dies" too; a new run takes over and finishes the transfer.
    await sql`UPDATE job_leases SET heartbeat_at = now() - interval '1 hour'`.execute(deps.db);
    const report = await processTransfer(deps, id, { attempt: 2 });
    expect(report.dossiers.flatMap((d) => d.documents.map((doc) => doc.status))).toEqual(['accepted', 'accepted']);
    const runs = await deps.db.selectFrom('job_runs').select('outcome').orderBy('started_at').execute();
    expect(runs.map((r) => r.outcome)).toEqual(['failed', 'completed']);
  }, 120_000);
});
