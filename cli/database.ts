// How CLI commands reach the catalog: open the configured database, migrate, run, close.
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { loadConfig } from '../common/config';
import { openCatalog, type OpenedCatalog } from '../catalog/open';
import type { Actor } from '../catalog/audit.service';

export async function withCatalog<T>(fn: (catalog: OpenedCatalog) => Promise<T>): Promise<T> {
  const catalog = await openCatalog(loadConfig());
  try {
    return await fn(catalog);
  } finally {
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
