// The audit log: who did what, when, to which object. Append-only and hash-chained: each
// event's hash covers its fields and the previous event's hash, so editing, deleting or
// inserting a row breaks the chain at that point, and verifyAuditChain names it.
import type { Kysely, Transaction } from 'kysely';
import { canonicalJson, sha256Hex } from '../common/hash';
import { ValidationError } from '../common/errors';
import type { Database } from '../database/database';
import type { Role } from '../accounts/roles';
import {
  auditEventsAfter,
  countAuditEvents,
  insertAuditEvents,
  lastAuditEvent,
  listAuditRows,
  lockAuditAppends,
  type AuditRow,
} from './audit.repository';

export interface Actor {
  userId: string | null;
  username: string;
  roles: Role[];
  requestId?: string;
}

/** Migrations, seeding and scheduled jobs act as the system. */
export const SYSTEM_ACTOR: Actor = Object.freeze({ userId: null, username: 'system', roles: [] }) as Actor;

/** prev_hash of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEventInput {
  actor: Actor;
  action: string;
  objectType: string;
  objectId?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditEventView {
  id: number;
  at: string;
  actor: { userId: string | null; username: string; roles: string[] };
  action: string;
  objectType: string;
  objectId: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

const ACTION = /^[a-z_]+(\.[a-z_]+)+$/;
// Secrets must never reach the log, even by a careless caller.
const SECRET_KEY = /password|secret|token/i;

function assertNoSecrets(value: unknown, where: string): void {
  if (Array.isArray(value)) value.forEach((v, i) => assertNoSecrets(v, `${where}[${i}]`));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (SECRET_KEY.test(key)) throw new Error(`audit details must not carry secrets: ${where}.${key}`);
      assertNoSecrets(v, `${where}.${key}`);
    }
  }
}

/** The exact object whose canonical JSON is hashed; version 1 of the chain format. */
function hashedFields(row: Omit<AuditRow, 'hash'>): Record<string, unknown> {
  return {
    v: 1,
    id: Number(row.id),
    at: new Date(row.at).toISOString(),
    actor: { userId: row.actor_user_id, username: row.actor_username, roles: row.actor_roles },
    action: row.action,
    objectType: row.object_type,
    objectId: row.object_id,
    requestId: row.request_id,
    details: row.details,
    prevHash: row.prev_hash,
  };
}

export function computeAuditHash(row: Omit<AuditRow, 'hash'>): string {
  return sha256Hex(canonicalJson(hashedFields(row)));
}

/**
 * Appends one event inside the caller's transaction, so it commits or rolls back with the
 * change it records; given the bare database, in a transaction of its own, shared with the
 * events other requests append at the same moment (group commit, below). The advisory lock is
 * held until that transaction ends, so concurrent writers append one after another and the
 * chain stays linear. Either way the promise resolves once the event is committed.
 */
export async function recordAudit(
  db: Kysely<Database> | Transaction<Database>,
  event: AuditEventInput,
): Promise<{ id: number; hash: string }> {
  const checked = checkedEvent(event);
  if (db.isTransaction) return (await appendEvents(db as Transaction<Database>, [checked]))[0]!;
  return appenderFor(db).append(checked);
}

/** An event whose action and details are valid; details as jsonb will give them back. */
function checkedEvent(event: AuditEventInput): AuditEventInput & { details: Record<string, unknown> } {
  if (!ACTION.test(event.action)) {
    throw new ValidationError('audit.invalid_action', 'catalog.audit_invalid_action', { action: event.action });
  }
  // Round-trip through JSON so the hashed value equals what jsonb gives back (no undefined,
  // Dates as ISO strings).
  const details = JSON.parse(JSON.stringify(event.details ?? {})) as Record<string, unknown>;
  assertNoSecrets(details, 'details');
  return { ...event, details };
}

async function appendEvents(trx: Transaction<Database>, events: (AuditEventInput & { details: Record<string, unknown> })[]): Promise<{ id: number; hash: string }[]> {
  await lockAuditAppends(trx);
  const last = await lastAuditEvent(trx);
  let id = last ? Number(last.id) : 0;
  let prev = last?.hash ?? GENESIS_HASH;
  const rows: AuditRow[] = [];
  for (const event of events) {
    const row: Omit<AuditRow, 'hash'> = {
      id: ++id,
      // Millisecond precision survives timestamptz exactly, so the hash recomputes.
      at: new Date(),
      actor_user_id: event.actor.userId,
      actor_username: event.actor.username,
      actor_roles: [...event.actor.roles],
      action: event.action,
      object_type: event.objectType,
      object_id: event.objectId ?? null,
      request_id: event.actor.requestId ?? null,
      details: event.details,
      prev_hash: prev,
    };
    prev = computeAuditHash(row);
    rows.push({ ...row, hash: prev });
  }
  await insertAuditEvents(trx, rows as (AuditRow & { details: Record<string, unknown> })[]);
  return rows.map((r) => ({ id: r.id, hash: r.hash }));
}

/**
 * Group commit of the events appended outside a transaction (views and downloads, logins):
 * while one batch's transaction holds the append lock, the events that arrive wait and go
 * together in the next one — one lock, one chain read and one commit for all of them instead
 * of one each, so a busy archive's readers do not queue behind each other's commits.
 */
class AuditAppender {
  private pending: { event: AuditEventInput & { details: Record<string, unknown> }; resolve: (r: { id: number; hash: string }) => void; reject: (e: unknown) => void }[] = [];
  private flushing = false;
  constructor(private readonly db: Kysely<Database>) {}

