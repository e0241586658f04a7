// What a running server does for the integrity of its storage and catalog beyond requests:
// bad copies met by verified reads are recorded and repaired in the background
// (read-repair.ts), and the audit log's head is anchored in storage at start, hourly when it
// moved, at least daily, and at stop (audit/audit-anchor.ts).
import type { Kysely } from 'kysely';
import type { Database } from '../database/database';
import { startAuditAnchoring, systemKeyDir } from '../audit/audit-anchor';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import type { Storage } from '../storage';
import { startReadRepairs } from './read-repair';

export interface StorageGuard {
  /** Resolves once the start anchor is written (or its failure logged). */
  started: Promise<void>;
  /** Waits for the background repair in flight. */
  idle(): Promise<void>;
  /** Stops the background work and writes the stop anchor; call before the database closes. */
  close(): Promise<void>;
}

export function startStorageGuard(deps: { db: Kysely<Database>; storage: Storage; config: Pick<Config, 'dataDir'>; logger?: Logger }): StorageGuard {
  const repairs = startReadRepairs(deps);
  const anchoring = startAuditAnchoring({ db: deps.db, storage: deps.storage, keyDir: systemKeyDir(deps.config), ...(deps.logger ? { logger: deps.logger } : {}) });
  return {
    started: anchoring.started,
    idle: () => repairs.idle(),
    async close() {
      await repairs.close();
      await anchoring.close();
    },
  };
}
