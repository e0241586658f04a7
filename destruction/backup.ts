// Backups (`muragat backup create|restore|list`, docs/destruction.md "Backups"). A backup is a
// folder:
//   backup.json            what it holds: tables with row counts and digests, objects, records
//   db/<table>.jsonl       every row of every table as JSON (to_jsonb), one per line
//   storage/objects/…      every object of every storage location (one copy, verified)
//   storage/records/…      every record (audit anchors) of every location
// Content keys (the key areas, storage/keys.ts) are never in a backup: that is what makes a
// destruction reach backups made before it (p.186-1).
//
// A logical dump through kysely rather than pg_dump or PGlite's dumpDataDir: one format for
// both engines (a backup of the embedded catalog restores on a server and back), no external
// program of a matching major version, rows read in one repeatable-read snapshot, and the
// restore can check the schema (same migrations) and re-apply destructions made after the
// backup was taken (key tombstones) before anything becomes readable.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../database/database';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors';
import { FsObjectStore, type ObjectStore, type Storage } from '../storage';
import { copyKeyArea, keyAreaAt, keyAreasOf, keyTombstone, type KeyTombstone } from '../storage/keys';
import { recordAudit, type Actor } from '../audit/audit.service';

export interface BackupManifest {
  schemaVersion: 'muragat.backup/1';
  id: string;
  createdAt: string;
  engine: string;
  migrations: string[];
  tables: { name: string; rows: number; file: string; sha256: string }[];
  storage: { objects: number; bytes: number; records: number; locations: string[] };
  /** What a backup never holds. */
  excluded: string[];
}

export type BackupPhase = 'database' | 'objects' | 'records' | 'keys' | 'destructions';
export type BackupProgress = (phase: BackupPhase, done: number, total: number, item: string) => void;

const SKIP_TABLES = new Set(['kysely_migration', 'kysely_migration_lock']);
const PAGE = 2000;

