// Table types owned by the audit log.
import type { Json, Timestamp } from '../database/types';

export interface AuditEventsTable {
  /** previous + 1, assigned under the append lock: the chain has no holes. */
  id: number;
  at: Timestamp;
  actor_user_id: string | null;
  actor_username: string;
  actor_roles: string[];
  action: string;
  object_type: string;
  object_id: string | null;
  request_id: string | null;
  details: Json<Record<string, unknown>>;
  prev_hash: string;
  hash: string;
}

export interface AuditTables {
  audit_events: AuditEventsTable;
}
