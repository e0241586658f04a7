// Several HTTP server processes on one port (`muragat serve --processes N`, node:cluster), for a
// catalog on a PostgreSQL server. One Node process answers requests on one core; on a machine
// with more cores the API needs more processes to use them. Every server process is a whole
// `startServer` — sessions, uploads, jobs and schedules already live in the catalog and the
// queue, as for API processes on several machines — except that only the first one seeds the
// demo and starts its ingest (once per start, not once per process). The primary process only
// forks, restarts a process that died, stops them all on SIGTERM/SIGINT, and adds up their
// Prometheus counters so that /metrics, answered by whichever process, covers them all.
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

const INDEX_VAR = 'MURAGAT_SERVER_PROCESS_INDEX';
const FIRST_VAR = 'MURAGAT_SERVER_PROCESS_FIRST';
const METRICS_REQUEST = 'muragat:cluster-metrics';
const METRICS_ANSWER = 'muragat:cluster-metrics-answer';

export interface ServerProcessRole {
  /** 1…N, kept by a replacement. */
  index: number;
  /** The first process of this start: seeds the demo and ingests its transfer. */
  first: boolean;
}

/** This process's place among the server processes; null when `serve` runs as one process. */
export function serverProcessRole(): ServerProcessRole | null {
  if (!cluster.isWorker || !process.env[INDEX_VAR]) return null;
  return { index: Number(process.env[INDEX_VAR]), first: process.env[FIRST_VAR] === '1' };
}

export interface SupervisorEvents {
  /** A server process listens (the first one before the others are started). */
  listening(index: number): void;
  /** A server process ended while the others were not being stopped; `restarting` unless giving up. */
  exited(index: number, code: number | null, signal: string | null, restarting: boolean): void;
}

/**
 * Runs `processes` server processes until SIGTERM/SIGINT, then stops them (each finishes its
 * requests in flight) and resolves with the exit code: 0 when every one stopped cleanly. A
 * process that dies is started again; one that dies before listening, or more than twice per
 * process within a minute, makes the whole server stop with exit code 1 (a configuration or
 * database fault that a restart does not mend).
 */
export async function superviseServerProcesses(processes: number, events: SupervisorEvents): Promise<number> {
  const indexOf = new Map<number, number>();
  const listening = new Set<number>();
  const exits: number[] = [];
  let stopping = false;
  let failed = false;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));

  // The primary adds up the processes' own counters for the one that was asked for /metrics.
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker: Worker, message: { type?: string; id?: number }) => {
    if (message?.type !== METRICS_REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.isConnected() && worker.send({ type: METRICS_ANSWER, id: message.id, text }),
      (error: Error) => worker.isConnected() && worker.send({ type: METRICS_ANSWER, id: message.id, error: error.message }),
    );
  });

  const fork = (index: number, first: boolean): Worker => {
    const worker = cluster.fork({ [INDEX_VAR]: String(index), [FIRST_VAR]: first ? '1' : '0' });
    indexOf.set(worker.id, index);
    return worker;
  };
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    failed ||= code !== 0;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    if (!Object.keys(cluster.workers ?? {}).length) resolveDone(failed ? 1 : 0);
  };

  cluster.on('listening', (worker) => {
    const index = indexOf.get(worker.id)!;
    listening.add(worker.id);
    events.listening(index);
    // The others start once the first has migrated, seeded and listens.
    if (index === 1 && indexOf.size === 1) for (let i = 2; i <= processes; i++) fork(i, false);
  });
  cluster.on('exit', (worker, code, signal) => {
    const index = indexOf.get(worker.id)!;
    indexOf.delete(worker.id);
    const wasListening = listening.delete(worker.id);
    if (stopping) {
      failed ||= code !== 0 && signal !== 'SIGTERM';
      if (!Object.keys(cluster.workers ?? {}).length) resolveDone(failed ? 1 : 0);
      return;
    }
    const now = Date.now();
    exits.push(now);
    while (exits.length && exits[0]! < now - 60_000) exits.shift();
    const giveUp = !wasListening || exits.length > 2 * processes;
    events.exited(index, code, signal, !giveUp);
    if (giveUp) stopAll(1);
    else setTimeout(() => !stopping && fork(index, false), 1000).unref();
  });

  const onSignal = () => stopAll(0);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  fork(1, true);
  try {
    return await done;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

let nextRequest = 0;

/**
 * In a server process: the Prometheus text of every server process's own counters, added up by
 * the primary. `registry` is this process's share, sent when the primary asks.
 */
export function clusterMetricsSource(registry: Registry): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // answers the primary's requests from this process
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = ++nextRequest;
      const timer = setTimeout(() => {
        process.off('message', onMessage);
        reject(new Error('the server processes did not send their metrics within 10 s'));
      }, 10_000);
      function onMessage(message: { type?: string; id?: number; text?: string; error?: string }) {
        if (message?.type !== METRICS_ANSWER || message.id !== id) return;
        clearTimeout(timer);
        process.off('message', onMessage);
        if (message.error !== undefined) reject(new Error(message.error));
        else resolve(message.text ?? '');
      }
      process.on('message', onMessage);
      process.send!({ type: METRICS_REQUEST, id });
    });
}