async function tableNames(db: Kysely<any>): Promise<string[]> {
  const rows = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
    ORDER BY table_name`.execute(db);
  return rows.rows.map((r) => r.table_name).filter((n) => !SKIP_TABLES.has(n));
}

async function migrationNames(db: Kysely<any>): Promise<string[]> {
  const rows = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db);
  return rows.rows.map((r) => r.name);
}

function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new ValidationError('backup.bad_table_name', 'destruction.backup_bad_table', { table: name.slice(0, 80) });
  return `"${name}"`;
}

function backupId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/** Every object of every location, each copied once from a copy that hashes to its name. */
async function copyObjects(stores: ObjectStore[], target: FsObjectStore, onProgress?: BackupProgress): Promise<{ objects: number; bytes: number }> {
  const names = new Set<string>();
  for (const store of stores) for await (const sha of store.list()) names.add(sha);
  let objects = 0;
  let bytes = 0;
  for (const sha of [...names].sort()) {
    onProgress?.('objects', objects, names.size, sha);
    let copied = false;
    for (const store of stores) {
      if (!(await store.exists(sha).catch(() => false))) continue;
      try {
        // expectedSha256: a damaged copy is refused here and the next location tried.
        const put = await target.put(store.get(sha), { expectedSha256: sha });
        bytes += put.size;
        copied = true;
        break;
      } catch {
        // damaged or unreadable here; another location may hold a sound copy
      }
    }
    if (!copied) throw new ConflictError('backup.no_sound_copy', 'destruction.backup_no_sound_copy', { sha256: sha });
    objects += 1;
  }
  onProgress?.('objects', objects, names.size, '');
  return { objects, bytes };
}

async function recordKinds(store: ObjectStore): Promise<string[]> {
  if (!(store instanceof FsObjectStore)) return ['anchors'];
  return (await readdir(path.join(store.root, 'records')).catch(() => [] as string[])).filter((k) => /^[a-z]+$/.test(k));
}

async function copyRecords(stores: ObjectStore[], target: ObjectStore, onProgress?: BackupProgress): Promise<number> {
  const seen = new Set<string>();
  for (const store of stores) {
    for (const kind of await recordKinds(store)) {
      for (const name of await store.listRecords(kind)) {
        if (seen.has(name)) continue;
        const bytes = await store.getRecord(name);
        if (!bytes) continue;
        if (!(await target.getRecord(name))) await target.putRecord(name, bytes);
        seen.add(name);
        onProgress?.('records', seen.size, seen.size, name);
      }
    }
  }
  return seen.size;
}

/** Takes a backup into `<dir>/<id>/`; returns its manifest. */
export async function createBackup(
  deps: { db: Kysely<Database>; storage: Storage },
  actor: Actor,
  dir: string,
  options: { onProgress?: BackupProgress; now?: Date } = {},
): Promise<BackupManifest & { path: string }> {
  const now = options.now ?? new Date();
  const id = backupId(now);
  const partial = path.join(dir, `.${id}.partial`);
  await mkdir(path.join(partial, 'db'), { recursive: true });
  const tables: BackupManifest['tables'] = [];
  // One snapshot for every table: rows that refer to each other are consistent.
  const migrations = await deps.db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
    const names = await tableNames(trx);
    let done = 0;
    for (const name of names) {
      options.onProgress?.('database', done++, names.length, name);
      const file = `db/${name}.jsonl`;
      const out = createWriteStream(path.join(partial, file));
      const hash = createHash('sha256');
      let rows = 0;
      for (let offset = 0; ; offset += PAGE) {
        const page = await sql<{ r: unknown }>`SELECT to_jsonb(t) AS r FROM ${sql.raw(ident(name))} t ORDER BY t.ctid LIMIT ${PAGE} OFFSET ${offset}`.execute(trx);
        for (const row of page.rows) {
          const line = JSON.stringify(typeof row.r === 'string' ? JSON.parse(row.r) : row.r) + '\n';
          hash.update(line);
          if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
          rows += 1;
        }
        if (page.rows.length < PAGE) break;
      }
      await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
      tables.push({ name, rows, file, sha256: hash.digest('hex') });
    }
    options.onProgress?.('database', names.length, names.length, '');
    return migrationNames(trx);
  });
  // Objects after the snapshot: objects are write-once, so every object the snapshot names is
  // already stored; newer ones are harmless extras.
  const stores = [deps.storage.primary, ...deps.storage.replicas];
  const target = new FsObjectStore(path.join(partial, 'storage'));
  const copied = await copyObjects(stores, target, options.onProgress);
  const records = await copyRecords(stores, target, options.onProgress);
  const engine = (await sql<{ v: string }>`SELECT version() AS v`.execute(deps.db)).rows[0]?.v ?? 'unknown';
  const manifest: BackupManifest = {
    schemaVersion: 'muragat.backup/1',
    id,
    createdAt: now.toISOString(),
    engine,
    migrations,
    tables,
    storage: { objects: copied.objects, bytes: copied.bytes, records, locations: stores.map((s) => s.location) },
    excluded: ['content keys (key areas of the storage locations)'],
  };
  await writeFile(path.join(partial, 'backup.json'), JSON.stringify(manifest, null, 2) + '\n');
  const final = path.join(dir, id);
  await rename(partial, final);
  await recordAudit(deps.db, {
    actor,
    action: 'backup.create',
    objectType: 'backup',
    objectId: id,
    details: { path: final, tables: tables.length, rows: tables.reduce((n, t) => n + t.rows, 0), objects: copied.objects, bytes: copied.bytes, records },
  });
  return { ...manifest, path: final };
}

/** Backups in a folder, newest first. */
export async function listBackups(dir: string): Promise<(BackupManifest & { path: string })[]> {
  const out: (BackupManifest & { path: string })[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith('.')) continue;
    const file = path.join(dir, name, 'backup.json');
    const bytes = await readFile(file).catch(() => null);
    if (!bytes) continue;
    try {
      out.push({ ...(JSON.parse(bytes.toString('utf8')) as BackupManifest), path: path.join(dir, name) });
    } catch {
      // a folder that is not a backup
    }
  }
  return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
}

async function readManifestAt(backupPath: string): Promise<BackupManifest> {
  const bytes = await readFile(path.join(backupPath, 'backup.json')).catch(() => null);
  if (!bytes) throw new NotFoundError('backup.not_found', 'destruction.backup_not_found', { path: backupPath });
  const manifest = JSON.parse(bytes.toString('utf8')) as BackupManifest;
  if (manifest.schemaVersion !== 'muragat.backup/1') throw new ValidationError('backup.unknown_format', 'destruction.backup_unknown_format', { path: backupPath });
  return manifest;
}

async function* jsonLines(file: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) if (line) yield line;
}

export interface RestoreReport {
  id: string;
  tables: number;
  rows: number;
  objects: number;
  records: number;
  keys: { copied: number; tombstones: number };
  /** Dossiers whose key was destroyed after the backup was taken: destroyed again in the restored system. */
  redestroyed: { dossierId: string; keyId: string; destroyedAt: string }[];
}

/**
 * Restores a backup into an empty system (a freshly migrated catalog: no users, transfers or
 * dossiers), with the same migrations. `keyAreas` are key areas of the live system to take the
 * content keys from (the target's own areas are used as they are); keys destroyed there stay
 * destroyed, and the dossiers they sealed are destroyed again here before anything is readable.
 */
export async function restoreBackup(
  deps: { db: Kysely<Database>; storage: Storage },
  actor: Actor,
  backupPath: string,
  options: { keyAreas?: string[]; onProgress?: BackupProgress } = {},
): Promise<RestoreReport> {
  const manifest = await readManifestAt(backupPath);
  // Everything that can refuse is checked before anything is written.
  for (const from of options.keyAreas ?? []) {
    if (!(await stat(from).catch(() => null))) throw new NotFoundError('backup.key_area_not_found', 'destruction.backup_key_area_not_found', { path: from });
  }
  for (const t of manifest.tables) {
    const hash = createHash('sha256');
    for await (const line of jsonLines(path.join(backupPath, t.file))) hash.update(line + '\n');
    if (hash.digest('hex') !== t.sha256) throw new ValidationError('backup.damaged', 'destruction.backup_damaged', { file: t.file, path: backupPath });
  }
  const current = await migrationNames(deps.db);
  if (current.join('\n') !== manifest.migrations.join('\n')) {
    const missing = manifest.migrations.filter((m) => !current.includes(m));
    const extra = current.filter((m) => !manifest.migrations.includes(m));
    throw new ConflictError('backup.schema_differs', 'destruction.backup_schema_differs', { missing: missing.join(', ') || '—', extra: extra.join(', ') || '—' });
  }
  for (const table of ['users', 'transfers', 'dossiers'] as const) {
    const n = await deps.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    if (Number(n?.n ?? 0) > 0) throw new ConflictError('backup.target_not_empty', 'destruction.backup_target_not_empty', { table });
  }
  const targetTables = new Set(await tableNames(deps.db));
  let rows = 0;
  await deps.db.transaction().execute(async (trx) => {
    // Rows go back as they were: triggers (immutability, audit chaining, defaults that insert
    // related rows) and foreign-key order are suspended for this transaction only.
    await sql`SET LOCAL session_replication_role = replica`.execute(trx);
    for (const name of targetTables) await sql`DELETE FROM ${sql.raw(ident(name))}`.execute(trx);
    let done = 0;
    for (const t of manifest.tables) {
      options.onProgress?.('database', done++, manifest.tables.length, t.name);
      if (!targetTables.has(t.name)) throw new ConflictError('backup.schema_differs', 'destruction.backup_schema_differs', { missing: t.name, extra: '—' });
      let batch: string[] = [];
      const flush = async () => {
        if (!batch.length) return;
        await sql`INSERT INTO ${sql.raw(ident(t.name))} OVERRIDING SYSTEM VALUE SELECT * FROM jsonb_populate_recordset(NULL::${sql.raw(ident(t.name))}, ${`[${batch.join(',')}]`}::jsonb)`.execute(trx);
        rows += batch.length;
        batch = [];
      };
      for await (const line of jsonLines(path.join(backupPath, t.file))) {
        batch.push(line);
        if (batch.length >= 500) await flush();
      }
      await flush();
    }
    // Sequences behind serial and identity columns continue after the restored rows.
    const seqs = await sql<{ table_name: string; column_name: string }>`
      SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')`.execute(trx);
    for (const s of seqs.rows) {
      if (SKIP_TABLES.has(s.table_name)) continue;
      await sql`SELECT setval(pg_get_serial_sequence(${`${ident(s.table_name)}`}, ${s.column_name}), coalesce((SELECT max(${sql.ref(s.column_name)}) FROM ${sql.raw(ident(s.table_name))}), 0) + 1, false)`.execute(trx);
    }
  });
  // Storage: the backup's objects and records into every configured location.
  const source = new FsObjectStore(path.join(backupPath, 'storage'));
  const stores = [deps.storage.primary, ...deps.storage.replicas];
  let objects = 0;
  for await (const sha of source.list()) {
    options.onProgress?.('objects', objects, manifest.storage.objects, sha);
    for (const store of stores) if (!(await store.exists(sha))) await store.put(source.get(sha), { expectedSha256: sha });
    objects += 1;
  }
  let records = 0;
  for (const kind of await recordKinds(source)) {
    for (const name of await source.listRecords(kind)) {
      const bytes = (await source.getRecord(name))!;
      for (const store of stores) if (!(await store.getRecord(name))) await store.putRecord(name, bytes);
      records += 1;
      options.onProgress?.('records', records, records, name);
    }
  }
  // Keys: from the live system's key areas (never from the backup, which has none).
  const areas = keyAreasOf(deps.storage);
  const keys = { copied: 0, tombstones: 0 };
  for (const from of options.keyAreas ?? []) {
    for (const to of areas) {
      if (path.resolve(to.dir) === path.resolve(from)) continue;
      const c = await copyKeyArea(keyAreaAt(from), to);
      keys.copied = Math.max(keys.copied, c.keys);
      keys.tombstones = Math.max(keys.tombstones, c.tombstones);
    }
    options.onProgress?.('keys', keys.copied, keys.copied, from);
  }
  const redestroyed = await reapplyDestructions(deps, actor, options.onProgress);
  const report: RestoreReport = { id: manifest.id, tables: manifest.tables.length, rows, objects, records, keys, redestroyed };
  await recordAudit(deps.db, { actor, action: 'backup.restore', objectType: 'backup', objectId: manifest.id, details: { path: backupPath, tables: report.tables, rows, objects, records, keysCopied: keys.copied, redestroyed: redestroyed.map((r) => r.dossierId) } });
  return report;
}

