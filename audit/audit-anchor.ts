// Anchors of the audit log's head, kept outside the database. The hash chain alone cannot tell
// a log whose last events were deleted, or one rewritten with every later hash recomputed, from
// an honest one: the database holds both the events and their hashes. So the head (number of
// events, last id, last hash) is written at server start and stop, at least daily while the
// server runs, and at each integrity run, as a record in every storage location, signed with
// the system key (Ed25519, in the data folder, never in the database). A running server also
// anchors hourly when the head moved, which narrows the window an attacker has. `audit verify` then
// requires that every anchored event still exists with the anchored hash: a truncated log lacks
// the anchored event, a rewritten one has another hash there.
//
// What this cannot see: changes after the latest anchor (until the next one is written), and
// an attacker who also holds the system key file and write access to every storage location.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { sql, type Kysely, type Transaction } from 'kysely';
import { canonicalJson } from '../common/hash';
import type { ObjectStore } from '../storage/object-store';
import { openStorage } from '../storage';
import type { Config } from '../common/config';
import type { Database } from '../database/database';
import { countAuditEvents, lastAuditEvent, lockAuditAppends } from './audit.repository';

export type AnchorReason = 'server-start' | 'server-stop' | 'daily' | 'periodic' | 'integrity-run' | 'manual';

export interface AuditAnchor {
  v: 1;
  type: 'muragat.audit-anchor';
  at: string;
  reason: AnchorReason;
  /** Number of events in the log when anchored (ids are 1..count by construction). */
  count: number;
  lastId: number | null;
  lastHash: string | null;
  host: string;
}

export interface SignedAuditAnchor {
  anchor: AuditAnchor;
  algorithm: 'Ed25519';
  /** SHA-256 of the public key (SPKI DER). */
  keyId: string;
  signature: string;
}

export interface SystemKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
}

interface StoresLike {
  primary: ObjectStore;
  replicas: ObjectStore[];
}

const RECORD_KIND = 'anchors';
const KEY_FILE = 'system-ed25519.pem';
const DAY_MS = 24 * 60 * 60 * 1000;

/** The system key lives in the data folder (MURAGAT_DATA_DIR/keys), beside but never inside the database. */
export function systemKeyDir(config: { dataDir: string }): string {
  return path.join(config.dataDir, 'keys');
}

function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

function fromPem(pem: string): SystemKey {
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/**
 * Loads the system key; with create, makes one on first use (0600, published with link(2) so
 * two processes starting at once end up with the same key). Null when absent and not created.
 */
export async function loadSystemKey(dir: string, options: { create?: boolean } = {}): Promise<SystemKey | null> {
  const file = path.join(dir, KEY_FILE);
  try {
    return fromPem(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !options.create) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(pem);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temp).catch(() => {});
  }
  return fromPem(await readFile(file, 'utf8'));
}

/** The log's head, read under the append lock so count and last event agree. */
async function auditHead(db: Kysely<Database>): Promise<{ count: number; lastId: number | null; lastHash: string | null }> {
  return db.transaction().execute(async (trx: Transaction<Database>) => {
    await lockAuditAppends(trx);
    const [count, last] = await Promise.all([countAuditEvents(trx), lastAuditEvent(trx)]);
    return { count, lastId: last ? Number(last.id) : null, lastHash: last?.hash ?? null };
  });
}

