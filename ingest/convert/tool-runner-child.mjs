// Child half of ingest/convert/tool-runner.ts: a small Node process (plain JavaScript, no
// loaders, a few tens of MB) that starts the converters' tools on behalf of the ingest process.
// fork(2) copies the caller's page tables, so a spawn from the ingest process (hundreds of MB:
// the embedded PGlite catalog) blocks its event loop for tens of milliseconds; from here it
// costs about two. Semantics are those of runProcess in common/process.ts: own process group,
// the group killed on timeout, output capped. When the parent goes away (even by SIGKILL) the
// IPC channel closes and every tool still running is killed with its group.
import { spawn } from 'node:child_process';

const running = new Map();

function killGroup(child) {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

function run(req) {
  const started = Date.now();
  const max = req.maxOutputBytes ?? 16 * 1024 * 1024;
  let child;
  try {
    child = spawn(req.command, req.args, { cwd: req.cwd, env: req.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    process.send({ id: req.id, error: { code: error?.code ?? null, message: String(error?.message ?? error) } });
    return;
  }
  running.set(req.id, child);
  const out = [];
  const err = [];
  let outLen = 0;
  let errLen = 0;
  let truncated = false;
  let timedOut = false;
  let settled = false;
  child.stdout.on('data', (chunk) => {
    if (outLen < max) out.push(chunk.subarray(0, max - outLen));
    else truncated = true;
    outLen += chunk.length;
  });
  child.stderr.on('data', (chunk) => {
    if (errLen < max) err.push(chunk.subarray(0, max - errLen));
    else truncated = true;
    errLen += chunk.length;
  });
  const timer = req.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        killGroup(child);
      }, req.timeoutMs)
    : undefined;
  const finish = (message) => {
    if (settled) return;
    settled = true;
    if (timer) clearTimeout(timer);
    running.delete(req.id);
    if (process.connected) process.send(message);
  };
  child.on('error', (error) => finish({ id: req.id, error: { code: error.code ?? null, message: error.message } }));
  child.on('close', (code, signal) => {
    finish({
      id: req.id,
      result: {
        code,
        signal,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        truncated,
        durationMs: Date.now() - started,
      },
    });
  });
  child.stdin.on('error', () => {}); // a tool that exits early closes stdin
  if (req.input !== undefined && req.input !== null) child.stdin.end(typeof req.input === 'string' ? req.input : Buffer.from(req.input));
  else child.stdin.end();
}

process.on('message', (req) => {
  if (req && typeof req === 'object' && typeof req.id === 'number') run(req);
});
process.on('disconnect', () => {
  for (const child of running.values()) killGroup(child);
  process.exit(0);
});
