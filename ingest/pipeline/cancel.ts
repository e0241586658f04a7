// Cancelling a transfer that is being processed. `cancelTransfer` (intake/transfer-state.ts)
// marks the transfer cancelled and reaches the processor two ways: in this process at once,
// through the registry below (an AbortController per running transfer), and in any other
// process (a PostgreSQL worker) through the lease's cancel flag, which the holder's heartbeat
// reads (jobs/leases.ts). The processor then stops the step in flight: it kills the external
// programs working on this transfer (LibreOffice, Ghostscript, qpdf, poppler, ClamAV…), removes
// the work folder and ends the run as cancelled (run.ts).
import { readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';

/** Why a run stopped: the transfer was cancelled (final, not a failure and never retried). */
export class TransferCancelledError extends Error {
  constructor(readonly transferId: string) {
    super(`transfer ${transferId} was cancelled`);
    this.name = 'TransferCancelledError';
  }
}

const running = new Map<string, Set<AbortController>>();

/** Registers a run of `transferId` in this process; the returned function unregisters it. */
export function registerRun(transferId: string, controller: AbortController): () => void {
  let set = running.get(transferId);
  if (!set) running.set(transferId, (set = new Set()));
  set.add(controller);
  return () => {
    set!.delete(controller);
    if (!set!.size && running.get(transferId) === set) running.delete(transferId);
  };
}

/** Signals every run of `transferId` in this process to stop; how many there were. */
export function signalCancel(transferId: string): number {
  const set = running.get(transferId);
  if (!set) return 0;
  for (const c of set) c.abort(new TransferCancelledError(transferId));
  return set.size;
}

interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
}

async function readProc(pid: number): Promise<Proc | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'latin1');
    // "pid (comm) state ppid pgrp …" — comm may hold spaces and parentheses: read after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), pgid: Number(fields[2]) };
  } catch {
    return null;
  }
}

/** This process's descendants (Linux /proc); empty where /proc is not available. */
async function descendants(): Promise<Proc[]> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return [];
  }
  const procs = (await Promise.all(names.filter((n) => /^\d+$/.test(n)).map((n) => readProc(Number(n))))).filter((p): p is Proc => p !== null);
  const children = new Map<number, Proc[]>();
  for (const p of procs) {
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  const out: Proc[] = [];
  const queue = [process.pid];
  while (queue.length) {
    for (const c of children.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c.pid);
    }
  }
  return out;
}

/** Whether the process works on something under `folder` (its arguments or its working directory). */
async function worksIn(pid: number, folder: string): Promise<boolean> {
  try {
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    if (args.some((a) => a.includes(folder))) return true;
  } catch {
    return false;
  }
  try {
    const cwd = await readlink(`/proc/${pid}/cwd`);
    return cwd === folder || cwd.startsWith(folder + path.sep);
  } catch {
    return false;
  }
}

/**
 * Kills (SIGKILL, whole process group) every program this process started, directly or through
 * the tool-runner helper, that works on a file under `folder`. Tools run in their own process
 * group (common/process.ts, the helper), so the group takes their children with them
 * (soffice → soffice.bin). The helper itself and this process's own group are never touched, nor
 * tools working for another transfer. Returns the number of groups killed.
 */
export async function killToolsUnder(folder: string): Promise<number> {
  const own = (await readProc(process.pid))?.pgid;
  const all = await descendants();
  const byPid = new Map(all.map((p) => [p.pid, p]));
  const targets = new Set<number>();
  for (const p of all) {
    if (!(await worksIn(p.pid, folder))) continue;
    const leader = byPid.get(p.pgid);
    // The whole group when its leader works here too (or is gone); otherwise only the process,
    // so a group led by something else (the helper, this process) is never ended with it.
    const group = p.pgid !== own && p.pgid > 1 && (!leader || leader.pid === p.pid || (await worksIn(leader.pid, folder)));
    targets.add(group ? -p.pgid : p.pid);
  }
  for (const target of targets) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return targets.size;
}
