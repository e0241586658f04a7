// Leases: one holder per key, a dead holder taken over (audited, its run recorded as abandoned),
// a holder that lost its lease cannot commit (fence), cancellation seen with the heartbeat.
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { describeEachDatabase } from '../helpers/db';
import { acquireLease, tryAcquireLease, requestCancel, listRuns, LeaseLostError, JobCancelledError } from '../../jobs';

const fast = { staleMs: 1500, heartbeatMs: 200 };

describeEachDatabase('job leases', (getDb) => {
  it('gives a key to one holder; the second claimant is told who holds it', async () => {
    const { db } = getDb();
    const first = await tryAcquireLease(db, 'test:one', { timing: fast });
    const second = await tryAcquireLease(db, 'test:one', { timing: fast });
    expect(first.acquired).toBe(true);
    expect(second).toMatchObject({ acquired: false });
    if (!first.acquired) return;
    await first.lease.release('completed');
    const third = await tryAcquireLease(db, 'test:one', { timing: fast });
    expect(third.acquired).toBe(true);
    if (third.acquired) await third.lease.release('completed');
    const runs = await listRuns(db, 'test:one');
    expect(runs.map((r) => r.outcome)).toEqual(['completed', 'completed']);
  });

  it('takes over a holder whose heartbeat stopped, audits it, and fences the old holder out', async () => {
    const { db } = getDb();
    const first = await tryAcquireLease(db, 'test:dead', { timing: fast, subject: { type: 'transfer', id: 'x' } });
    if (!first.acquired) throw new Error('not acquired');
    // The holder "dies": its heartbeat is set far in the past.
    await sql`UPDATE job_leases SET heartbeat_at = now() - interval '1 hour' WHERE key = 'test:dead'`.execute(db);
    const second = await tryAcquireLease(db, 'test:dead', { timing: fast, subject: { type: 'transfer', id: 'x' } });
    expect(second.acquired).toBe(true);
    if (!second.acquired) return;
    expect(second.lease.tookOver).toBe(true);
    await expect(db.transaction().execute((trx) => first.lease.fence(trx))).rejects.toBeInstanceOf(LeaseLostError);
    await db.transaction().execute((trx) => second.lease.fence(trx));
    // The old holder learns it with its next heartbeat.
    await new Promise((r) => setTimeout(r, 500));
    expect(first.lease.signal.aborted).toBe(true);
    expect(first.lease.signal.reason).toBeInstanceOf(LeaseLostError);
    await first.lease.release('failed', 'lost');
    // Releasing the old lease did not drop the successor's.
    expect((await tryAcquireLease(db, 'test:dead', { timing: fast })).acquired).toBe(false);
    await second.lease.release('completed');
    const runs = await listRuns(db, 'test:dead');
    expect(runs.map((r) => r.outcome)).toEqual(['abandoned', 'completed']);
    const audit = await db.selectFrom('audit_events').select(['action', 'object_type', 'object_id']).where('action', '=', 'job.takeover').execute();
    expect(audit).toEqual([{ action: 'job.takeover', object_type: 'transfer', object_id: 'x' }]);
  });

  it('waits for a live holder and returns null once the work is done elsewhere', async () => {
    const { db } = getDb();
    const holder = await tryAcquireLease(db, 'test:wait', { timing: fast });
    if (!holder.acquired) throw new Error('not acquired');
    let finished = false;
    let busyOwner = '';
    setTimeout(() => {
      finished = true;
      void holder.lease.release('completed');
    }, 600);
    const waited = await acquireLease(db, 'test:wait', { timing: fast, pollMs: 100, done: async () => finished, onBusy: (o) => (busyOwner = o) });
    expect(waited).toBeNull();
    expect(busyOwner).toBe(holder.lease.owner);
  });

  it('passes a cancellation request to the holder with its heartbeat', async () => {
    const { db } = getDb();
    const holder = await tryAcquireLease(db, 'test:cancel', { timing: fast });
    if (!holder.acquired) throw new Error('not acquired');
    expect(await requestCancel(db, 'test:cancel')).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(holder.lease.signal.reason).toBeInstanceOf(JobCancelledError);
    await holder.lease.release('cancelled');
    expect(await requestCancel(db, 'test:cancel')).toBe(false);
  });
});

describe('lease timing', () => {
  it('is read from MURAGAT_JOB_STALE_SECONDS with several heartbeats per period', async () => {
    const { leaseTiming } = await import('../../jobs');
    expect(leaseTiming({ jobStaleSeconds: 6 })).toEqual({ staleMs: 6000, heartbeatMs: 1000 });
    expect(leaseTiming({ jobStaleSeconds: undefined }).staleMs).toBe(30_000);
  });
});