/**
 * Dossiers whose content key was destroyed (a tombstone in a key area) while the restored
 * catalog still holds them as live: their catalog record is taken from the tombstone, their
 * envelopes are deleted from every location, and the event is audited.
 */
export async function reapplyDestructions(deps: { db: Kysely<Database>; storage: Storage }, actor: Actor, onProgress?: BackupProgress): Promise<RestoreReport['redestroyed']> {
  const areas = keyAreasOf(deps.storage);
  const keys = await deps.db.selectFrom('content_keys').select(['key_id', 'dossier_id', 'destroyed_at']).execute();
  const out: RestoreReport['redestroyed'] = [];
  let done = 0;
  for (const k of keys) {
    onProgress?.('destructions', done++, keys.length, k.key_id);
    const stone = await keyTombstone(areas, k.key_id);
    if (!stone) continue;
    const sealed = await deps.db.selectFrom('sealed_objects').select('sealed_sha256').where('key_id', '=', k.key_id).execute();
    const stores = [deps.storage.primary, ...deps.storage.replicas];
    for (const s of sealed) for (const store of stores) await store.destroy(s.sealed_sha256, { destructionActId: stone.destructionActId || 'restored-tombstone' });
    const already = k.dossier_id ? await deps.db.selectFrom('destroyed_dossiers').select('dossier_id').where('dossier_id', '=', k.dossier_id).executeTakeFirst() : undefined;
    await deps.db.transaction().execute(async (trx) => {
      await trx.updateTable('content_keys').set({ destroyed_at: stone.destroyedAt || new Date().toISOString(), destruction_act_id: stone.destructionActId || null }).where('key_id', '=', k.key_id).execute();
      for (const s of sealed) {
        await trx.insertInto('destroyed_objects').values({ sha256: s.sealed_sha256, dossier_id: k.dossier_id ?? k.key_id, act_id: stone.destructionActId || 'restored-tombstone' }).onConflict((oc) => oc.column('sha256').doNothing()).execute();
      }
      if (k.dossier_id && !already) {
        const record = tombstoneRecord(stone);
        if (record) await trx.insertInto('destroyed_dossiers').values({ ...record, dossier_id: k.dossier_id }).onConflict((oc) => oc.column('dossier_id').doNothing()).execute();
        await recordAudit(trx, { actor, action: 'destruction.reapply', objectType: 'dossier', objectId: k.dossier_id, details: { keyId: k.key_id, act: stone.destructionActId, destroyedAt: stone.destroyedAt, objects: sealed.length } });
        out.push({ dossierId: k.dossier_id, keyId: k.key_id, destroyedAt: stone.destroyedAt });
      }
    });
  }
  return out;
}

/** The destroyed_dossiers row a tombstone carries (destruction/execute.ts writes it). */
function tombstoneRecord(stone: KeyTombstone) {
  const r = stone.record as Record<string, unknown> | undefined;
  if (!r || typeof r !== 'object') return null;
  return {
    act_id: String(r.act_id ?? stone.destructionActId),
    act_number: String(r.act_number ?? ''),
    case_index: String(r.case_index ?? ''),
    volume: Number(r.volume ?? 1),
    heading: String(r.heading ?? ''),
    year: r.year === null || r.year === undefined ? null : Number(r.year),
    department: (r.department as string | null) ?? null,
    start_date: (r.start_date as string | null) ?? null,
    end_date: (r.end_date as string | null) ?? null,
    retention: JSON.stringify(r.retention ?? null),
    method: String(r.method ?? ''),
    destroyed_at: String(r.destroyed_at ?? stone.destroyedAt),
    executed_by: String(r.executed_by),
    executed_by_name: String(r.executed_by_name ?? ''),
    final_control: JSON.stringify(r.final_control ?? {}),
    certificate_id: (r.certificate_id as string | null) ?? null,
  };
}
