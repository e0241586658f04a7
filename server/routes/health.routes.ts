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
import type { ServerDeps } from '../deps';
import { ok, ref, type OpenApiFragment } from '../openapi';
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
  },
  schemas: {
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
