// Prometheus metrics (prom-client) for operators: HTTP traffic and errors counted by this process,
// and the archive's state read from the catalog at scrape time (transfers, the job queue, ingest
// rate, the last integrity run), so every API process reports the same archive-wide figures and
// nothing is lost when one restarts. One registry per server: tests run several in one process.
import { sql, type Kysely } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Config } from '../common/config';
import type { Database } from '../database/database';
import { jobQueueFor } from '../jobs';
import { clusterMetricsSource, serverProcessRole } from './cluster';

export interface ServerMetrics {
  registry: Registry;
  /** The Prometheus text exposition, with the catalog's figures read now. */
  render(): Promise<string>;
  /** Counts one answered request; `route` is the matched pattern (never the raw path: ids would explode the series). */
  observeRequest(input: { method: string; route: string; status: number; seconds: number }): void;
}

export function createServerMetrics(deps: { db: Kysely<Database>; config: Config }): ServerMetrics {
  // This process's own figures (HTTP, Node) apart from the catalog's: with several server
  // processes (server/cluster.ts) the first are added up across them, the second read once.
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'muragat' });
  collectDefaultMetrics({ register: registry, prefix: 'muragat_' });
  const catalog = new Registry();
  catalog.setDefaultLabels({ service: 'muragat' });
  const processFigures = serverProcessRole() ? clusterMetricsSource(registry) : () => registry.metrics();

  const requests = new Counter({
    name: 'muragat_http_requests_total',
    help: 'HTTP requests answered, by method, matched route and status class',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'muragat_http_server_errors_total',
    help: 'HTTP requests answered with a 5xx status, by matched route',
    labelNames: ['route'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'muragat_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and matched route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  // Catalog-derived gauges: one query per scrape each; a failed read leaves the gauge empty
  // (and muragat_catalog_up at 0) rather than failing the whole scrape.
  const catalogUp = new Gauge({ name: 'muragat_catalog_up', help: '1 when the catalog answered the last scrape', registers: [catalog] });
  const transfers = new Gauge({ name: 'muragat_transfers', help: 'Transfers by status', labelNames: ['status'] as const, registers: [catalog] });
  const ingested = new Gauge({
    name: 'muragat_ingest_documents_last_hour',
    help: 'Documents of transfers that finished in the last hour (the ingest rate)',
    registers: [catalog],
  });
  const queueDepth = new Gauge({ name: 'muragat_jobs_queue_depth', help: 'Jobs waiting or running, by kind', labelNames: ['job'] as const, registers: [catalog] });
  const integrityOk = new Gauge({ name: 'muragat_integrity_last_run_ok', help: '1 when the last finished integrity run passed, 0 when it failed', registers: [catalog] });
  const integrityAt = new Gauge({ name: 'muragat_integrity_last_run_timestamp_seconds', help: 'When the last integrity run finished (Unix time)', registers: [catalog] });
  const integrityRunning = new Gauge({ name: 'muragat_integrity_runs_running', help: 'Integrity runs queued or running', registers: [catalog] });

  async function collectCatalog(): Promise<void> {
    transfers.reset();
    queueDepth.reset();
    try {
      const byStatus = await deps.db.selectFrom('transfers').select(['status', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('status').execute();
      for (const row of byStatus) transfers.set({ status: row.status }, Number(row.n));
      const hour = await sql<{ n: string }>`
        SELECT count(*) AS n FROM documents d JOIN transfers t ON t.id = d.transfer_id
        WHERE t.finished_at > now() - interval '1 hour'`.execute(deps.db);
      ingested.set(Number(hour.rows[0]?.n ?? 0));
      const last = await deps.db
        .selectFrom('integrity_runs')
        .select(['status', 'finished_at'])
        .where('status', 'in', ['passed', 'failed'])
        .orderBy('finished_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (last?.finished_at) {
        integrityOk.set(last.status === 'passed' ? 1 : 0);
        integrityAt.set(new Date(last.finished_at as unknown as string).getTime() / 1000);
      }
      const running = await deps.db.selectFrom('integrity_runs').select((eb) => eb.fn.countAll<string>().as('n')).where('status', 'in', ['queued', 'running']).executeTakeFirst();
      integrityRunning.set(Number(running?.n ?? 0));
      const depth = await jobQueueFor({ db: deps.db, config: deps.config }).depth();
      for (const [job, n] of Object.entries(depth)) queueDepth.set({ job }, n);
      catalogUp.set(1);
    } catch {
      catalogUp.set(0);
    }
  }
  const scrapeSeconds = new Gauge({ name: 'muragat_metrics_scrape_catalog_seconds', help: 'Time spent reading the catalog for the last scrape', registers: [catalog] });

  return {
    registry,
    async render() {
      // The catalog is read once per scrape, before the text is made.
      const started = process.hrtime.bigint();
      await collectCatalog();
      scrapeSeconds.set(Number(process.hrtime.bigint() - started) / 1e9);
      return (await processFigures()) + (await catalog.metrics());
    },
    observeRequest({ method, route, status, seconds }) {
      requests.inc({ method, route, status: `${Math.floor(status / 100)}xx` });
      duration.observe({ method, route }, seconds);
      if (status >= 500) errors.inc({ route });
    },
  };
}
