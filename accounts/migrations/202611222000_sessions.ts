import { sql, type Kysely } from 'kysely';

// Web sessions. Only the SHA-256 of the bearer token is kept, so a leaked database dump
// cannot be replayed as a login.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE sessions (
  token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  user_id uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  ip text,
  user_agent text
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
`.execute(db);
}
