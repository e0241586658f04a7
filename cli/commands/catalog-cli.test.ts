// CLI tests for migrate, user and audit verify, run in-process through main() against a
// PGlite database in a temporary data folder.
// Tests share one data folder and run in order: later ones build on the users added earlier.
// Timeouts are generous because a cold PGlite open and all migrations are slow on a loaded machine.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, setConfig } from '../../common/config';
import { openDatabase } from '../../database/db';
import { runCli as run } from '../../tests/helpers/cli';

let dataDir: string;

async function tamper(statement: string): Promise<void> {
  const handle = await openDatabase({ pgliteDir: path.join(dataDir, 'db') });
  try {
    await handle.db.transaction().execute(async (trx) => {
      await sql`ALTER TABLE audit_events DISABLE TRIGGER USER`.execute(trx);
      await sql.raw(statement).execute(trx);
      // Back to how the migrations leave them (fire always, even in replica mode).
      await sql`ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_update_delete`.execute(trx);
      await sql`ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_truncate`.execute(trx);
    });
  } finally {
    await handle.close();
  }
}

describe('muragat migrate, user, audit verify', () => {
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'muragat-cli-'));
    setConfig(parseConfig({ MURAGAT_DATA_DIR: dataDir, MURAGAT_LANG: 'en' }));
    process.env.MURAGAT_LANG = 'en';
  });
  afterAll(() => {
    delete process.env.MURAGAT_LANG;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrates once, then reports the schema as current', async () => {
    const first = await run('migrate', '--json');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as { applied: string[]; database: string };
    expect(report.applied).toContain('202611220100_catalog_core');
    expect(report.database).toBe(path.join(dataDir, 'db'));
    const second = await run('migrate');
    expect(second).toMatchObject({ code: 0 });
    expect(second.stdout).toContain('up to date');
  }, 180_000);

  it('adds users with a generated password printed once, lists and suspends them', async () => {
    const added = await run('user', 'add', 'aigerim', '--role', 'admin', 'archivist', '--full-name', 'Сәрсенова Айгерім', '--json');
    expect(added.code).toBe(0);
    const body = JSON.parse(added.stdout) as { user: { username: string; roles: string[] }; generatedPassword: string };
    expect(body.user).toMatchObject({ username: 'aigerim', roles: ['admin', 'archivist'] });
    expect(body.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(added.stdout.match(new RegExp(body.generatedPassword, 'g'))).toHaveLength(1);

    const text = await run('user', 'add', 'bolat', '--role', 'researcher', '--full-name', 'Ахметов Болат');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/User "bolat" added \(roles: researcher\)\.\nPassword \(shown only once, keep it safe\): [A-Za-z0-9_-]{24}\n/);

    const bad = await run('user', 'add', 'x2', '--role', 'boss', '--full-name', 'X');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Unknown roles: boss');

    const missingDepartment = await run('user', 'add', 'x3', '--role', 'researcher', '--full-name', 'X', '--department', '09');
    expect(missingDepartment.code).toBe(1);
    expect(missingDepartment.stderr).toContain('Department "09" was not found');

    const duplicate = await run('user', 'add', 'bolat', '--role', 'researcher', '--full-name', 'Ахметов Болат');
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('[user.username_taken]');

    const suspended = await run('user', 'suspend', 'bolat', '--reason', 'contract ended');
    expect(suspended).toMatchObject({ code: 0, stdout: 'User "bolat" suspended.\n' });

    const list = await run('user', 'list', '--json');
    const users = (JSON.parse(list.stdout) as { users: { username: string; status: string }[] }).users;
    expect(users.map((u) => [u.username, u.status])).toEqual([
      ['aigerim', 'active'],
      ['bolat', 'suspended'],
    ]);
    expect(list.stdout).not.toMatch(/argon2|password/i);
    const table = await run('user', 'list', '--status', 'suspended');
    expect(table.stdout).toMatch(/^bolat\s+suspended\s+—\s+researcher\s+Ахметов Болат\nTotal: 1\n$/);
  }, 180_000);

  it('verifies the audit chain and names the first broken event after tampering (exit 1)', async () => {
    const ok = await run('audit', 'verify', '--json');
    expect(ok.code).toBe(0);
    const intact = JSON.parse(ok.stdout) as { ok: boolean; checked: number };
    expect(intact).toMatchObject({ ok: true });
    expect(intact.checked).toBe(3);

    await tamper(`UPDATE audit_events SET details = jsonb_set(details, '{reason}', '"never happened"') WHERE action = 'user.suspend'`);
    const broken = await run('audit', 'verify');
    expect(broken.code).toBe(1);
    // First line the chain; then the anchor check of the log head (intact here: event 3 keeps its hash).
    expect(broken.stdout.split('\n')[0]).toBe('Audit log broken: event 3 was edited, its hash no longer matches (3 of 3 checked).');

    const json = await run('audit', 'verify', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, firstBroken: { id: 3, reason: 'edited' } });

    await tamper(`DELETE FROM audit_events WHERE id = 3`);
    await tamper(`DELETE FROM audit_events WHERE id = 1`);
    const deleted = await run('audit', 'verify');
    expect(deleted.code).toBe(1);
    expect(deleted.stdout).toContain('events before event 2 were deleted');
  }, 180_000);

  it('exits 2 when the database cannot be opened', async () => {
    setConfig(parseConfig({ DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none' }));
    try {
      const result = await run('audit', 'verify');
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/ECONNREFUSED|connect/);
    } finally {
      setConfig(parseConfig({ MURAGAT_DATA_DIR: dataDir }));
    }
  }, 180_000);

  it('reads the password from standard input with --password-stdin', () => {
    const bin = path.resolve(import.meta.dirname, '../../bin/muragat.js');
    const env = { ...process.env, MURAGAT_DATA_DIR: dataDir, MURAGAT_LANG: 'en', DATABASE_URL: '' };
    const result = spawnSync(process.execPath, [bin, 'user', 'add', 'saule', '--role', 'clerk', '--full-name', 'X', '--password-stdin'], { input: 'x\n', env, encoding: 'utf8' });
    expect(result.status).toBe(2);
    const added = spawnSync(
      process.execPath,
      [bin, 'user', 'add', 'saule', '--role', 'department_head', '--full-name', 'Жұмабекова Сәуле', '--password-stdin', '--json'],
      { input: 'a long passphrase\n', env, encoding: 'utf8' },
    );
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    const body = JSON.parse(added.stdout) as Record<string, unknown>;
    expect(body).not.toHaveProperty('generatedPassword');
    expect(added.stdout).not.toContain('a long passphrase');
  }, 180_000);
});
