// One runner for every external program (LibreOffice, Ghostscript, poppler, ClamAV, veraPDF):
// timeouts kill the whole process group, output is capped so a chatty or hostile tool cannot
// exhaust memory, and a missing program is reported as such rather than as a crash.
import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, type ToolName } from './config';

export interface RunOptions {
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Uint8Array;
  /** Bytes kept of stdout and of stderr each (default 16 MiB). */
  maxOutputBytes?: number;
  /**
   * Kill the process (timedOut) when stdout stays silent this long: a batch tool that reports
   * file by file (veraPDF) is stopped at the file it hangs on, not after the whole batch's time.
   */
  idleTimeoutMs?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
  truncated: boolean;
  durationMs: number;
}

export class ToolMissingError extends Error {
  constructor(readonly tool: string) {
    super(`${tool} was not found (install it or set its *_BIN variable)`);
    this.name = 'ToolMissingError';
  }
}

export function runProcess(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const max = options.maxOutputBytes ?? 16 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true, // own process group, so a timeout can kill grandchildren too
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    let truncated = false;
    let timedOut = false;
    let idle: NodeJS.Timeout | undefined;
    const armIdle = () => {
      if (!options.idleTimeoutMs) return;
      clearTimeout(idle);
      idle = setTimeout(() => {
        timedOut = true;
        killGroup();
      }, options.idleTimeoutMs);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      armIdle();
      if (outLen < max) out.push(chunk.subarray(0, max - outLen));
      else truncated = true;
      outLen += chunk.length;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (errLen < max) err.push(chunk.subarray(0, max - errLen));
      else truncated = true;
      errLen += chunk.length;
    });
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          killGroup();
        }, options.timeoutMs)
      : undefined;
    armIdle();
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      clearTimeout(idle);
      if (error.code === 'ENOENT') reject(new ToolMissingError(command));
      else reject(error);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      clearTimeout(idle);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        truncated,
        durationMs: Date.now() - started,
      });
    });
    child.stdin.on('error', () => {}); // a tool that exits early closes stdin; not our error
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

const located = new Map<string, string | null>();

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of a tool from its *_BIN variable or PATH, or null when absent. */
export async function findTool(name: ToolName): Promise<string | null> {
  const configured = loadConfig().tools[name];
  const key = `${name}:${configured ?? ''}`;
  if (located.has(key)) return located.get(key)!;
  let found: string | null = null;
  if (configured) {
    found = (await isExecutable(configured)) ? path.resolve(configured) : null;
  } else {
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      if (!dir) continue;
      const candidate = path.join(dir, name);
      if (await isExecutable(candidate)) {
        found = candidate;
        break;
      }
    }
  }
  located.set(key, found);
  return found;
}

/** Runs a named tool; throws ToolMissingError when it is not installed. */
export async function runTool(name: ToolName, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const bin = await findTool(name);
  if (!bin) throw new ToolMissingError(name);
  return runProcess(bin, args, options);
}

/** First line of a tool's version output, or null when absent. Cached per process. */
const versions = new Map<string, Promise<string | null>>();
export function toolVersion(name: ToolName, args: string[] = ['--version']): Promise<string | null> {
  let pending = versions.get(name);
  if (!pending) {
    pending = runTool(name, args, { timeoutMs: 20_000 })
      .then((r) => (r.stdout.toString('utf8') || r.stderr).split('\n').find((l) => l.trim())?.trim() ?? null)
      .catch(() => null);
    versions.set(name, pending);
  }
  return pending;
}
