// Queries on the repair queue (storage_repairs). Enqueuing is idempotent per copy: the partial
// unique index keeps one pending entry per (object, location).
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../database/database';
import type { StorageRepairsTable } from './tables';

export type StorageRepairRow = Selectable<StorageRepairsTable>;
type Db = Kysely<Database> | Transaction<Database>;

export interface RepairRequest {
  sha256: string;
  location: string;
  fault: StorageRepairRow['fault'];
  detectedBy: StorageRepairRow['detected_by'];
  error?: string;
}

/** Queues copies for repair; returns how many were newly queued (already pending ones are kept). */
export async function enqueueRepairs(db: Db, requests: RepairRequest[]): Promise<number> {
  if (!requests.length) return 0;
  const inserted = await db
    .insertInto('storage_repairs')
    .values(requests.map((r) => ({ sha256: r.sha256, location: r.location, fault: r.fault, detected_by: r.detectedBy, last_error: r.error ?? null })))
    .onConflict((oc) => oc.columns(['sha256', 'location']).where('status', '=', 'pending').doNothing())
    .returning('id')
    .execute();
  return inserted.length;
}

export async function pendingRepairs(db: Db, limit = 500): Promise<StorageRepairRow[]> {
  return db.selectFrom('storage_repairs').selectAll().where('status', '=', 'pending').orderBy('detected_at').limit(limit).execute();
}

export async function markRepair(
  db: Db,
  id: string,
  outcome: { status: 'repaired' | 'resolved'; sourceLocation: string | null } | { status: 'pending'; error: string },
): Promise<void> {
  if (outcome.status === 'pending') {
    await db
      .updateTable('storage_repairs')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: outcome.error }))
      .where('id', '=', id)
      .execute();
    return;
  }
  await db
    .updateTable('storage_repairs')
    .set((eb) => ({ status: outcome.status, source_location: outcome.sourceLocation, resolved_at: new Date(), attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

export async function listRepairs(db: Db, filter: { sha256?: string; status?: StorageRepairRow['status']; limit?: number } = {}): Promise<StorageRepairRow[]> {
  return db
    .selectFrom('storage_repairs')
    .selectAll()
    .$if(filter.sha256 !== undefined, (q) => q.where('sha256', '=', filter.sha256!))
    .$if(filter.status !== undefined, (q) => q.where('status', '=', filter.status!))
    .orderBy('detected_at', 'desc')
    .limit(filter.limit ?? 100)
    .execute();
}
