// GET /api/health: is the catalog reachable, are the storage locations writable, which
// external programs are installed. Answers 503 when the archive cannot work.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import Router from '@koa/router';
import { sql } from 'kysely';
import type { ToolName } from '../../common/config';
import { findTool, toolVersion } from '../../common/process';
import { t } from '../../common/i18n';
import { malwareHealth } from '../../ingest/scan';
import { jobQueueFor } from '../../jobs';
import { state } from '../auth';
import { sameToken } from '../sessions';
import { ForbiddenError, UnauthorizedError } from '../../common/errors';
import type { ServerDeps } from '../deps';
import { errors, ok, ref, type OpenApiFragment } from '../openapi';
import { APP_VERSION } from '../version';

export const HEALTH_TOOLS: ToolName[] = ['soffice', 'gs', 'pdftoppm', 'pdftotext', 'qpdf', 'clamscan', 'verapdf'];
// Tools that print their version for a flag other than --version.
const VERSION_ARGS: Partial<Record<ToolName, string[]>> = { pdftoppm: ['-v'], pdftotext: ['-v'] };

async function checkLocation(root: string): Promise<{ ok: boolean; problem?: string }> {
  try {
    const s = await stat(root);
    if (!s.isDirectory()) return { ok: false, problem: 'not a directory' };
    await access(root, constants.W_OK);
    return { ok: true };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, problem: code === 'ENOENT' ? 'missing' : code === 'EACCES' ? 'not writable' : String(code ?? error) };
  }
}

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  router.get('/api/health', async (ctx) => {
    const started = Date.now();
    let database: { ok: boolean; ms?: number; problem?: string };
    try {
      await sql`SELECT 1`.execute(deps.db);
      database = { ok: true, ms: Date.now() - started };
    } catch (error) {
      deps.logger.error({ err: error }, 'health: database check failed');
      database = { ok: false, problem: 'unreachable' };
    }
    // Anyone may ask whether the archive is up; only an admin learns where the files are.
    const showPaths = !!state(ctx).user?.roles.includes('admin');
    const storage = await Promise.all(
      deps.config.storage.map(async (loc, i) => ({
        role: i === 0 ? 'primary' : 'replica',
        ...(showPaths ? { location: loc.kind === 'file' ? loc.root : [deps.storage.primary, ...deps.storage.replicas][i]?.location } : {}),
        // An S3 location is reachable when its records can be listed.
        ...(loc.kind === 'file'
          ? await checkLocation(loc.root)
          : await ([deps.storage.primary, ...deps.storage.replicas][i]?.listRecords('anchors') ?? Promise.reject(new Error('not opened'))).then(
              () => ({ ok: true }),
              () => ({ ok: false, problem: 'unreachable' }),
            )),
      })),
    );
    const tools = Object.fromEntries(
      await Promise.all(
        HEALTH_TOOLS.map(async (name) => {
          const found = await findTool(name);
          const version = found ? await toolVersion(name, VERSION_ARGS[name]) : null;
          return [name, { found: !!found, version }] as const;
        }),
      ),
    );
    // Scanning that cannot work does not stop the archive (the policy decides what happens to
    // unscanned files) but must be seen: a warning in the reader's language.
    const scan = await malwareHealth({ policy: deps.config.malwarePolicy, databaseDir: deps.config.clamavDatabaseDir });
    const warnings: { code: string; message: string }[] = scan.warning
      ? [{ code: scan.warning, message: t(state(ctx).lang, scan.warning, { dir: showPaths ? scan.databaseDir : '…', policy: scan.policy }) }]
      : [];
    // MURAGAT_PDFA_ENGINE asks ingest for veraPDF: without it no rendition can be validated.
    if (deps.config.pdfaEngine !== 'builtin' && !tools.verapdf?.found) {
      warnings.push({ code: 'pdfa.health_verapdf_missing', message: t(state(ctx).lang, 'pdfa.health_verapdf_missing', { engine: deps.config.pdfaEngine }) });
    }
    const malware = { engine: scan.engine, database: scan.database, signatureFiles: scan.signatureFiles, policy: scan.policy, ...(showPaths ? { databaseDir: scan.databaseDir } : {}) };
    // Jobs waiting or running per kind (graphile-worker on a server, this process on PGlite).
    const queue = jobQueueFor({ db: deps.db, config: deps.config });
    const jobs = { queue: queue.kind, depth: database.ok ? await queue.depth().catch(() => null) : null };
    const healthy = database.ok && storage.every((s) => s.ok);
    ctx.status = healthy ? 200 : 503;
    ctx.body = { status: healthy ? 'ok' : 'unavailable', version: APP_VERSION, database, storage, tools, malware, warnings, jobs };
  });

  // Liveness: the process answers. Nothing else is consulted, so a slow database never gets a
  // working process restarted.
  router.get('/api/health/live', (ctx) => {
    ctx.body = { status: 'ok', version: APP_VERSION };
  });

  // Readiness: this process can serve requests now — the catalog answers, every storage location
  // is reachable, and it is not stopping. A balancer sends traffic only while this says 200.
  router.get('/api/health/ready', async (ctx) => {
    const problems: string[] = [];
    if (deps.lifecycle.closing) problems.push('stopping');
    try {
      await sql`SELECT 1`.execute(deps.db);
    } catch {
      problems.push('database');
    }
    const stores = [deps.storage.primary, ...deps.storage.replicas];
    const locations = await Promise.all(
      deps.config.storage.map((loc, i) => (loc.kind === 'file' ? checkLocation(loc.root) : (stores[i]?.listRecords('anchors') ?? Promise.reject(new Error('not opened'))).then(() => ({ ok: true }), () => ({ ok: false })))),
    );
    locations.forEach((l, i) => {
      if (!l.ok) problems.push(`storage-${i}`);
    });
    ctx.status = problems.length ? 503 : 200;
    ctx.body = { status: problems.length ? 'unavailable' : 'ok', problems };
  });

  // Prometheus metrics (server/metrics.ts): a scraper sends the configured bearer token; without
  // one configured, only an administrator's session reads them (they show the archive's activity).
  router.get('/metrics', async (ctx) => {
    const token = deps.config.metricsToken;
    const bearer = /^Bearer (.+)$/.exec(ctx.get('authorization'))?.[1];
    const byToken = !!token && !!bearer && sameToken(bearer, token);
    if (!byToken && !state(ctx).user?.roles.includes('admin')) {
      throw state(ctx).user ? new ForbiddenError('auth.forbidden', 'server.metrics_forbidden') : new UnauthorizedError('auth.unauthenticated', 'server.metrics_forbidden');
    }
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.render();
  });
  return router;
}

