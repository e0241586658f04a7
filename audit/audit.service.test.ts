import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../tests/helpers/db';
import type { Database } from '../database/database';
import { GENESIS_HASH, SYSTEM_ACTOR, computeAuditHash, listAuditEvents, recordAudit, verifyAuditChain } from './audit.service';

const actor = { userId: null, username: 'tester', roles: ['archivist' as const], requestId: 'req-1' };

async function tamper(db: Kysely<Database>, statement: ReturnType<typeof sql>): Promise<void> {
  // The append-only trigger refuses edits; an attacker with owner rights disables it first.
  await db.transaction().execute(async (trx) => {
    await sql`ALTER TABLE audit_events DISABLE TRIGGER USER`.execute(trx);
    await statement.execute(trx);
    // Back as the migrations leave them: firing always, even with session_replication_role = replica.
    await sql`ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_update_delete`.execute(trx);
    await sql`ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_truncate`.execute(trx);
  });
}

async function appendEvents(db: Kysely<Database>, n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const { id } = await recordAudit(db, { actor, action: 'dossier.store', objectType: 'dossier', objectId: `03-${i}`, details: { n: i, title: 'Бұйрықтар' } });
    ids.push(id);
  }
  return ids;
}

describeEachDatabase('audit chain', (getDb) => {
  it('links each event to the previous one and verifies', async () => {
    const { db } = getDb();
    const first = await recordAudit(db, { actor: SYSTEM_ACTOR, action: 'system.start', objectType: 'system' });
    const second = await recordAudit(db, { actor, action: 'user.create', objectType: 'user', objectId: 'u1', details: { at: new Date('2026-01-01T00:00:00Z'), skip: undefined } });
    expect(second.id).toBe(first.id + 1);
    const [latest, previous] = await listAuditEvents(db, { limit: 2 });
    expect(latest?.prevHash).toBe(previous?.hash);
    expect(previous?.prevHash).toBe(GENESIS_HASH);
    expect(latest?.details).toEqual({ at: '2026-01-01T00:00:00.000Z' });
    expect(latest?.requestId).toBe('req-1');
    const report = await verifyAuditChain(db);
    expect(report).toMatchObject({ ok: true, checked: 2, total: 2, lastId: second.id, lastHash: second.hash });
  });

  it('rejects UPDATE, DELETE and TRUNCATE while the trigger is in place', async () => {
    const { db } = getDb();
    await expect(sql`UPDATE audit_events SET action = 'user.delete'`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_events`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE audit_events`.execute(db)).rejects.toThrow(/append-only/);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('refuses secrets in details and malformed actions', async () => {
    const { db } = getDb();
    await expect(recordAudit(db, { actor, action: 'user.create', objectType: 'user', details: { nested: { password: 'x' } } })).rejects.toThrow(/details\.nested\.password/);
    await expect(recordAudit(db, { actor, action: 'Create User', objectType: 'user' })).rejects.toMatchObject({ code: 'audit.invalid_action' });
  });

  it('keeps the chain linear under concurrent appends', async () => {
    const { db } = getDb();
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        db.transaction().execute(async (trx) => {
          await recordAudit(trx, { actor, action: 'transfer.receive', objectType: 'transfer', objectId: String(i) });
        }),
      ),
    );
    const report = await verifyAuditChain(db, { batchSize: 5 });
    expect(report.ok).toBe(true);
    expect(report.checked).toBe(report.total);
  });

  it('appends events arriving together outside a transaction in shared commits: each gets its own id, the chain stays linear, one refused event refuses only itself', async () => {
    const { db } = getDb();
    const before = (await listAuditEvents(db, { limit: 1 }))[0]?.id ?? 0;
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        recordAudit(db, { actor, action: i === 17 ? 'Not An Action' : 'access.view', objectType: 'dossier', objectId: String(i), details: { n: i } }),
      ),
    );
    expect(results[17]!.status).toBe('rejected');
    const written = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<{ id: number; hash: string }>).value);
    expect(written).toHaveLength(39);
    // Ids follow on from the log's head with no gap or repeat; each answer names its own event.
    expect(written.map((w) => w.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 39 }, (_, i) => before + 1 + i));
    const listed = await listAuditEvents(db, { limit: 39 });
    const byId = new Map(listed.map((e) => [e.id, e]));
    for (const w of written) expect(byId.get(w.id)?.hash).toBe(w.hash);
    expect(new Set(listed.map((e) => e.objectId)).has('17')).toBe(false);
    const report = await verifyAuditChain(db);
    expect(report.ok).toBe(true);
  });

  it('an event the database refuses inside a shared commit fails alone; the others of its batch are written', async () => {
    const { db } = getDb();
    await sql`CREATE FUNCTION test_refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      IF NEW.object_id = 'refused' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`.execute(db);
    await sql`CREATE TRIGGER test_refuse_one BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION test_refuse_one()`.execute(db);
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => recordAudit(db, { actor, action: 'access.view', objectType: 'dossier', objectId: i === 9 ? 'refused' : `ok-${i}` })),
      );
      expect(results.map((r) => r.status)).toEqual(Array.from({ length: 20 }, (_, i) => (i === 9 ? 'rejected' : 'fulfilled')));
    } finally {
      await sql`DROP TRIGGER test_refuse_one ON audit_events`.execute(db);
      await sql`DROP FUNCTION test_refuse_one()`.execute(db);
    }
    const listed = await listAuditEvents(db, { limit: 19 });
    expect(listed.map((e) => e.objectId).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `ok-${i}`).filter((x) => x !== 'ok-9').sort());
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('does not leave a hole when an appending transaction rolls back', async () => {
    const { db } = getDb();
    await expect(
      db.transaction().execute(async (trx) => {
        await recordAudit(trx, { actor, action: 'user.create', objectType: 'user' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await appendEvents(db, 1);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('names an edited event', async () => {
    const { db } = getDb();
    const [, target] = await appendEvents(db, 3);
    await tamper(db, sql`UPDATE audit_events SET details = '{"n": 999}'::jsonb WHERE id = ${target}`);
    const report = await verifyAuditChain(db, { batchSize: 4 });
    expect(report.ok).toBe(false);
    expect(report.firstBroken).toMatchObject({ id: target, reason: 'edited' });
    // Restore so the next scenarios start from an intact chain.
    await tamper(db, sql`DELETE FROM audit_events WHERE id >= ${target!}`);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('names the event after a deleted one', async () => {
    const { db } = getDb();
    const [, deleted, after] = await appendEvents(db, 3);
    await tamper(db, sql`DELETE FROM audit_events WHERE id = ${deleted}`);
    const report = await verifyAuditChain(db);
    expect(report.firstBroken).toMatchObject({ id: after, reason: 'deleted' });
    expect(report.firstBroken?.message).toContain(String(deleted));
    await tamper(db, sql`DELETE FROM audit_events WHERE id >= ${after!}`);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('names an inserted event even when its hash was computed correctly', async () => {
    const { db } = getDb();
    const [a, b] = await appendEvents(db, 3);
    const prev = await db.selectFrom('audit_events').selectAll().where('id', '=', a!).executeTakeFirstOrThrow();
    // Make room at b by renumbering later events (two steps avoid transient key clashes).
    await tamper(db, sql`UPDATE audit_events SET id = id + 1000000 WHERE id >= ${b}`);
    await tamper(db, sql`UPDATE audit_events SET id = id - 999999 WHERE id >= 1000000`);
    const forged = { ...prev, id: b!, at: new Date(), action: 'user.reinstate', object_id: 'forged', details: { forged: true }, prev_hash: prev.hash };
    const hash = computeAuditHash(forged);
    await db.insertInto('audit_events').values({ ...forged, details: JSON.stringify(forged.details), hash }).execute();
    const report = await verifyAuditChain(db);
    expect(report.firstBroken).toMatchObject({ id: b, reason: 'inserted' });
  });
});

describeEachDatabase('audit chain: first event removed', (getDb) => {
  it('reports a deleted genesis event', async () => {
    const { db } = getDb();
    const [first, second] = await appendEvents(db, 2);
    await tamper(db, sql`DELETE FROM audit_events WHERE id = ${first}`);
    expect((await verifyAuditChain(db)).firstBroken).toMatchObject({ id: second, reason: 'deleted' });
  });
});

describeEachDatabase('audit chain: rewritten event', (getDb) => {
  it('reports an event whose predecessor was rewritten with a recomputed hash', async () => {
    const { db } = getDb();
    await appendEvents(db, 2);
    const rows = await db.selectFrom('audit_events').selectAll().orderBy('id').execute();
    const last = rows[rows.length - 1]!;
    // Rewrite the last-but-one event carefully (new hash), then re-add the last one untouched.
    const target = rows[rows.length - 2]!;
    const rewritten = { ...target, details: { n: -1 } };
    const newHash = computeAuditHash(rewritten);
    await tamper(db, sql`UPDATE audit_events SET details = '{"n": -1}'::jsonb, hash = ${newHash} WHERE id = ${target.id}`);
    const report = await verifyAuditChain(db);
    expect(report.firstBroken).toMatchObject({ id: last.id, reason: 'relinked' });
  });
});

describe('audit list validation', () => {
  it('rejects bad paging with the offending value', async () => {
    await expect(listAuditEvents({} as Kysely<Database>, { limit: 0 })).rejects.toMatchObject({ code: 'audit.invalid_limit' });
    await expect(listAuditEvents({} as Kysely<Database>, { before: -3 })).rejects.toMatchObject({ code: 'audit.invalid_before' });
  });
});
