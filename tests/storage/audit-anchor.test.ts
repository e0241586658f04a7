// Signed anchors of the audit log's head, kept in two storage locations in a temp dir: what the
// hash chain alone lets through — deleting the last events, or rewriting one and recomputing
// every hash after it — is named by the anchor check; `SET session_replication_role = replica`
// no longer turns the append-only trigger off, and a trigger disabled by DDL is reported.
// Both database engines.
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadSystemKey, verifyAuditAnchors, writeAuditAnchor, type SystemKey } from '../../audit/audit-anchor';
import { SYSTEM_ACTOR, computeAuditHash, recordAudit, verifyAuditChain } from '../../audit/audit.service';
import type { Database } from '../../database/database';
import { t } from '../../common/i18n';
import { FsObjectStore, type Storage } from '../../storage';
import { describeEachDatabase } from '../helpers/db';

describeEachDatabase('audit log anchors', (getDb) => {
  let work: string;
  let key: SystemKey;
  let n = 0;
  const newStorage = async (): Promise<Storage & { primary: FsObjectStore }> => {
    const dir = await mkdtemp(path.join(work, 'storage-'));
    return { primary: new FsObjectStore(path.join(dir, 'primary')), replicas: [new FsObjectStore(path.join(dir, 'replica'))] };
  };
  const record = async (count: number) => {
    for (let i = 0; i < count; i++) await recordAudit(getDb().db, { actor: SYSTEM_ACTOR, action: 'test.event', objectType: 'test', objectId: String(++n), details: { n } });
  };
  /** What a database superuser does: the trigger off by DDL, the edit, the trigger back on. */
  const asSuperuser = async (edit: (db: Kysely<Database>) => Promise<void>) => {
    const { db } = getDb();
    await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`.execute(db);
    try {
      await edit(db);
    } finally {
      await sql`ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_update_delete`.execute(db);
    }
  };

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-anchors-'));
    key = (await loadSystemKey(path.join(work, 'keys'), { create: true }))!;
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('creates the system key once, private to its owner, and loads the same key again', async () => {
    const again = (await loadSystemKey(path.join(work, 'keys'), { create: true }))!;
    expect(again.keyId).toBe(key.keyId);
    expect(await loadSystemKey(path.join(work, 'no-keys'))).toBeNull();
  });

  it('a log without any anchor is reported; an anchored log passes; events after the anchor are fine', async () => {
    await record(5);
    const storage = await newStorage();
    const before = await verifyAuditAnchors({ db: getDb().db, storage, key });
    expect(before.ok).toBe(false);
    expect(before.problems.map((p) => p.kind)).toEqual(['no-anchor']);
    const written = await writeAuditAnchor({ db: getDb().db, storage, key }, 'manual');
    expect(written.written).toEqual([storage.primary.location, storage.replicas[0]!.location]);
    expect(written.anchor).toMatchObject({ count: n, lastId: n, reason: 'manual' });
    await record(2);
    const after = await verifyAuditAnchors({ db: getDb().db, storage, key });
    expect(after).toMatchObject({ ok: true, anchors: 1, problems: [] });
    expect(after.latest).toMatchObject({ count: n - 2, lastId: n - 2 });
  });

  it('SET session_replication_role = replica no longer turns the append-only trigger off', async () => {
    const { db } = getDb();
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`SET LOCAL session_replication_role = replica`.execute(trx);
        await sql`DELETE FROM audit_events WHERE id = (SELECT max(id) FROM audit_events)`.execute(trx);
      }),
    ).rejects.toThrow(/append-only/);
    expect((await verifyAuditChain(db)).total).toBe(n);
  });

  it('deleting the last events passes the chain but is named by the anchor as truncation', async () => {
    const storage = await newStorage();
    await record(3);
    await writeAuditAnchor({ db: getDb().db, storage, key }, 'integrity-run');
    const anchoredLast = n;
    await asSuperuser((db) => sql`DELETE FROM audit_events WHERE id > ${anchoredLast - 2}`.execute(db).then(() => undefined));
    n = anchoredLast - 2;
    // The chain alone cannot see it: what is left is a perfectly linked, shorter log.
    expect((await verifyAuditChain(getDb().db)).ok).toBe(true);
    const report = await verifyAuditAnchors({ db: getDb().db, storage, key });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'truncated', id: anchoredLast })]);
    const message = t('en', 'catalog.audit_anchor_truncated', report.problems[0]!.params);
    expect(message).toContain(`event ${anchoredLast} is gone`);
    expect(message).toContain(`the log now has ${n} events ending with event ${n}`);
  });

  it('rewriting an event and recomputing every later hash passes the chain but is named as a rewrite', async () => {
    const storage = await newStorage();
    await record(4);
    await writeAuditAnchor({ db: getDb().db, storage, key }, 'daily');
    const victim = n - 2;
    await asSuperuser(async (db) => {
      const rows = await db.selectFrom('audit_events').selectAll().where('id', '>=', victim).orderBy('id').execute();
      let prev = (await db.selectFrom('audit_events').select('hash').where('id', '=', victim - 1).executeTakeFirstOrThrow()).hash;
      for (const row of rows) {
        const details = Number(row.id) === victim ? { n: 'forged' } : row.details;
        const hash = computeAuditHash({ ...row, details, prev_hash: prev });
        await db.updateTable('audit_events').set({ details: JSON.stringify(details), prev_hash: prev, hash }).where('id', '=', row.id).execute();
        prev = hash;
      }
    });
    expect((await verifyAuditChain(getDb().db)).ok).toBe(true);
    const report = await verifyAuditAnchors({ db: getDb().db, storage, key });
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'rewritten', id: n })]);
    expect(t('en', 'catalog.audit_anchor_rewritten', report.problems[0]!.params)).toContain(`event ${n} now has hash`);
  });

  it('an anchor forged with another key is refused; one deleted from the primary is still found in the replica', async () => {
    const storage = await newStorage();
    const other = (await loadSystemKey(path.join(work, 'other-keys'), { create: true }))!;
    await writeAuditAnchor({ db: getDb().db, storage, key: other }, 'manual');
    const forged = await verifyAuditAnchors({ db: getDb().db, storage, key });
    expect(forged.problems.map((p) => p.kind).sort()).toEqual(['no-anchor', 'signature-invalid']);

    const second = await newStorage();
    const { name } = await writeAuditAnchor({ db: getDb().db, storage: second, key }, 'manual');
    await unlink(path.join(second.primary.root, 'records', name));
    expect(await verifyAuditAnchors({ db: getDb().db, storage: second, key })).toMatchObject({ ok: true, anchors: 1 });
  });

  it('an anchor far older than the newest events is reported as stale (newer anchors removed)', async () => {
    const storage = await newStorage();
    await writeAuditAnchor({ db: getDb().db, storage, key }, 'daily', new Date(Date.now() - 5 * 24 * 3600 * 1000));
    const report = await verifyAuditAnchors({ db: getDb().db, storage, key });
    expect(report.problems.map((p) => p.kind)).toEqual(['stale-anchor']);
  });

  it('reports an append-only trigger disabled or dropped to the origin-only state, and a missing system key', async () => {
    const { db } = getDb();
    const storage = await newStorage();
    await writeAuditAnchor({ db, storage, key }, 'manual');
    await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_truncate`.execute(db);
    await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`.execute(db);
    try {
      const report = await verifyAuditAnchors({ db, storage, key });
      expect(report.problems.map((p) => [p.kind, p.params.trigger, p.params.state])).toEqual([
        ['trigger-disabled', 'audit_events_no_update_delete', 'disabled'],
        ['trigger-disabled', 'audit_events_no_truncate', 'origin_only'],
      ]);
      expect(t('ru', 'catalog.audit_anchor_trigger_disabled', report.problems[0]!.params)).toContain('отключён');
    } finally {
      await sql`ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_update_delete`.execute(db);
      await sql`ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_truncate`.execute(db);
    }
    expect((await verifyAuditAnchors({ db, storage, key })).ok).toBe(true);
    expect((await verifyAuditAnchors({ db, storage, key: null })).problems.map((p) => p.kind)).toEqual(['no-key']);
  });
});
