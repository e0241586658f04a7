// What every route module receives. Route modules take what they need from here and never
// open their own database or storage.
import type { Kysely } from 'kysely';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import type { Database } from '../database/database';
import type { ObjectStore } from '../storage';
import type { UsersService } from '../accounts/users.service';
import type { AccessService, UploadQuota } from '../access';
import type { ServerMetrics } from './metrics';

export interface SessionPolicy {
  /** A session unused for this long ends. */
  idleSeconds: number;
  /** A session ends this long after login whatever its use. */
  absoluteSeconds: number;
}

// A working day for archive staff; idle sessions on shared office machines end within the hour.
export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleSeconds: 60 * 60, absoluteSeconds: 12 * 60 * 60 };

export interface ServerDeps {
  config: Config;
  db: Kysely<Database>;
  storage: { primary: ObjectStore; replicas: ObjectStore[] };
  /** Users service shared by the routes (one throttling policy for the process). */
  users: UsersService;
  /** Department scoping: the one place deciding which department's objects a user reaches. */
  access: AccessService;
  /** Per-user quotas on transfer upload announcements (bytes in flight and per day). */
  uploadQuota: UploadQuota;
  /** Request and error log; tests pass one writing to memory. */
  logger: Logger;
  sessionPolicy: SessionPolicy;
  /** Largest JSON request body in bytes. */
  jsonLimitBytes: number;
  /** Clock for session expiry; tests move it. */
  now: () => Date;
  /** Prometheus metrics of this process (server/metrics.ts). */
  metrics: ServerMetrics;
  /** Set when the server begins to stop: readiness then answers 503 so balancers send no more. */
  lifecycle: { closing: boolean };
}