/** Writes a signed anchor of the current head to every storage location. */
export async function writeAuditAnchor(
  deps: { db: Kysely<Database>; storage: StoresLike; key: SystemKey },
  reason: AnchorReason,
  now = new Date(),
): Promise<{ name: string; anchor: AuditAnchor; written: string[]; failed: { location: string; error: string }[] }> {
  const head = await auditHead(deps.db);
  const anchor: AuditAnchor = { v: 1, type: 'muragat.audit-anchor', at: now.toISOString(), reason, ...head, host: hostname() };
  const signed: SignedAuditAnchor = {
    anchor,
    algorithm: 'Ed25519',
    keyId: deps.key.keyId,
    signature: sign(null, Buffer.from(canonicalJson(anchor)), deps.key.privateKey).toString('base64'),
  };
  // Sortable by time; the id and a random tail keep two anchors of one millisecond apart.
  const name = `${RECORD_KIND}/${anchor.at.replace(/[-:.]/g, '')}-${String(head.lastId ?? 0).padStart(12, '0')}-${randomBytes(3).toString('hex')}.json`;
  const bytes = Buffer.from(JSON.stringify(signed, null, 2) + '\n');
  const written: string[] = [];
  const failed: { location: string; error: string }[] = [];
  for (const store of [deps.storage.primary, ...deps.storage.replicas]) {
    try {
      await store.putRecord(name, bytes);
      written.push(store.location);
    } catch (error) {
      failed.push({ location: store.location, error: (error as Error).message });
    }
  }
  if (!written.length) throw new Error(`audit anchor could not be written to any storage location: ${failed.map((f) => `${f.location}: ${f.error}`).join('; ')}`);
  return { name, anchor, written, failed };
}

export type AnchorProblemKind = 'truncated' | 'rewritten' | 'signature-invalid' | 'unreadable' | 'no-anchor' | 'stale-anchor' | 'no-key' | 'trigger-disabled';

export interface AnchorProblem {
  kind: AnchorProblemKind;
  message: string;
  /** The anchor record concerned. */
  anchor?: string;
  /** The event concerned. */
  id?: number;
  /** Values for the translated message `catalog.audit_anchor_<kind>` (snake_case kind). */
  params: Record<string, string | number>;
}

export interface AnchorReport {
  ok: boolean;
  /** Anchors whose signature verified. */
  anchors: number;
  latest: (AuditAnchor & { name: string }) | null;
  problems: AnchorProblem[];
}

function parseSigned(bytes: Buffer): SignedAuditAnchor | null {
  try {
    const value = JSON.parse(bytes.toString('utf8')) as SignedAuditAnchor;
    return value && typeof value === 'object' && value.anchor?.type === 'muragat.audit-anchor' && typeof value.signature === 'string' ? value : null;
  } catch {
    return null;
  }
}

function signatureOk(signed: SignedAuditAnchor, key: SystemKey): boolean {
  if (signed.algorithm !== 'Ed25519' || signed.keyId !== key.keyId) return false;
  try {
    return verify(null, Buffer.from(canonicalJson(signed.anchor)), key.publicKey, Buffer.from(signed.signature, 'base64'));
  } catch {
    return false;
  }
}

/**
 * Reads every anchor in every location (a record deleted from one location is still found in
 * another; a copy whose signature fails does not hide a sound copy of the same name).
 */
async function readAnchors(storage: StoresLike, key: SystemKey, problems: AnchorProblem[]): Promise<(AuditAnchor & { name: string })[]> {
  const stores = [storage.primary, ...storage.replicas];
  const names = new Set<string>();
  for (const store of stores) for (const n of await store.listRecords(RECORD_KIND).catch(() => [] as string[])) names.add(n);
  const anchors: (AuditAnchor & { name: string })[] = [];
  for (const name of [...names].sort()) {
    let found: SignedAuditAnchor | null = null;
    let bad: { location: string; kind: 'signature-invalid' | 'unreadable' } | null = null;
    for (const store of stores) {
      const bytes = await store.getRecord(name).catch(() => null);
      if (!bytes) continue;
      const signed = parseSigned(bytes);
      if (signed && signatureOk(signed, key)) {
        found = signed;
        break;
      }
      bad ??= { location: store.location, kind: signed ? 'signature-invalid' : 'unreadable' };
    }
    if (found) anchors.push({ ...found.anchor, name });
    else if (bad) {
      problems.push({
        kind: bad.kind,
        anchor: name,
        params: { anchor: name, location: bad.location, key: key.keyId.slice(0, 16) },
        message:
          bad.kind === 'signature-invalid'
            ? `anchor ${name} in ${bad.location} does not verify with the system key ${key.keyId.slice(0, 16)}… (forged or made with another key)`
            : `anchor ${name} in ${bad.location} cannot be read as an anchor`,
      });
    }
  }
  return anchors;
}

