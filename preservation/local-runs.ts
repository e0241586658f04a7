// Runs (integrity runs, fixity runs) executing in this process, per database: a stale-heartbeat
// sweep must never take one of them, and a stopping server aborts them and waits a grace period
// so each records itself interrupted, to be resumed.
import type { Kysely } from 'kysely';
import type { Database } from '../database/database';

export interface LocalRun {
  controller: AbortController;
  done: Promise<unknown>;
}

export interface LocalRuns {
  /** The runs of this process on this database, by id. */
  here(db: Kysely<Database>): Map<string, LocalRun>;
  /** Aborts them and waits until they ended or `graceMs` passed. */
  stop(db: Kysely<Database>, graceMs: number): Promise<void>;
  /** Resolves when none is left (tests). */
  idle(db: Kysely<Database>): Promise<void>;
}

export function createLocalRuns(): LocalRuns {
  const registry = new WeakMap<object, Map<string, LocalRun>>();
  const here = (db: Kysely<Database>): Map<string, LocalRun> => {
    let runs = registry.get(db);
    if (!runs) registry.set(db, (runs = new Map()));
    return runs;
  };
  return {
    here,
    async stop(db, graceMs) {
      const runs = [...here(db).values()];
      if (!runs.length) return;
      for (const r of runs) r.controller.abort();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(runs.map((r) => r.done)), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    },
    async idle(db) {
      for (;;) {
        const runs = [...here(db).values()];
        if (!runs.length) return;
        await Promise.all(runs.map((r) => r.done));
      }
    },
  };
}
