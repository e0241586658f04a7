// The retention list (перечень) of the records catalog: versions, one version's articles (with
// category and ЭПК mark), export as CSV or JSON, and import of a new version by the archive.
import Router from '@koa/router';
import { ValidationError } from '../../common/errors';
import { RetentionListInvalidError, createRetentionService, describeProblem, type ListFormat } from '../../catalog/retention';
import { requireRole, requireUser, state } from '../auth';
import { jsonBody } from '../body';
import type { ServerDeps } from '../deps';
import { errors, jsonContent, ok, type OpenApiFragment } from '../openapi';
import { bodyValidator, queryValidator } from '../validate';

/** A real list is some hundred kilobytes; 10 MB leaves room and bounds the parse. */
const MAX_IMPORT_BYTES = 10 * 1024 * 1024;

const IMPORT_SCHEMA = {
  type: 'object',
  required: ['format', 'content'],
  additionalProperties: false,
  properties: {
    format: { enum: ['csv', 'json'] },
    content: { type: 'string', minLength: 1, description: 'The file text (CSV with header article,document_type_kk,document_type_ru,retention,note; or JSON)' },
    sourceName: { type: 'string', maxLength: 200, description: 'Name of the uploaded file' },
    title: { type: 'string', maxLength: 500, description: 'Title of the new version' },
  },
} as const;
const GET_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { format: { enum: ['csv', 'json'] }, lang: { type: 'string' } },
} as const;

const validateImport = bodyValidator<{ format: ListFormat; content: string; sourceName?: string; title?: string }>(IMPORT_SCHEMA);
const validateGet = queryValidator<{ format?: ListFormat }>(GET_QUERY_SCHEMA);

function versionParam(value: string | undefined): number | undefined {
  if (value === 'latest') return undefined;
  if (!value || !/^[1-9][0-9]{0,8}$/.test(value)) throw new ValidationError('retention.invalid_version', 'retention.invalid_version', { value: String(value) });
  return Number(value);
}

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  const anyUser = requireRole();
  const keepers = requireRole('archivist', 'admin');
  const retention = createRetentionService({ db: deps.db });

  router.get('/api/retention-lists', anyUser, async (ctx) => {
    ctx.body = { versions: await retention.versions() };
  });

  router.get('/api/retention-lists/:version', anyUser, async (ctx) => {
    const { format } = validateGet(ctx.query);
    const version = versionParam(ctx.params.version);
    if (!format) {
      ctx.body = await retention.get(version);
      return;
    }
    const exported = await retention.exportList(format, version);
    ctx.type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8';
    ctx.set('Content-Disposition', `attachment; filename="retention-list-v${exported.version}.${format}"`);
    ctx.body = exported.content;
  });

  router.post('/api/retention-lists', keepers, async (ctx) => {
    const { actor } = requireUser(ctx);
    const input = validateImport(await jsonBody(ctx, MAX_IMPORT_BYTES));
    try {
      ctx.status = 201;
      ctx.body = await retention.importList(actor, input);
    } catch (error) {
      if (!(error instanceof RetentionListInvalidError)) throw error;
      // Each problem in words too, in the request's language, beside its key and params.
      const lang = state(ctx).lang;
      const problems = error.problems.map((p) => ({ ...p, message: describeProblem(lang === 'en' ? 'en' : lang, p) }));
      throw new ValidationError(error.code, error.messageKey, error.params, { problems });
    }
  });

  return router;
}

const PERIOD = { type: 'object', properties: { kind: { enum: ['permanent', 'years', 'years_epk', 'until_needed'] }, years: { type: ['integer', 'null'] } } };
const VERSION = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    version: { type: 'integer' },
    title: { type: 'string' },
    sourceName: { type: ['string', 'null'] },
    sourceFormat: { enum: ['csv', 'json'] },
    importedBy: { type: 'string' },
    importedAt: { type: 'string', format: 'date-time' },
    articleCount: { type: 'integer' },
  },
};
const ARTICLE = {
  type: 'object',
  properties: {
    position: { type: 'integer' },
    article: { type: 'string' },
    documentTypeKk: { type: 'string' },
    documentTypeRu: { type: 'string' },
    retention: PERIOD,
    category: { enum: ['permanent', 'over_10', 'up_to_10', 'personnel'] },
    epk: { type: 'boolean' },
    note: { type: ['string', 'null'] },
  },
};

export const openapi: OpenApiFragment = {
  paths: {
    '/api/retention-lists': {
      get: {
        summary: 'Versions of the retention list (перечень), latest first (any signed-in user)',
        tags: ['catalog'],
        security: [{ session: [] }],
        responses: { '200': ok('Versions', { type: 'object', properties: { versions: { type: 'array', items: VERSION } } }), ...errors(401) },
      },
      post: {
        summary: 'Import a retention list from CSV or JSON as a new version (archivist, admin)',
        description:
          'All or nothing: a file with any bad row is refused with 400 retention.invalid_list, details.problems listing every problem ' +
          '(row: CSV line or JSON item number; field; code; params; message in the request language). Audited as retention_list.import.',
        tags: ['catalog'],
        security: [{ session: [], csrf: [] }],
        requestBody: { required: true, content: jsonContent(IMPORT_SCHEMA) },
        responses: { '201': ok('The new version', VERSION), ...errors(400, 401, 403, 413) },
      },
    },
    '/api/retention-lists/{version}': {
      get: {
        summary: 'One version with its articles, category and ЭПК mark; or the version as a CSV or JSON file with ?format= (any signed-in user)',
        tags: ['catalog'],
        security: [{ session: [] }],
        parameters: [
          { name: 'version', in: 'path', required: true, description: 'Version number, or "latest"', schema: { type: 'string', pattern: '^(latest|[1-9][0-9]{0,8})$' } },
          { name: 'format', in: 'query', required: false, description: 'csv or json: answer the file the import reads', schema: { enum: ['csv', 'json'] } },
        ],
        responses: {
          '200': {
            description: 'The version and its articles, or the file',
            content: { ...jsonContent({ allOf: [VERSION, { type: 'object', properties: { articles: { type: 'array', items: ARTICLE } } }] }), 'text/csv': { schema: { type: 'string' } } },
          },
          ...errors(400, 401, 404),
        },
      },
    },
  },
};
