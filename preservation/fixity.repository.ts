// The only code touching the fixity tables (preservation/migrations/202612070700_fixity.ts) and
// the fixity rows of preservation_runs (mode 'fixity', migration 202612080700).
// Times come from the database clock so heartbeats of several processes compare on one clock.
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../database/database';
import type { FixityFault, FixityFindingOutcome, FixityObjectState, FixityRunStatus, PreservationRunsTable, FixityScheduleTable, FixityScope } from './tables';

type Db = Kysely<Database> | Transaction<Database>;
export type FixityRunRow = Selectable<PreservationRunsTable>;
export type FixityScheduleRow = Selectable<FixityScheduleTable>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ---- the holdings: objects and who uses them ------------------------------------------------

/** Dossiers (and transfers' rejected items) whose AIP manifest is not expanded yet. */
export async function unregisteredOwners(db: Db): Promise<{ kind: 'dossier' | 'rejected'; id: string; manifest: string; label: string }[]> {
  // A destroyed dossier's objects are gone on purpose (p.186-1): never checked, never repaired.
  const destroyedTable = (await sql<{ present: boolean }>`SELECT to_regclass('destroyed_dossiers') IS NOT NULL AS present`.execute(db)).rows[0]?.present;
  const dossiers = await sql<{ id: string; manifest: string; label: string }>`
    SELECT d.id::text AS id, d.aip_manifest_sha256 AS manifest, d.case_index AS label
    FROM dossiers d
    WHERE d.aip_manifest_sha256 IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM fixity_registered r WHERE r.owner_kind = 'dossier' AND r.owner_id = d.id::text AND r.manifest_sha256 = d.aip_manifest_sha256)
      ${destroyedTable ? sql`AND NOT EXISTS (SELECT 1 FROM destroyed_dossiers x WHERE x.dossier_id = d.id)` : sql``}
    ORDER BY d.stored_at, d.id`.execute(db);
  const rejected = await sql<{ id: string; manifest: string }>`
    SELECT t.id::text AS id, t.report ->> 'rejectedItemsManifest' AS manifest
    FROM transfers t
    WHERE t.report ->> 'rejectedItemsManifest' IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM fixity_registered r WHERE r.owner_kind = 'rejected' AND r.owner_id = t.id::text AND r.manifest_sha256 = t.report ->> 'rejectedItemsManifest')`.execute(db);
  return [
    ...dossiers.rows.map((r) => ({ kind: 'dossier' as const, ...r })),
    ...rejected.rows.map((r) => ({ kind: 'rejected' as const, id: r.id, manifest: r.manifest, label: `rejected:${r.id}` })),
  ];
}

