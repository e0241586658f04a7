// `muragat backup create|list|restore` in-process, on the embedded catalog: a backup of a system
// with one audit anchor and a stored object, listed, then restored into an empty system (another
// data folder and storage), whose `verify --all` passes; a second restore is refused by name;
// `muragat act execute` refuses an unknown executor in words.
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../helpers/cli';
import { parseConfig, setConfig } from '../../common/config';

describe('muragat backup', () => {
  let root: string;
  // The CLI reads the process's configuration (cached): each system gets its own.
  const use = (name: string) =>
    setConfig(parseConfig({ MURAGAT_DATA_DIR: path.join(root, name, 'data'), MURAGAT_STORAGE: `file:${path.join(root, name, 'a')},file:${path.join(root, name, 'b')}`, MURAGAT_LANG: 'en', LOG_LEVEL: 'silent' }));
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'muragat-backup-cli-'));
    vi.stubEnv('MURAGAT_LANG', 'en');
    vi.stubEnv('LOG_LEVEL', 'silent');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await rm(root, { recursive: true, force: true });
  });

  it('creates, lists and restores into an empty system, which then verifies', async () => {
    use('live');
    // A command that writes an audit event anchors it in storage: a record to back up.
    const user = await runCli('user', 'add', 'archivist1', '--full-name', 'Архивист', '--role', 'archivist');
    expect(user.code, user.stderr).toBe(0);
    const made = await runCli('backup', 'create', '--json');
    expect(made.code, made.stderr).toBe(0);
    const manifest = JSON.parse(made.stdout) as { id: string; path: string; tables: { name: string; rows: number }[]; storage: { records: number } };
    expect(manifest.tables.find((t) => t.name === 'users')?.rows).toBe(1);
    expect(manifest.storage.records).toBeGreaterThan(0);
    const listed = await runCli('backup', 'list');
    expect(listed.stdout).toContain(manifest.id);

    use('restored');
    // A key area that does not exist is refused before anything is written.
    const missing = await runCli('backup', 'restore', manifest.path, '--keys-from', path.join(root, 'nowhere', 'keys'));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('was not found');
    await mkdir(path.join(root, 'live', 'a', 'keys'), { recursive: true });
    const restored = await runCli('backup', 'restore', manifest.path, '--keys-from', path.join(root, 'live', 'a', 'keys'));
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain(`Backup ${manifest.id} restored`);
    expect((await readdir(path.join(root, 'restored', 'a', 'records', 'anchors'))).length).toBeGreaterThan(0);
    const verify = await runCli('verify', '--all');
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const again = await runCli('backup', 'restore', manifest.path);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('only into an empty system');
  }, 300_000);

  it('refuses to execute an act for an unknown user, in words', async () => {
    use('live');
    const r = await runCli('act', 'execute', '00000000-0000-4000-8000-000000000000', '--as', 'nobody', '--confirm', '1/2031');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('There is no user "nobody"');
  }, 120_000);
});
