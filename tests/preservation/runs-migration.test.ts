// Migration 202612080700: the two run tables (integrity_runs, fixity_runs) become one
// (preservation_runs, modes verify and fixity) without losing history — every run keeps its id,
// status, actor, times, progress, summary and report; fixity items and findings keep pointing at
// their run; integrity_runs reads on as a view of the verify runs. On PGlite and on PostgreSQL,
// from a catalog migrated up to the migration before it.
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../database/db';
import { MIGRATION_FOLDERS, migrateToLatest } from '../../database/migrator';
import { testDatabaseKinds } from '../helpers/db';

const MERGE = '202612080700_preservation_runs';

async function migrations(): Promise<Record<string, Migration>> {
  const out: Record<string, Migration> = {};
  for (const folder of MIGRATION_FOLDERS) {
    const files = await readdir(folder).catch(() => [] as string[]);
    for (const file of files.filter((f) => /^\d{12}_[\w-]+\.ts$/.test(f))) out[file.replace(/\.ts$/, '')] = (await import(pathToFileURL(path.join(folder, file)).href)) as Migration;
  }
  return out;
}

async function openEmpty(kind: string): Promise<{ db: Kysely<any>; close(): Promise<void> }> {
  if (kind === 'pglite') {
    const handle = await openDatabase({});
    return { db: handle.db, close: handle.close };
  }
  const base = process.env.TEST_DATABASE_URL!;
  const schema = `t_merge_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const handle: DatabaseHandle = await openDatabase({ url: `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`, poolSize: 2 });
  return {
    db: handle.db,
    async close() {
      await handle.close();
      const cleanup = new pg.Client({ connectionString: base });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
      await cleanup.end();
    },
  };
}

for (const kind of testDatabaseKinds()) {
  describe(`the run tables merged into preservation_runs [${kind}]`, () => {
    it('copies every verify and fixity run with its id, items and findings', async () => {
      const { db, close } = await openEmpty(kind);
      try {
        const all = await migrations();
        const names = Object.keys(all).sort();
        const before = names[names.indexOf(MERGE) - 1]!;
        const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db);
        const migrator = new Migrator({ db, provider: { getMigrations: async () => all }, migrationTableSchema: rows[0]!.schema });
        const up = await migrator.migrateTo(before);
        if (up.error) throw up.error;

        // History as it stood: two verify runs (one passed on the whole archive, one interrupted
        // on one dossier) and two fixity runs (one failed with a finding, one interrupted mid-way).
        const actor = JSON.stringify({ userId: null, username: 'keeper', roles: ['archivist'] });
        const passed = '11111111-1111-4111-8111-111111111111';
        const broken = '22222222-2222-4222-8222-222222222222';
        const failed = '33333333-3333-4333-8333-333333333333';
        const paused = '44444444-4444-4444-8444-444444444444';
        const dossier = '55555555-5555-4555-8555-555555555555';
        const sha = 'a'.repeat(64);
        await sql`INSERT INTO integrity_runs (id, status, repair, dossier_id, actor, runner, started_at, finished_at, progress, report, error) VALUES
          (${passed}, 'passed', true, NULL, ${actor}::jsonb, 'host pid 1', '2026-11-01T10:00:00Z', '2026-11-01T10:05:00Z',
            '{"phase":"done","done":3,"total":3,"item":""}'::jsonb, '{"ok":true,"summary":{"ok":true,"dossiersChecked":3}}'::jsonb, NULL),
          (${broken}, 'error', false, ${dossier}, ${actor}::jsonb, 'host pid 2', '2026-11-02T10:00:00Z', '2026-11-02T10:01:00Z',
            '{"phase":"verify","done":0,"total":1,"item":"04-07"}'::jsonb, NULL, 'interrupted')`.execute(db);
        await sql`INSERT INTO fixity_runs (id, trigger, scope, dossier_id, location, repair, status, actor, runner, started_at, finished_at, planned, planned_bytes, done, done_bytes, resumed, summary, report, report_json_sha256, error) VALUES
          (${failed}, 'schedule', 'batch', NULL, NULL, true, 'failed', ${actor}::jsonb, 'host pid 3', '2026-11-03T10:00:00Z', '2026-11-03T10:02:00Z', 2, 2048, 2, 2048, 1,
            '{"ok":false,"checked":2,"lost":1}'::jsonb, '{"findings":1}'::jsonb, ${sha}, NULL),
          (${paused}, 'manual', 'location', NULL, 's3://bucket/archive', false, 'interrupted', ${actor}::jsonb, 'host pid 4', '2026-11-04T10:00:00Z', NULL, 10, 10240, 4, 4096, 0,
            NULL, NULL, NULL, 'interrupted')`.execute(db);
        await sql`INSERT INTO fixity_run_items (run_id, ordinal, sha256, size, outcome) VALUES (${failed}, 1, ${sha}, 1024, 'lost'), (${paused}, 1, ${sha}, 1024, NULL)`.execute(db);
        await sql`INSERT INTO fixity_findings (run_id, sha256, location, fault, outcome) VALUES (${failed}, ${sha}, 'file:/primary', 'damaged', 'lost')`.execute(db);

        await migrateToLatest(db);

        const runs = (await sql<Record<string, unknown>>`SELECT id, mode, trigger, scope, dossier_id, location, repair, status, runner, finished_at IS NOT NULL AS finished,
            progress, planned, done, resumed, summary, report_json_sha256, error, actor ->> 'username' AS username
          FROM preservation_runs ORDER BY started_at`.execute(db)).rows;
        expect(runs).toEqual([
          expect.objectContaining({ id: passed, mode: 'verify', trigger: 'manual', scope: 'all', repair: true, status: 'passed', finished: true, runner: 'host pid 1', username: 'keeper', summary: { ok: true, dossiersChecked: 3 }, progress: { phase: 'done', done: 3, total: 3, item: '' } }),
          expect.objectContaining({ id: broken, mode: 'verify', scope: 'dossier', dossier_id: dossier, status: 'error', error: 'interrupted', progress: { phase: 'verify', done: 0, total: 1, item: '04-07' } }),
          expect.objectContaining({ id: failed, mode: 'fixity', trigger: 'schedule', scope: 'batch', status: 'failed', planned: 2, done: 2, resumed: 1, summary: { ok: false, checked: 2, lost: 1 }, report_json_sha256: sha, progress: { phase: 'done', done: 2, total: 2, item: '' } }),
          expect.objectContaining({ id: paused, mode: 'fixity', scope: 'location', location: 's3://bucket/archive', status: 'interrupted', finished: false, done: 4, progress: { phase: 'check', done: 4, total: 10, item: '' } }),
        ]);
        // The full verify report came along too.
        expect((await sql<{ report: unknown }>`SELECT report FROM preservation_runs WHERE id = ${passed}`.execute(db)).rows[0]!.report).toEqual({ ok: true, summary: { ok: true, dossiersChecked: 3 } });
        // Items and findings still belong to their run, and go with it.
        expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM fixity_run_items i JOIN preservation_runs r ON r.id = i.run_id`.execute(db)).rows[0]!.n).toBe(2);
        await sql`DELETE FROM preservation_runs WHERE id = ${failed}`.execute(db);
        expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM fixity_findings`.execute(db)).rows[0]!.n).toBe(0);
        // The old tables are gone; integrity_runs reads on as the verify runs.
        expect((await sql<{ t: string | null }>`SELECT to_regclass('fixity_runs')::text AS t`.execute(db)).rows[0]!.t).toBeNull();
        expect((await sql<{ id: string }>`SELECT id FROM integrity_runs ORDER BY started_at`.execute(db)).rows.map((r) => r.id)).toEqual([passed, broken]);
        // One active run per mode: a verify and a fixity run may be at work at once, two of one mode may not.
        await sql`INSERT INTO preservation_runs (mode, status, actor) VALUES ('verify', 'running', ${actor}::jsonb), ('fixity', 'running', ${actor}::jsonb)`.execute(db);
        await expect(sql`INSERT INTO preservation_runs (mode, status, actor) VALUES ('fixity', 'queued', ${actor}::jsonb)`.execute(db)).rejects.toMatchObject({ code: '23505' });
      } finally {
        await close();
      }
    }, 120_000);
  });
}