export const openapi: OpenApiFragment = {
  paths: {
    '/api/health': {
      get: {
        summary: 'Database, storage and external tools status (no session needed)',
        tags: ['meta'],
        responses: { '200': ok('All required parts work', ref('Health')), '503': ok('Database or storage unavailable', ref('Health')) },
      },
    },
    '/api/health/live': {
      get: {
        summary: 'Liveness: the process answers (no session needed; consults nothing else)',
        tags: ['meta'],
        responses: { '200': ok('The process is alive', { type: 'object', required: ['status'], properties: { status: { const: 'ok' }, version: { type: 'string' } } }) },
      },
    },
    '/api/health/ready': {
      get: {
        summary: 'Readiness: catalog reachable, every storage location reachable, not stopping (no session needed)',
        tags: ['meta'],
        responses: {
          '200': ok('Ready for requests', ref('Readiness')),
          '503': ok('Not ready: the problems name what (database, storage-N, stopping)', ref('Readiness')),
        },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics (bearer MURAGAT_METRICS_TOKEN, or an administrator session)',
        tags: ['meta'],
        responses: {
          '200': { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } },
          ...errors(401, 403),
        },
      },
    },
  },
  schemas: {
    Readiness: {
      type: 'object',
      required: ['status', 'problems'],
      properties: { status: { enum: ['ok', 'unavailable'] }, problems: { type: 'array', items: { type: 'string' } } },
    },
    Health: {
      type: 'object',
      required: ['status', 'version', 'database', 'storage', 'tools'],
      properties: {
        status: { enum: ['ok', 'unavailable'] },
        version: { type: 'string' },
        database: { type: 'object', properties: { ok: { type: 'boolean' }, ms: { type: 'number' }, problem: { type: 'string' } } },
        storage: {
          type: 'array',
          items: {
            type: 'object',
            properties: { role: { enum: ['primary', 'replica'] }, location: { type: 'string', description: 'Shown to admins only' }, ok: { type: 'boolean' }, problem: { type: 'string' } },
          },
        },
        tools: {
          type: 'object',
          additionalProperties: { type: 'object', properties: { found: { type: 'boolean' }, version: { type: ['string', 'null'] } } },
        },
        malware: {
          type: 'object',
          description: 'Whether ClamAV can scan: engine installed, signature database present',
          properties: {
            engine: { type: 'boolean' },
            database: { type: 'boolean' },
            signatureFiles: { type: 'integer' },
            policy: { enum: ['refuse', 'accept-with-warning'] },
            databaseDir: { type: 'string', description: 'Shown to admins only' },
          },
        },
        jobs: {
          type: 'object',
          properties: {
            queue: { enum: ['graphile-worker', 'in-process'] },
            depth: { type: ['object', 'null'], additionalProperties: { type: 'integer' }, description: 'Jobs waiting or running, per kind; null when unknown' },
          },
        },
        warnings: {
          type: 'array',
          description: 'Problems that do not stop the archive but need an administrator, translated',
          items: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
  },
};
