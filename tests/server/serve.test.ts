// `muragat serve` end to end in a child process: demo logins table, health, login, and a
// clean exit on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { Client } from './helpers';

const root = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('muragat serve', () => {
  it('starts with --demo on a free port, prints the URL and demo logins, and stops on SIGTERM', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'muragat-serve-'));
    dirs.push(dataDir);
    const env: NodeJS.ProcessEnv = { ...process.env, MURAGAT_DATA_DIR: dataDir, MURAGAT_LANG: 'en', LOG_LEVEL: 'info', DATABASE_URL: '' };
    delete env.VITEST;
    const child = spawn(process.execPath, ['bin/muragat.js', 'serve', '--demo', '--port', '0', '--host', '127.0.0.1'], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed; stdout: ${stdout}\nstderr: ${stderr}`)), 90_000);
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        const m = /listening on (http:\/\/\S+)/.exec(stdout);
        if (m && stdout.includes('researcher')) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on('exit', () => reject(new Error(`serve exited early; stderr: ${stderr}`)));
    });
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(stdout).toContain('Demo logins:');
      expect(stdout).toMatch(/admin\s+demo-admin-muragat\s+admin/);
      expect(stdout).toMatch(/clerk\s+demo-clerk-muragat\s+department_clerk/);
      const client = new Client(url);
      const health = await client.get('/api/health');
      expect(health.status).toBe(200);
      expect(health.body.database.ok).toBe(true);
      const login = await client.login('archivist', 'demo-archivist-muragat');
      expect(login.status).toBe(200);
      expect(login.body.user.roles).toEqual(['archivist']);
      expect((await client.get('/api/audit/verify')).body.ok).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain('Received SIGTERM');
    // The request log is JSON lines without the password.
    expect(stdout).toContain('"url":"/api/auth/login"');
    expect(stdout).not.toMatch(/"password"|demo-archivist-muragat"/);
  }, 120_000);

  it('refuses a bad --port with exit code 2 and says why', async () => {
    const writes: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    const lang = process.env.MURAGAT_LANG;
    process.env.MURAGAT_LANG = 'en';
    try {
      expect(await main(['serve', '--port', 'eighty'])).toBe(2);
    } finally {
      process.stderr.write = original;
      if (lang === undefined) delete process.env.MURAGAT_LANG;
      else process.env.MURAGAT_LANG = lang;
    }
    expect(writes.join('')).toContain('--port must be an integer from 0 to 65535, got eighty');
  });
});
