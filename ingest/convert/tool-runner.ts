// Starts the converters' tools (gs, qpdf, soffice, pdftoppm, pdftotext) through a small helper
// process instead of from the ingest process itself. Node spawns by fork + exec, and fork copies
// the page tables of the whole caller: with the embedded PGlite catalog loaded (≈ 400 MB) each
// spawn blocked the event loop for ≈ 25–30 ms, several times per document. The helper
// (tool-runner-child.mjs) is a plain Node process of a few tens of MB where a spawn costs ≈ 2 ms.
// Same contract as runProcess (common/process.ts); when the helper cannot be started, or
// MURAGAT_TOOL_RUNNER=direct, the tools are started directly with runProcess.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runProcess, ToolMissingError, type RunOptions, type RunResult } from '../../common/process';

const CHILD = fileURLToPath(new URL('./tool-runner-child.mjs', import.meta.url));

interface Pending {
  owner: ChildProcess;
  command: string;
  resolve: (r: RunResult) => void;
  reject: (e: Error) => void;
}

type Reply =
  | { id: number; result: Omit<RunResult, 'stdout'> & { stdout: Uint8Array } }
  | { id: number; error: { code: string | null; message: string } };

let helper: ChildProcess | null = null;
let helperFailed = false;
let nextId = 1;
const pending = new Map<number, Pending>();

function holdOpen(hold: boolean): void {
  // Idle, the helper must not keep the ingest process alive; busy, it must.
  if (!helper) return;
  if (hold) {
    helper.ref();
    helper.channel?.ref();
  } else {
    helper.unref();
    helper.channel?.unref();
  }
}

function startHelper(): ChildProcess | null {
  if (helper) return helper;
  if (helperFailed || process.env.MURAGAT_TOOL_RUNNER === 'direct' || !existsSync(CHILD)) return null;
  // The helper gets no loaders (tsx, vitest): it is plain JavaScript and should stay small. It
  // has its own session, as the tools always had: a Ctrl-C for the terminal's process group
  // must not end it (the worker finishes its current transfer on SIGINT); it ends with its
  // parent (see the child's disconnect handler).
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  let child: ChildProcess;
  try {
    child = fork(CHILD, [], { execArgv: [], env, serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'], detached: true });
  } catch {
    helperFailed = true;
    return null;
  }
  child.on('message', (msg: Reply) => {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (!pending.size) holdOpen(false);
    if ('error' in msg) {
      if (msg.error.code === 'ENOENT') p.reject(new ToolMissingError(p.command));
      else p.reject(Object.assign(new Error(msg.error.message), { code: msg.error.code ?? undefined }));
      return;
    }
    const r = msg.result;
    p.resolve({ ...r, stdout: Buffer.from(r.stdout.buffer, r.stdout.byteOffset, r.stdout.byteLength) });
  });
  const gone = (why: string) => {
    if (helper === child) helper = null;
    for (const [id, p] of pending) {
      if (p.owner !== child) continue;
      pending.delete(id);
      p.reject(new Error(`the tool runner ended (${why}) while ${p.command} was running`));
    }
  };
  child.on('exit', (code, signal) => gone(signal ?? `exit code ${code}`));
  child.on('error', (error) => {
    // Could not start (or lost) the helper: from now on start tools directly.
    helperFailed = true;
    gone(error.message);
  });
  helper = child;
  holdOpen(false);
  return child;
}

/** One finished tool run, for a bench's timeline: when it started and ended (performance.now()). */
export interface ToolRun {
  command: string;
  args: string[];
  startedMs: number;
  endedMs: number;
}

const runWatchers = new Set<(run: ToolRun) => void>();

/** Calls `watcher` after every tool run until the returned function is called (bench:ingest-mixed). */
export function watchToolRuns(watcher: (run: ToolRun) => void): () => void {
  runWatchers.add(watcher);
  return () => runWatchers.delete(watcher);
}

/** runProcess through the helper process (see the file comment). */
export function runTool(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  if (!runWatchers.size) return runOnce(command, args, options);
  const startedMs = performance.now();
  const told = () => {
    const run = { command, args, startedMs, endedMs: performance.now() };
    for (const w of runWatchers) w(run);
  };
  const running = runOnce(command, args, options);
  running.then(told, told);
  return running;
}

function runOnce(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  const child = startHelper();
  if (!child) return runProcess(command, args, options);
  return new Promise<RunResult>((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { owner: child, command, resolve, reject });
    holdOpen(true);
    const request = {
      id,
      command,
      args,
      cwd: options.cwd,
      env: options.env ?? process.env,
      input: options.input,
      timeoutMs: options.timeoutMs,
      maxOutputBytes: options.maxOutputBytes,
    };
    child.send(request, (error) => {
      if (!error) return;
      // The helper is gone or its channel is closed: run this one directly.
      if (!pending.delete(id)) return;
      if (!pending.size) holdOpen(false);
      runProcess(command, args, options).then(resolve, reject);
    });
  });
}

/**
 * Starts the helper now rather than with the first tool (it then lives as long as this process).
 * A worker's helper is already running when it takes its next transfer; bench:ingest-mixed
 * starts it before its clock, as it loads the tools.
 */
export function startToolRunner(): void {
  startHelper();
}

/** Stops the helper (tests; a process that exits does not need to call this). */
export function stopToolRunner(): void {
  const child = helper;
  helper = null;
  child?.disconnect();
}
