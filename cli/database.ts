// How CLI commands reach the catalog: open the configured database, migrate, run, close.
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { loadConfig } from '../common/config';
import { openCatalog, type OpenedCatalog } from '../database/open';
import type { Actor } from '../audit/audit.service';
import { anchorIfMoved, auditHeadHash } from '../audit/audit-anchor';
import { onAnyCopyFault } from '../storage';
import { recordCopyFaults } from '../preservation/read-repair';

export async function withCatalog<T>(fn: (catalog: OpenedCatalog) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const catalog = await openCatalog(config);
  let after: () => void = () => {};
  try {
    const before = await auditHeadHash(catalog.db);
    // Bad copies met by this command's reads are queued for repair (by the next integrity run) and audited.
    after = onAnyCopyFault((faults) => recordCopyFaults(catalog.db, faults));
    const result = await fn(catalog);
    // A command that wrote audit events anchors the new head in storage, as the server does at
    // stop, so `audit verify` can tell later deletions and rewrites (audit/audit-anchor.ts).
    const problem = await anchorIfMoved(catalog.db, config, before);
    if (problem) process.stderr.write(`muragat: audit log head not anchored: ${problem}\n`);
    return result;
  } finally {
    after();
    await catalog.close();
  }
}

/**
 * The local operator: someone with shell access to the server acts without an account, so
 * the audit log records the operating-system user and a request id for this invocation.
 */
export function cliActor(): Actor {
  let osUser = 'unknown';
  try {
    osUser = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep "unknown".
  }
  return { userId: null, username: `cli:${osUser}`, roles: [], requestId: `cli-${randomUUID()}` };
}
