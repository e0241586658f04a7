// The tool runner keeps runProcess's contract while starting tools from a small helper process.
import { describe, it, expect, afterAll } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { runTool, startToolRunner, stopToolRunner, watchToolRuns, type ToolRun } from './tool-runner';

afterAll(() => stopToolRunner());

describe('runTool through the helper process', () => {
  it('returns exit code, stdout as a Buffer and stderr, and passes stdin, cwd and env', async () => {
    const r = await runTool('sh', ['-c', 'cat; echo " $PWD $MURAGAT_TEST_VALUE"; echo oops >&2; exit 3'], { input: 'in', cwd: '/tmp', env: { ...process.env, MURAGAT_TEST_VALUE: 'v1' } });
    expect(r.code).toBe(3);
    expect(r.signal).toBeNull();
    expect(Buffer.isBuffer(r.stdout)).toBe(true);
    expect(r.stdout.toString()).toBe('in /tmp v1\n');
    expect(r.stderr).toBe('oops\n');
    expect(r.timedOut).toBe(false);
  });

  it('kills the whole process group on timeout', async () => {
    const started = Date.now();
    const r = await runTool('sh', ['-c', 'sleep 30 & sleep 30; wait'], { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('caps the output it keeps', async () => {
    const r = await runTool('head', ['-c', '3000000', '/dev/zero'], { maxOutputBytes: 1000 });
    expect(r.stdout.length).toBe(1000);
    expect(r.truncated).toBe(true);
  });

  it('reports a missing program as ToolMissingError', async () => {
    await expect(runTool('/nonexistent/muragat-tool', [])).rejects.toMatchObject({ name: 'ToolMissingError' });
  });

  it('tells a watcher of each run, a failed one too, with when it started and ended, until it stops watching', async () => {
    const runs: ToolRun[] = [];
    const unwatch = watchToolRuns((run) => runs.push(run));
    const before = performance.now();
    await runTool('sh', ['-c', 'sleep 0.2']);
    await expect(runTool('/nonexistent/muragat-tool', ['x'])).rejects.toMatchObject({ name: 'ToolMissingError' });
    unwatch();
    await runTool('sh', ['-c', 'true']);
    expect(runs.map((r) => [r.command, r.args])).toEqual([['sh', ['-c', 'sleep 0.2']], ['/nonexistent/muragat-tool', ['x']]]);
    expect(runs[0]!.startedMs).toBeGreaterThanOrEqual(before);
    expect(runs[0]!.endedMs - runs[0]!.startedMs).toBeGreaterThanOrEqual(150);
  });

  it('runs many tools at once and keeps each result with its call', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => runTool('sh', ['-c', `echo ${i}`])));
    expect(results.map((r) => r.stdout.toString().trim())).toEqual(Array.from({ length: 40 }, (_, i) => String(i)));
  });

  it('starts the helper ahead of the first tool, once, and runs tools through it', async () => {
    const helpers = () =>
      readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, 'latin1').includes('tool-runner-child.mjs') && readFileSync(`/proc/${p}/stat`, 'latin1').split(') ')[1]!.split(' ')[1] === String(process.pid);
          } catch {
            return false;
          }
        });
    stopToolRunner();
    await new Promise((r) => setTimeout(r, 300));
    expect(helpers()).toEqual([]);
    startToolRunner();
    startToolRunner();
    expect(helpers()).toHaveLength(1);
    const r = await runTool('sh', ['-c', 'echo $PPID']);
    expect(helpers()).toEqual([r.stdout.toString().trim()]);
  });

  it('falls back to starting tools directly when told to', async () => {
    process.env.MURAGAT_TOOL_RUNNER = 'direct';
    try {
      stopToolRunner();
      const r = await runTool('sh', ['-c', 'echo direct']);
      expect(r.stdout.toString()).toBe('direct\n');
    } finally {
      delete process.env.MURAGAT_TOOL_RUNNER;
    }
  });
});
