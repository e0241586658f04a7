// What happens when a verified read meets a bad copy: the copy is queued for repair
// (storage_repairs) and an audit event names it, in one transaction, before the sound copy is
// served; then a background worker of the same process writes a sound copy back. What the
// worker does not finish (crash, no sound copy yet) stays pending for the next integrity run.
import type { Kysely } from 'kysely';
import type { Database } from '../database/database';
import { recordAudit, SYSTEM_ACTOR, type Actor } from '../audit/audit.service';
import type { Logger } from '../common/logger';
import { onCopyFault, repairObject, type CopyFault, type Storage } from '../storage';
import { enqueueRepairs, markRepair, pendingRepairs } from '../storage/repair-queue.repository';

export interface RepairQueueOutcome {
  /** Objects whose pending copies were worked on. */
  objects: number;
  repaired: number;
  /** Copies found sound again (repaired meanwhile by someone else). */
  resolved: number;
  /** Copies still pending (no sound copy anywhere, or the write failed). */
  pending: number;
}

/** Queues the bad copies and writes one audit event per copy, in one transaction. */
export async function recordCopyFaults(db: Kysely<Database>, faults: CopyFault[], actor: Actor = SYSTEM_ACTOR): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await enqueueRepairs(
      trx,
      faults.map((f) => ({ sha256: f.sha256, location: f.location, fault: f.state, detectedBy: 'read' as const, ...(f.error ? { error: f.error } : {}) })),
    );
    for (const f of faults) {
      await recordAudit(trx, {
        actor,
        action: f.servedFrom ? 'storage.copy_bad' : 'storage.no_sound_copy',
        objectType: 'object',
        objectId: f.sha256,
        details: {
          location: f.location,
          fault: f.state,
          ...(f.actual ? { actual: f.actual } : {}),
          ...(f.size !== undefined ? { size: f.size } : {}),
          ...(f.error ? { error: f.error } : {}),
          servedFrom: f.servedFrom,
          queuedForRepair: true,
        },
      });
    }
  });
}

/**
 * Repairs every pending copy from a sound copy in another location (storage/repair.ts), marks
 * the queue and writes one audit event per object (storage.repair or storage.repair_failed).
 */
export async function processRepairQueue(
  deps: { db: Kysely<Database>; storage: Storage },
  options: { actor?: Actor; runId?: string; limit?: number } = {},
): Promise<RepairQueueOutcome> {
  const actor = options.actor ?? SYSTEM_ACTOR;
  const rows = await pendingRepairs(deps.db, options.limit ?? 500);
  // Objects deleted by a destruction act are never written back from a copy that escaped the
  // deletion (an unreachable replica): their queue entries are resolved, not repaired.
  const destroyed = new Set(
    rows.length ? (await deps.db.selectFrom('destroyed_objects').select('sha256').where('sha256', 'in', [...new Set(rows.map((r) => r.sha256))]).execute()).map((r) => r.sha256) : [],
  );
  for (const r of rows.filter((x) => destroyed.has(x.sha256))) await markRepair(deps.db, r.id, { status: 'resolved', sourceLocation: null });
  const bySha = new Map<string, typeof rows>();
  for (const r of rows) if (!destroyed.has(r.sha256)) bySha.set(r.sha256, [...(bySha.get(r.sha256) ?? []), r]);
  const outcome: RepairQueueOutcome = { objects: bySha.size, repaired: 0, resolved: 0, pending: 0 };
  const stores = [deps.storage.primary, ...deps.storage.replicas];
  for (const [sha256, queued] of bySha) {
    const result = await repairObject(sha256, stores);
    await deps.db.transaction().execute(async (trx) => {
      for (const row of queued) {
        const unrepaired = result.unrepaired.find((u) => u.location === row.location);
        const known = stores.some((s) => s.location === row.location);
        if (unrepaired || !known) {
          outcome.pending += 1;
          await markRepair(trx, row.id, { status: 'pending', error: unrepaired?.reason ?? `location ${row.location} is no longer configured` });
        } else if (result.repaired.some((r) => r.location === row.location)) {
          outcome.repaired += 1;
          await markRepair(trx, row.id, { status: 'repaired', sourceLocation: result.source });
        } else {
          outcome.resolved += 1;
          await markRepair(trx, row.id, { status: 'resolved', sourceLocation: null });
        }
      }
      if (result.repaired.length || result.unrepaired.length) {
        await recordAudit(trx, {
          actor,
          action: result.unrepaired.length === 0 ? 'storage.repair' : 'storage.repair_failed',
          objectType: 'object',
          objectId: sha256,
          details: { source: result.source, repaired: result.repaired, unrepaired: result.unrepaired, queue: true, ...(options.runId ? { runId: options.runId } : {}) },
        });
      }
    });
  }
  return outcome;
}

/**
 * Wires verified reads of a running server to the repair queue: faults are recorded as they are
 * found, and a repair pass runs in the background after each (one at a time). `close` waits
 * for the pass in flight.
 */
export function startReadRepairs(deps: { db: Kysely<Database>; storage: Storage; logger?: Logger }): { close(): Promise<void>; idle(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  let again = false;
  let scheduled = false;
  let closed = false;
  const schedule = () => {
    if (closed) return;
    if (scheduled) {
      again = true;
      return;
    }
    scheduled = true;
    running = (async () => {
      do {
        again = false;
        try {
          const outcome = await processRepairQueue(deps);
          deps.logger?.info({ ...outcome }, 'storage repair queue processed');
        } catch (error) {
          deps.logger?.error({ err: error }, 'storage repair queue failed; pending copies wait for the next integrity run');
        }
      } while (again && !closed);
      scheduled = false;
    })();
  };
  const unsubscribe = onCopyFault(deps.storage, async (faults) => {
    try {
      await recordCopyFaults(deps.db, faults);
    } catch (error) {
      deps.logger?.error({ err: error, faults }, 'bad storage copies could not be recorded');
      throw error;
    }
    deps.logger?.warn({ faults }, 'bad storage copy met by a read; queued for repair');
    if (faults.some((f) => f.servedFrom)) schedule();
  });
  return {
    idle: () => running,
    async close() {
      closed = true;
      unsubscribe();
      await running;
    },
  };
}
