// Table types of the web sessions (owned by the server developer, merged in database.ts).
import type { Timestamp } from '../database/types';

export interface SessionsTable {
  /** sha256 hex of the cookie token; the token itself is never stored. */
  token_hash: string;
  user_id: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  /** Absolute expiry; the idle limit is checked against last_seen_at. */
  expires_at: Timestamp;
  ip: string | null;
  user_agent: string | null;
}

export interface SessionTables {
  sessions: SessionsTable;
}