/** Whether the append-only triggers exist and fire always (not skipped in replica mode). */
async function triggerProblems(db: Kysely<Database>): Promise<AnchorProblem[]> {
  const rows = await sql<{ tgname: string; tgenabled: string }>`
    SELECT tgname, tgenabled::text AS tgenabled FROM pg_trigger
    WHERE tgrelid = 'audit_events'::regclass AND NOT tgisinternal`.execute(db);
  const problems: AnchorProblem[] = [];
  for (const name of ['audit_events_no_update_delete', 'audit_events_no_truncate']) {
    const row = rows.rows.find((r) => r.tgname === name);
    if (!row) problems.push({ kind: 'trigger-disabled', params: { trigger: name, state: 'dropped' }, message: `the append-only trigger ${name} of audit_events was dropped` });
    else if (row.tgenabled !== 'A') {
      const state = row.tgenabled === 'D' ? 'disabled' : row.tgenabled === 'R' ? 'replica_only' : 'origin_only';
      problems.push({ kind: 'trigger-disabled', params: { trigger: name, state }, message: `the append-only trigger ${name} of audit_events is ${state === 'disabled' ? 'disabled' : state === 'replica_only' ? 'enabled for replicas only' : 'skipped when session_replication_role = replica'} (expected ENABLE ALWAYS)` });
    }
  }
  return problems;
}

/**
 * Checks the log against every signed anchor: each anchored event must exist with the anchored
 * hash, and the log must hold at least as many events as the latest anchor says. Also reports
 * append-only triggers that were dropped or disabled.
 */
export async function verifyAuditAnchors(deps: { db: Kysely<Database>; storage: StoresLike; key: SystemKey | null }): Promise<AnchorReport> {
  const problems: AnchorProblem[] = await triggerProblems(deps.db);
  if (!deps.key) {
    problems.push({ kind: 'no-key', params: {}, message: 'the system key is absent from the data folder, so the anchors of the audit log cannot be checked' });
    return { ok: false, anchors: 0, latest: null, problems };
  }
  const anchors = await readAnchors(deps.storage, deps.key, problems);
  anchors.sort((a, b) => (a.lastId ?? 0) - (b.lastId ?? 0) || (a.at < b.at ? -1 : 1));
  const latest = anchors.length ? anchors.reduce((x, y) => (y.at > x.at ? y : x)) : null;
  const last = await deps.db.selectFrom('audit_events').select(['id', 'at']).orderBy('id', 'desc').limit(1).executeTakeFirst();
  const total = await countAuditEvents(deps.db);
  if (!anchors.length) {
    if (last) problems.push({ kind: 'no-anchor', params: { total }, message: `the audit log holds ${total} events but no signed anchor of it was found in any storage location` });
  } else if (latest && last && new Date(last.at).getTime() - Date.parse(latest.at) > 2 * DAY_MS) {
    // A running server anchors daily and at stop; events two days past the latest anchor mean
    // newer anchors were removed (or only the CLI ran: run `muragat audit anchor` from cron then).
    problems.push({ kind: 'stale-anchor', anchor: latest.name, params: { at: latest.at, last: new Date(last.at).toISOString() }, message: `the latest anchor is from ${latest.at}, but the log has events up to ${new Date(last.at).toISOString()}: newer anchors are missing` });
  }
  const ids = [...new Set(anchors.map((a) => a.lastId).filter((id): id is number => id !== null))];
  const hashes = new Map<number, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await deps.db.selectFrom('audit_events').select(['id', 'hash']).where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) hashes.set(Number(r.id), r.hash);
  }
  const seen = new Set<string>();
  // Newest anchors first: the first problem named is the one closest to the present.
  for (const a of [...anchors].reverse()) {
    if (a.lastId === null || !a.lastHash) continue;
    const stored = hashes.get(a.lastId);
    const key = `${a.lastId}:${stored ?? ''}`;
    if (seen.has(key)) continue;
    if (stored === undefined) {
      seen.add(key);
      problems.push({
        kind: 'truncated',
        anchor: a.name,
        id: a.lastId,
        params: { at: a.at, reason: a.reason, count: a.count, id: a.lastId, hash: a.lastHash.slice(0, 16), total, last: last ? Number(last.id) : 0 },
        message: `the anchor of ${a.at} (${a.reason}) records ${a.count} events ending with event ${a.lastId} (hash ${a.lastHash.slice(0, 16)}…); the log now has ${total} events${last ? ` ending with event ${Number(last.id)}` : ''}: events were deleted`,
      });
    } else if (stored !== a.lastHash) {
      seen.add(key);
      problems.push({
        kind: 'rewritten',
        anchor: a.name,
        id: a.lastId,
        params: { at: a.at, reason: a.reason, id: a.lastId, hash: stored.slice(0, 16), anchored: a.lastHash.slice(0, 16) },
        message: `event ${a.lastId} has hash ${stored.slice(0, 16)}…, the anchor of ${a.at} (${a.reason}) recorded ${a.lastHash.slice(0, 16)}…: the log was rewritten at or before event ${a.lastId}`,
      });
    }
  }
  return { ok: problems.length === 0, anchors: anchors.length, latest, problems };
}