export async function registerObjects(
  trx: Db,
  owner: { kind: 'dossier' | 'rejected' | 'report'; id: string; manifest: string },
  objects: { sha256: string; size: number; path: string }[],
  complete: boolean,
): Promise<void> {
  const unique = new Map<string, number>();
  for (const o of objects) unique.set(o.sha256, Math.max(unique.get(o.sha256) ?? 0, o.size));
  const entries = [...unique];
  for (let i = 0; i < entries.length; i += 500) {
    const slice = entries.slice(i, i + 500);
    {
      await trx
        .insertInto('fixity_objects')
        .values(slice.map(([sha256, size]) => ({ sha256, size })))
        // A size learnt from a manifest replaces the 0 of a manifest that could not be read.
        .onConflict((oc) => oc.column('sha256').doUpdateSet({ size: sql`greatest(fixity_objects.size, excluded.size)` }))
        .execute();
    }
  }
  for (let i = 0; i < objects.length; i += 500) {
    await trx
      .insertInto('fixity_object_refs')
      .values(objects.slice(i, i + 500).map((o) => ({ sha256: o.sha256, owner_kind: owner.kind, owner_id: owner.id, path: o.path })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  if (complete) {
    await trx
      .insertInto('fixity_registered')
      .values({ owner_kind: owner.kind, owner_id: owner.id, manifest_sha256: owner.manifest })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

/**
 * Content of a dossier that may be destroyed is stored sealed (destruction/, storage/sealed.ts):
 * the AIP names the plain digest, the store holds the envelope under its own. Plain → envelope
 * digest and size for one dossier; empty where nothing is sealed (or sealing is not installed).
 */
export async function sealedObjectsOf(db: Db, dossierId: string): Promise<Map<string, { sha256: string; size: number }>> {
  const present = (await sql<{ present: boolean }>`SELECT to_regclass('sealed_objects') IS NOT NULL AND to_regclass('content_keys') IS NOT NULL AS present`.execute(db)).rows[0]?.present;
  const out = new Map<string, { sha256: string; size: number }>();
  if (!present) return out;
  const rows = await sql<{ plain_sha256: string; sealed_sha256: string; sealed_size: number }>`
    SELECT s.plain_sha256, s.sealed_sha256, s.sealed_size FROM sealed_objects s JOIN content_keys k ON k.key_id = s.key_id
    WHERE k.dossier_id::text = ${dossierId}`.execute(db);
  for (const r of rows.rows) out.set(r.plain_sha256, { sha256: r.sealed_sha256, size: Number(r.sealed_size) });
  return out;
}

/** Forgets owners that no longer exist (or were destroyed) and objects nobody uses any more. */
export async function pruneHoldings(db: Db): Promise<void> {
  const destroyedTable = (await sql<{ present: boolean }>`SELECT to_regclass('destroyed_dossiers') IS NOT NULL AS present`.execute(db)).rows[0]?.present;
  const gone = sql`(NOT EXISTS (SELECT 1 FROM dossiers d WHERE d.id::text = owner_id)
      ${destroyedTable ? sql`OR EXISTS (SELECT 1 FROM destroyed_dossiers x WHERE x.dossier_id::text = owner_id)` : sql``})`;
  await sql`DELETE FROM fixity_object_refs WHERE owner_kind = 'dossier' AND ${gone}`.execute(db);
  await sql`DELETE FROM fixity_registered WHERE owner_kind = 'dossier' AND ${gone}`.execute(db);
  await sql`DELETE FROM fixity_objects o WHERE NOT EXISTS (SELECT 1 FROM fixity_object_refs r WHERE r.sha256 = o.sha256)`.execute(db);
}

/** Who uses each object: dossiers (id, case index) and AIP paths. */
export async function ownersOf(db: Db, shas: string[]): Promise<Map<string, { dossiers: { id: string; index: string }[]; rejected: string[]; paths: string[] }>> {
  const out = new Map<string, { dossiers: { id: string; index: string }[]; rejected: string[]; paths: string[] }>();
  if (!shas.length) return out;
  const rows = await sql<{ sha256: string; owner_kind: string; owner_id: string; path: string; case_index: string | null }>`
    SELECT r.sha256, r.owner_kind, r.owner_id, r.path, d.case_index
    FROM fixity_object_refs r
    LEFT JOIN dossiers d ON r.owner_kind = 'dossier' AND d.id::text = r.owner_id
    WHERE r.sha256 IN (${sql.join(shas)})
    ORDER BY r.sha256, r.owner_kind, d.case_index, r.path`.execute(db);
  for (const r of rows.rows) {
    const entry = out.get(r.sha256) ?? { dossiers: [], rejected: [], paths: [] };
    if (r.owner_kind === 'dossier' && !entry.dossiers.some((d) => d.id === r.owner_id)) entry.dossiers.push({ id: r.owner_id, index: r.case_index ?? '?' });
    if (r.owner_kind === 'rejected' && !entry.rejected.includes(r.owner_id)) entry.rejected.push(r.owner_id);
    if (!entry.paths.includes(r.path)) entry.paths.push(r.path);
    out.set(r.sha256, entry);
  }
  return out;
}

// ---- runs -----------------------------------------------------------------------------------

export async function insertRun(
  trx: Db,
  run: { trigger: 'schedule' | 'manual'; scope: FixityScope; dossierId: string | null; location: string | null; repair: boolean; actor: Record<string, unknown>; runner: string },
): Promise<string> {
  const row = await trx
    .insertInto('preservation_runs')
    .values({
      mode: 'fixity',
      progress: JSON.stringify({ phase: 'register', done: 0, total: 0, item: '' }),
      trigger: run.trigger,
      scope: run.scope,
      dossier_id: run.dossierId,
      location: run.location,
      repair: run.repair,
      status: 'queued',
      actor: JSON.stringify(run.actor),
      runner: run.runner,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * The run's objects, fixed when it starts so a resumed run checks exactly what was planned.
 * batch: oldest-checked first (never checked leading) until `batchBytes` (at least one object).
 */
export async function planItems(trx: Db, runId: string, plan: { scope: FixityScope; dossierId?: string | null; batchBytes?: number }): Promise<{ planned: number; bytes: number }> {
  let select;
  if (plan.scope === 'dossier') {
    select = sql`SELECT o.sha256, o.size, row_number() OVER (ORDER BY o.sha256) AS ordinal
      FROM fixity_objects o WHERE EXISTS (SELECT 1 FROM fixity_object_refs r WHERE r.sha256 = o.sha256 AND r.owner_kind = 'dossier' AND r.owner_id = ${plan.dossierId!})`;
  } else if (plan.scope === 'batch') {
    select = sql`SELECT sha256, size, ordinal FROM (
        SELECT o.sha256, o.size,
          row_number() OVER (ORDER BY o.last_checked_at NULLS FIRST, o.sha256) AS ordinal,
          sum(o.size) OVER (ORDER BY o.last_checked_at NULLS FIRST, o.sha256 ROWS UNBOUNDED PRECEDING) - o.size AS before
        FROM fixity_objects o) x
      WHERE ordinal = 1 OR before < ${Math.max(1, Math.floor(plan.batchBytes ?? 1))}`;
  } else {
    select = sql`SELECT o.sha256, o.size, row_number() OVER (ORDER BY o.last_checked_at NULLS FIRST, o.sha256) AS ordinal FROM fixity_objects o`;
  }
  await sql`INSERT INTO fixity_run_items (run_id, ordinal, sha256, size) SELECT ${runId}::uuid, s.ordinal, s.sha256, s.size FROM (${select}) s`.execute(trx);
  const totals = await trx
    .selectFrom('fixity_run_items')
    .select([sql<number>`count(*)::int`.as('n'), sql<number>`coalesce(sum(size), 0)::bigint`.as('bytes')])
    .where('run_id', '=', runId)
    .executeTakeFirstOrThrow();
  await trx
    .updateTable('preservation_runs')
    .set({ planned: Number(totals.n), planned_bytes: Number(totals.bytes), progress: JSON.stringify({ phase: 'check', done: 0, total: Number(totals.n), item: '' }) })
    .where('id', '=', runId)
    .execute();
  return { planned: Number(totals.n), bytes: Number(totals.bytes) };
}

export async function pendingItems(db: Db, runId: string, limit: number): Promise<{ ordinal: number; sha256: string; size: number }[]> {
  return db
    .selectFrom('fixity_run_items')
    .select(['ordinal', 'sha256', 'size'])
    .where('run_id', '=', runId)
    .where('outcome', 'is', null)
    .orderBy('ordinal')
    .limit(limit)
    .execute();
}

export async function recordItems(
  trx: Db,
  runId: string,
  items: { ordinal: number; sha256: string; size: number; outcome: FixityObjectState }[],
  options: { updateObjects: boolean },
): Promise<void> {
  for (const item of items) {
    await trx.updateTable('fixity_run_items').set({ outcome: item.outcome }).where('run_id', '=', runId).where('ordinal', '=', item.ordinal).execute();
    if (options.updateObjects) {
      const intact = item.outcome === 'intact' || item.outcome === 'repaired';
      await trx
        .updateTable('fixity_objects')
        .set({ last_checked_at: sql<Date>`now()`, last_state: item.outcome, ...(intact ? { last_intact_at: sql<Date>`now()` } : {}) })
        .where('sha256', '=', item.sha256)
        .execute();
    } else if (item.outcome === 'lost' || item.outcome === 'damaged') {
      await trx.updateTable('fixity_objects').set({ last_state: item.outcome }).where('sha256', '=', item.sha256).execute();
    }
  }
  const bytes = items.reduce((n, i) => n + i.size, 0);
  await trx
    .updateTable('preservation_runs')
    .set({
      done: sql`done + ${items.length}`,
      done_bytes: sql`done_bytes + ${bytes}`,
      heartbeat_at: sql<Date>`now()`,
      // The progress every run shows (phase, done, total, item), from the counts just written.
      progress: sql`jsonb_build_object('phase', 'check', 'done', done + ${items.length}, 'total', planned, 'item', ${items.at(-1)?.sha256 ?? ''}::text)`,
    })
    .where('id', '=', runId)
    .execute();
}

export async function insertFindings(
  trx: Db,
  runId: string,
  findings: { sha256: string; location: string; fault: FixityFault; outcome: FixityFindingOutcome; sourceLocation?: string | null; damagedCopy?: string | null; detail?: string | null }[],
): Promise<void> {
  if (!findings.length) return;
  await trx
    .insertInto('fixity_findings')
    .values(
      findings.map((f) => ({
        run_id: runId,
        sha256: f.sha256,
        location: f.location,
        fault: f.fault,
        outcome: f.outcome,
        source_location: f.sourceLocation ?? null,
        damaged_copy: f.damagedCopy ?? null,
        detail: f.detail ?? null,
      })),
    )
    .execute();
}

export async function findRun(db: Db, id: string): Promise<FixityRunRow | undefined> {
  if (!UUID.test(id)) return undefined;
  return db.selectFrom('preservation_runs').selectAll().where('id', '=', id).where('mode', '=', 'fixity').executeTakeFirst();
}

export async function listRuns(db: Db, limit: number): Promise<Omit<FixityRunRow, 'report'>[]> {
  return db
    .selectFrom('preservation_runs')
    .where('mode', '=', 'fixity')
    .select([
      'id', 'mode', 'trigger', 'scope', 'dossier_id', 'location', 'repair', 'status', 'actor', 'runner', 'started_at', 'finished_at', 'heartbeat_at',
      'progress', 'planned', 'planned_bytes', 'done', 'done_bytes', 'resumed', 'summary', 'report_json_sha256', 'report_pdf_sha256', 'report_signature_sha256', 'error',
    ])
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function activeOrInterrupted(db: Db): Promise<FixityRunRow[]> {
  return db.selectFrom('preservation_runs').selectAll().where('mode', '=', 'fixity').where('status', 'in', ['queued', 'running', 'interrupted']).orderBy('started_at').execute();
}

export async function setStatus(db: Db, id: string, from: FixityRunStatus[], to: FixityRunStatus, extra: { error?: string | null; finished?: boolean; resumed?: boolean } = {}): Promise<boolean> {
  const result = await db
    .updateTable('preservation_runs')
    .set({
      status: to,
      heartbeat_at: sql<Date>`now()`,
      ...(extra.finished ? { finished_at: sql<Date>`now()` } : {}),
      ...(extra.error !== undefined ? { error: extra.error } : {}),
      ...(extra.resumed ? { resumed: sql`resumed + 1` } : {}),
    })
    .where('id', '=', id)
    .where('status', 'in', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function heartbeat(db: Db, id: string): Promise<void> {
  await db.updateTable('preservation_runs').set({ heartbeat_at: sql<Date>`now()` }).where('id', '=', id).where('status', '=', 'running').execute();
}

/** Running runs whose heartbeat is older than staleSeconds (null: every one not in keep). */
export async function staleRuns(db: Db, staleSeconds: number | null, keep: string[]): Promise<FixityRunRow[]> {
  let q = db.selectFrom('preservation_runs').selectAll().where('mode', '=', 'fixity').where('status', 'in', ['queued', 'running']);
  if (staleSeconds !== null) q = q.where('heartbeat_at', '<', sql<Date>`now() - make_interval(secs => ${staleSeconds}::double precision)`);
  if (keep.length) q = q.where('id', 'not in', keep);
  return q.execute();
}

export async function itemTotals(db: Db, runId: string): Promise<Record<FixityObjectState | 'pending', number>> {
  const rows = await db
    .selectFrom('fixity_run_items')
    .select(['outcome', sql<number>`count(*)::int`.as('n')])
    .where('run_id', '=', runId)
    .groupBy('outcome')
    .execute();
  const out: Record<FixityObjectState | 'pending', number> = { intact: 0, repaired: 0, damaged: 0, lost: 0, pending: 0 };
  for (const r of rows) out[r.outcome ?? 'pending'] = Number(r.n);
  return out;
}

export async function runFindings(db: Db, runId: string, limit: number): Promise<Selectable<Database['fixity_findings']>[]> {
  return db.selectFrom('fixity_findings').selectAll().where('run_id', '=', runId).orderBy('found_at').orderBy('sha256').orderBy('location').limit(limit).execute();
}

export async function countFindings(db: Db, runId: string): Promise<number> {
  const r = await db.selectFrom('fixity_findings').select(sql<number>`count(*)::int`.as('n')).where('run_id', '=', runId).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function finishRun(
  db: Db,
  id: string,
  end: { status: 'passed' | 'failed' | 'error'; summary: unknown; report: unknown; error?: string | null },
): Promise<boolean> {
  const result = await db
    .updateTable('preservation_runs')
    .set({
      status: end.status,
      finished_at: sql<Date>`now()`,
      heartbeat_at: sql<Date>`now()`,
      summary: JSON.stringify(end.summary),
      report: JSON.stringify(end.report),
      error: end.error ?? null,
      progress: sql`jsonb_set(progress, '{phase}', '"done"')`,
    })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'running'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function setReportObjects(db: Db, id: string, objects: { json: string; pdf: string | null; signature: string | null }): Promise<void> {
  await db
    .updateTable('preservation_runs')
    .set({ report_json_sha256: objects.json, report_pdf_sha256: objects.pdf, report_signature_sha256: objects.signature })
    .where('id', '=', id)
    .execute();
}

// ---- coverage and schedule ------------------------------------------------------------------

export interface CoverageRow {
  objects: number;
  bytes: number;
  neverChecked: number;
  checkedWithin: number;
  checkedWithinBytes: number;
  oldestCheck: Date | null;
  lost: number;
  damaged: number;
}

export async function coverage(db: Db, withinDays: number): Promise<CoverageRow> {
  const r = await sql<{ objects: number; bytes: number; never: number; within: number; within_bytes: number; oldest: Date | null; lost: number; damaged: number }>`
    SELECT count(*)::int AS objects, coalesce(sum(size), 0)::bigint AS bytes,
      count(*) FILTER (WHERE last_checked_at IS NULL)::int AS never,
      count(*) FILTER (WHERE last_intact_at >= now() - make_interval(days => ${withinDays}))::int AS within,
      coalesce(sum(size) FILTER (WHERE last_intact_at >= now() - make_interval(days => ${withinDays})), 0)::bigint AS within_bytes,
      min(last_checked_at) AS oldest,
      count(*) FILTER (WHERE last_state = 'lost')::int AS lost,
      count(*) FILTER (WHERE last_state = 'damaged')::int AS damaged
    FROM fixity_objects`.execute(db);
  const row = r.rows[0]!;
  return {
    objects: Number(row.objects),
    bytes: Number(row.bytes),
    neverChecked: Number(row.never),
    checkedWithin: Number(row.within),
    checkedWithinBytes: Number(row.within_bytes),
    oldestCheck: row.oldest ? new Date(row.oldest) : null,
    lost: Number(row.lost),
    damaged: Number(row.damaged),
  };
}

/** Objects whose last check found no sound copy anywhere, with their users. */
export async function lostObjects(db: Db, limit: number): Promise<{ sha256: string; size: number; last_checked_at: Date | null }[]> {
  return db.selectFrom('fixity_objects').select(['sha256', 'size', 'last_checked_at']).where('last_state', '=', 'lost').orderBy('sha256').limit(limit).execute();
}

export async function readSchedule(db: Db): Promise<FixityScheduleRow> {
  return db.selectFrom('fixity_schedule').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
}

export async function writeSchedule(
  db: Db,
  patch: Partial<{ enabled: boolean; cycle_days: number; batch_hours: number; repair: boolean; next_batch_at: Date }>,
  actor: Record<string, unknown> | null,
): Promise<FixityScheduleRow> {
  return db
    .updateTable('fixity_schedule')
    .set({ ...patch, updated_at: sql<Date>`now()`, ...(actor ? { updated_by: JSON.stringify(actor) } : {}) })
    .where('id', '=', 1)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Moves the next batch time forward only if it is still `expected` (one scheduler wins). */
export async function claimBatch(db: Db, expected: Date, next: Date): Promise<boolean> {
  const r = await db.updateTable('fixity_schedule').set({ next_batch_at: next }).where('id', '=', 1).where('next_batch_at', '=', expected).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function now(db: Db): Promise<Date> {
  const r = await sql<{ now: Date }>`SELECT now() AS now`.execute(db);
  return new Date(r.rows[0]!.now);
}
