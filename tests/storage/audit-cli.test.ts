// `muragat audit verify`, `muragat audit anchor` and `muragat verify` in-process through main(),
// against a PGlite catalog in a temp data folder with a primary and a replica location: the
// anchored log passes; deleting its last event and rewriting an event with recomputed hashes
// are each named; a database edit of a dossier title is named by `verify` with both values.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, setConfig, type Config } from '../../common/config';
import { openCatalog } from '../../database/open';
import { SYSTEM_ACTOR, computeAuditHash, recordAudit } from '../../audit/audit.service';
import { runIngest } from '../../ingest';
import { packTransfer } from '../../ingest/transfer/index';
import { KAZAKH_TEXT } from '../../ingest/transfer/testing/fixtures';
import { openStorage } from '../../storage';
import { runCli as run } from '../helpers/cli';

let dataDir: string;
let config: Config;

/** Opens the catalog directly, as someone with database access would, and closes it again. */
async function withDb(fn: (db: Awaited<ReturnType<typeof openCatalog>>['db']) => Promise<void>): Promise<void> {
  const catalog = await openCatalog(config);
  try {
    await fn(catalog.db);
  } finally {
    await catalog.close();
  }
}

async function asSuperuser(fn: (db: Awaited<ReturnType<typeof openCatalog>>['db']) => Promise<void>): Promise<void> {
  await withDb(async (db) => {
    await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`.execute(db);
    try {
      await fn(db);
    } finally {
      await sql`ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_update_delete`.execute(db);
    }
  });
}

describe('muragat audit verify / audit anchor / verify against tampering', () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'muragat-audit-cli-'));
    config = parseConfig({
      MURAGAT_DATA_DIR: dataDir,
      MURAGAT_LANG: 'en',
      MURAGAT_STORAGE: `file:${path.join(dataDir, 'primary')},file:${path.join(dataDir, 'replica')}`,
      MURAGAT_TRUST_DIR: path.join(dataDir, 'trust'),
      MURAGAT_MALWARE_POLICY: 'accept-with-warning',
    });
    setConfig(config);
    process.env.MURAGAT_LANG = 'en';
    const tree = path.join(dataDir, 'tree');
    await mkdir(path.join(tree, '06-01'), { recursive: true });
    await writeFile(
      path.join(tree, 'transfer.json'),
      JSON.stringify({
        organisation: { bin: '123456789012', name: '«Мұрағат Үлгі» ЖШС' },
        department: { code: '06', name: 'Шаруашылық бөлімі' },
        year: 2023,
        fonds: '12',
        people: { compiledBy: { name: 'Әбенова Г. С.', position: 'іс жүргізуші' }, headOfDepartment: { name: 'Сейітов Н. Қ.', position: 'бөлім басшысы' } },
      }),
    );
    await writeFile(path.join(tree, '06-01', 'dossier.json'), JSON.stringify({ title: 'Шаруашылық хаттары', retention: { kind: 'years', years: 5, article: '44' } }));
    await writeFile(path.join(tree, '06-01', '2023-06-01 Хат №7.txt'), KAZAKH_TEXT.join('\n') + '\n');
    await packTransfer(tree, path.join(dataDir, 'transfer.tar'));
    await withDb(async (db) => {
      const report = await runIngest({ db, storage: openStorage(config), config }, { tarPath: path.join(dataDir, 'transfer.tar') });
      expect(report.dossiers[0]!.documents.every((d) => d.status === 'accepted')).toBe(true);
    });
  }, 300_000);
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('anchors the head and verifies the log with its anchors', async () => {
    const anchored = await run('audit', 'anchor');
    expect(anchored.code, anchored.stderr).toBe(0);
    expect(anchored.stdout).toMatch(/^Audit log head anchored: \d+ events, record anchors\/.+\.json in file:.+primary, file:.+replica\.\n$/);
    const ok = await run('audit', 'verify');
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/^Audit log intact: \d+ events checked, head hash [0-9a-f]{64}\.\nAnchors: 1 signed anchor of the log head checked; the latest \(.+, manual\) records \d+ events\.\n$/);
  }, 120_000);

  it('names the deletion of the last event, which the chain alone lets through', async () => {
    let last = 0;
    await asSuperuser(async (db) => {
      last = Number((await db.selectFrom('audit_events').select('id').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow()).id);
      await sql`DELETE FROM audit_events WHERE id = ${last}`.execute(db);
    });
    const res = await run('audit', 'verify');
    expect(res.code).toBe(1);
    const [chain, , problem] = res.stdout.split('\n');
    expect(chain).toMatch(/^Audit log intact/);
    expect(problem).toContain(`Audit log truncated: the anchor of`);
    expect(problem).toContain(`but event ${last} is gone; the log now has ${last - 1} events ending with event ${last - 1}.`);
    const json = JSON.parse((await run('audit', 'verify', '--json')).stdout) as { ok: boolean; anchors: { problems: { kind: string; id: number }[] } };
    expect(json.ok).toBe(false);
    expect(json.anchors.problems).toEqual([expect.objectContaining({ kind: 'truncated', id: last })]);
  }, 120_000);

  it('names a rewrite with recomputed hashes after a new anchor', async () => {
    await withDb(async (db) => {
      for (let i = 0; i < 3; i++) await recordAudit(db, { actor: SYSTEM_ACTOR, action: 'test.event', objectType: 'test', objectId: String(i), details: { i } });
    });
    // The CLI anchors the head it leaves behind; this one is anchored explicitly.
    expect((await run('audit', 'anchor')).code).toBe(0);
    let head = 0;
    await asSuperuser(async (db) => {
      const rows = await db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(2).execute();
      rows.reverse();
      head = Number(rows[1]!.id);
      let prev = (await db.selectFrom('audit_events').select('hash').where('id', '=', Number(rows[0]!.id) - 1).executeTakeFirstOrThrow()).hash;
      for (const row of rows) {
        const details = row === rows[0] ? { i: 'rewritten' } : row.details;
        const hash = computeAuditHash({ ...row, details, prev_hash: prev });
        await db.updateTable('audit_events').set({ details: JSON.stringify(details), prev_hash: prev, hash }).where('id', '=', row.id).execute();
        prev = hash;
      }
    });
    const res = await run('audit', 'verify');
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^Audit log intact/);
    expect(res.stdout).toContain(`Audit log rewritten: event ${head} now has hash`);
  }, 120_000);

  it('verify names a damaged copy and records nothing; an export serves the replica, queues the copy; integrity run --repair repairs it', async () => {
    let dossier = '';
    let inventory = { sha256: '', path: '' };
    await withDb(async (db) => {
      const d = await db.selectFrom('dossiers').select(['id', 'aip_manifest_sha256']).executeTakeFirstOrThrow();
      dossier = d.id;
      const manifest = JSON.parse((await openStorage(config).replicas[0]!.getBytes(d.aip_manifest_sha256)).toString('utf8')) as { files: { path: string; sha256: string; role: string }[] };
      inventory = manifest.files.find((f) => f.role === 'internal-inventory')!;
    });
    const primaryFile = path.join(dataDir, 'primary', 'objects', inventory.sha256.slice(0, 2), inventory.sha256.slice(2, 4), inventory.sha256);
    const sound = await readFile(primaryFile);
    const bad = Buffer.from(sound);
    bad[0] = bad[0]! ^ 0x20;
    await chmod(primaryFile, 0o644);
    await writeFile(primaryFile, bad);
    const queued = async () => {
      let rows: { status: string; detected_by: string }[] = [];
      await withDb(async (db) => {
        rows = await db.selectFrom('storage_repairs').select(['status', 'detected_by']).where('sha256', '=', inventory.sha256).execute();
      });
      return rows;
    };

    const verified = await run('verify', '--all');
    expect(verified.code).toBe(1);
    expect(verified.stdout).toContain(`object-corrupt: object ${inventory.sha256} in file:${path.join(dataDir, 'primary')} hashes to`);
    expect(await queued()).toEqual([]);

    const out = path.join(dataDir, 'export');
    const exported = await run('dossier', 'export', dossier, '--out', out);
    expect(exported.code, exported.stderr).toBe(0);
    expect((await readFile(path.join(out, inventory.path))).equals(sound)).toBe(true);
    expect(await queued()).toEqual([{ status: 'pending', detected_by: 'read' }]);

    const repaired = await run('integrity', 'run', '--repair', '--json');
    expect(repaired.code, repaired.stdout).toBe(0);
    // The run's own check found the same copy and restored it first; the queued entry is closed as resolved.
    expect(await queued()).toEqual([{ status: 'resolved', detected_by: 'read' }]);
    expect((await readFile(primaryFile)).equals(sound)).toBe(true);
  }, 180_000);

  it('verify names a dossier title edited in the database, with both values', async () => {
    await withDb((db) => sql`UPDATE dossiers SET title = 'Жалған атау'`.execute(db).then(() => undefined));
    const res = await run('verify', '--all');
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('catalog-mismatch: dossier title: the database says "Жалған атау", the AIP says "Шаруашылық хаттары" [dossier.json]');
  }, 120_000);
});