  append(event: AuditEventInput & { details: Record<string, unknown> }): Promise<{ id: number; hash: string }> {
    return new Promise((resolve, reject) => {
      this.pending.push({ event, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length) {
      const batch = this.pending.splice(0, AUDIT_BATCH_MAX);
      try {
        const written = await this.db.transaction().execute((trx) => appendEvents(trx, batch.map((b) => b.event)));
        batch.forEach((b, i) => b.resolve(written[i]!));
      } catch (error) {
        // One event the database refuses must not take the others with it: each alone again.
        if (batch.length === 1) batch[0]!.reject(error);
        else
          for (const b of batch) {
            await this.db
              .transaction()
              .execute((trx) => appendEvents(trx, [b.event]))
              .then((written) => b.resolve(written[0]!), b.reject);
          }
      }
    }
    this.flushing = false;
  }
}

const AUDIT_BATCH_MAX = 200;
const appenders = new WeakMap<Kysely<Database>, AuditAppender>();

function appenderFor(db: Kysely<Database>): AuditAppender {
  let appender = appenders.get(db);
  if (!appender) appenders.set(db, (appender = new AuditAppender(db)));
  return appender;
}

export type AuditBreakReason = 'edited' | 'deleted' | 'inserted' | 'relinked';

export interface AuditChainReport {
  ok: boolean;
  checked: number;
  total: number;
  lastId: number | null;
  lastHash: string | null;
  firstBroken?: { id: number; reason: AuditBreakReason; message: string };
}

/**
 * Walks the log in id order and stops at the first broken event:
 * - `deleted`: ids are consecutive by construction, so a hole means events were removed;
 * - `inserted`: an event's prev_hash skips its predecessor and points to the one before,
 *   so the predecessor was slipped in (and later ids renumbered);
 * - `relinked`: prev_hash matches neither, so the previous event was rewritten with a
 *   recomputed hash;
 * - `edited`: the event's fields no longer give its stored hash.
 * An event appended at the very end with a correctly computed hash cannot be told apart
 * from a real one by a keyless chain; that needs an external anchor of the head hash.
 */
export async function verifyAuditChain(
  db: Kysely<Database> | Transaction<Database>,
  options: { batchSize?: number; onProgress?: (checked: number, total: number) => void } = {},
): Promise<AuditChainReport> {
  const batchSize = options.batchSize ?? 1000;
  const total = await countAuditEvents(db);
  let checked = 0;
  let prev: { id: number; hash: string } | null = null;
  let beforePrevHash: string = GENESIS_HASH;
  const report = (firstBroken?: AuditChainReport['firstBroken']): AuditChainReport => ({
    ok: !firstBroken,
    checked,
    total,
    lastId: prev?.id ?? null,
    lastHash: prev?.hash ?? null,
    ...(firstBroken ? { firstBroken } : {}),
  });
  for (;;) {
    const rows = await auditEventsAfter(db, prev?.id ?? 0, batchSize);
    if (rows.length === 0) break;
    for (const row of rows) {
      const id = Number(row.id);
      const expectedId: number = (prev?.id ?? 0) + 1;
      const expectedPrev: string = prev?.hash ?? GENESIS_HASH;
      checked += 1;
      if (id !== expectedId) {
        const missing = id - 1 === expectedId ? `${expectedId}` : `${expectedId}–${id - 1}`;
        return report({ id, reason: 'deleted', message: `event ${id}: events ${missing} before it are missing (deleted)` });
      }
      if (row.prev_hash !== expectedPrev) {
        if (prev && row.prev_hash === beforePrevHash) {
          return report({
            id: prev.id,
            reason: 'inserted',
            message: `event ${prev.id} was inserted: event ${id} links to event ${prev.id - 1}, not to it`,
          });
        }
        return report({
          id,
          reason: 'relinked',
          message: `event ${id}: prev_hash does not match event ${id - 1}'s hash (event ${id - 1} was rewritten or the chain relinked)`,
        });
      }
      if (computeAuditHash(row) !== row.hash) {
        return report({ id, reason: 'edited', message: `event ${id}: its fields no longer match its hash (edited)` });
      }
      beforePrevHash = expectedPrev;
      prev = { id, hash: row.hash };
    }
    options.onProgress?.(checked, total);
  }
  return report();
}

function toView(row: AuditRow): AuditEventView {
  return {
    id: Number(row.id),
    at: new Date(row.at).toISOString(),
    actor: { userId: row.actor_user_id, username: row.actor_username, roles: row.actor_roles },
    action: row.action,
    objectType: row.object_type,
    objectId: row.object_id,
    requestId: row.request_id,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** Newest first; `before` is an event id for paging back. */
export async function listAuditEvents(
  db: Kysely<Database> | Transaction<Database>,
  filter: { limit?: number; before?: number; objectType?: string; objectId?: string; action?: string; actorUsername?: string } = {},
): Promise<AuditEventView[]> {
  const limit = filter.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new ValidationError('audit.invalid_limit', 'catalog.audit_invalid_limit', { limit: String(filter.limit), max: 1000 });
  }
  if (filter.before !== undefined && (!Number.isInteger(filter.before) || filter.before < 1)) {
    throw new ValidationError('audit.invalid_before', 'catalog.audit_invalid_before', { before: String(filter.before) });
  }
  const rows = await listAuditRows(db, { ...filter, limit });
  return rows.map(toView);
}

/** The shape CONVENTIONS.md uses: `audit.record(trx, …)`. */
export const audit = { record: recordAudit, verify: verifyAuditChain, list: listAuditEvents };