/**
 * Anchors at start, daily (checked hourly: an anchor is written when the last one is a day old
 * or the head moved), and at stop. Failures are logged, never fatal: the server keeps serving.
 */
export function startAuditAnchoring(
  deps: { db: Kysely<Database>; storage: StoresLike; keyDir: string; logger?: { info: (o: object, m: string) => void; error: (o: object, m: string) => void } },
  options: { intervalMs?: number } = {},
): { started: Promise<void>; close(): Promise<void> } {
  let key: SystemKey | null = null;
  let lastWritten: { at: number; lastHash: string | null } | null = null;
  let chain: Promise<void> = Promise.resolve();
  const write = (reason: AnchorReason) =>
    (chain = chain.then(async () => {
      try {
        key ??= await loadSystemKey(deps.keyDir, { create: true });
        const result = await writeAuditAnchor({ db: deps.db, storage: deps.storage, key: key! }, reason);
        lastWritten = { at: Date.now(), lastHash: result.anchor.lastHash };
        deps.logger?.info({ anchor: result.name, count: result.anchor.count, reason, failed: result.failed }, 'audit log head anchored');
      } catch (error) {
        deps.logger?.error({ err: error, reason }, 'audit log head could not be anchored');
      }
    }));
  const started = write('server-start');
  const timer = setInterval(() => {
    void (async () => {
      const head = await lastAuditEvent(deps.db).catch(() => undefined);
      const daily = !lastWritten || Date.now() - lastWritten.at >= DAY_MS;
      if (daily) await write('daily');
      else if (head && head.hash !== lastWritten!.lastHash) await write('periodic');
    })();
  }, options.intervalMs ?? 60 * 60 * 1000);
  timer.unref();
  return {
    started,
    async close() {
      clearInterval(timer);
      await write('server-stop');
    },
  };
}

/** The head's hash now, or null for an empty log (to tell whether a command changed the log). */
export async function auditHeadHash(db: Kysely<Database>): Promise<string | null> {
  return (await lastAuditEvent(db))?.hash ?? null;
}

/**
 * What the CLI does at the end of a command that wrote audit events: anchor the new head, as
 * the server does at stop. Never fails the command; returns the problem instead.
 */
export async function anchorIfMoved(db: Kysely<Database>, config: Pick<Config, 'dataDir' | 'storage'>, before: string | null): Promise<string | null> {
  try {
    if ((await auditHeadHash(db)) === before) return null;
    const key = (await loadSystemKey(systemKeyDir(config), { create: true }))!;
    await writeAuditAnchor({ db, storage: openStorage(config), key }, 'manual');
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
