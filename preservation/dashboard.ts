// What the Integrity page shows besides the schedule: the objects lost (no sound copy in any
// location at their last check) with the dossiers and paths that lose them.
import type { Kysely } from 'kysely';
import type { Database } from '../database/database';
import * as repo from './fixity.repository';

export interface LostObjectView {
  sha256: string;
  size: number;
  lastCheckedAt: string | null;
  dossiers: { id: string; index: string }[];
  rejectedItemsOf: string[];
  paths: string[];
}

export async function lostObjectsView(db: Kysely<Database>, limit: number): Promise<LostObjectView[]> {
  const rows = await repo.lostObjects(db, limit);
  const owners = await repo.ownersOf(db, rows.map((r) => r.sha256));
  return rows.map((r) => ({
    sha256: r.sha256,
    size: Number(r.size),
    lastCheckedAt: r.last_checked_at ? new Date(r.last_checked_at).toISOString() : null,
    dossiers: owners.get(r.sha256)?.dossiers ?? [],
    rejectedItemsOf: owners.get(r.sha256)?.rejected ?? [],
    paths: owners.get(r.sha256)?.paths ?? [],
  }));
}
