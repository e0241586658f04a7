// The retention list (перечень) of the records catalog: versions, one version's articles (with
// category and ЭПК mark), export as CSV or JSON, and import of a new version by the archive.
import Router from '@koa/router';
import { NotFoundError, ValidationError } from '../../common/errors';
import { RetentionListInvalidError, createRetentionService, describeProblem, type ArticleFields, type ListFormat, type ListProblem } from '../../catalog/retention';
import type { Language } from '../../common/i18n';
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

const PREVIEW_SCHEMA = {
  type: 'object',
  required: ['format', 'content'],
  additionalProperties: false,
  properties: { format: { enum: ['csv', 'json'] }, content: { type: 'string', minLength: 1 }, sourceName: { type: 'string', maxLength: 200 } },
} as const;
/** A draft starts from a version (the latest by default) or from a file. */
const DRAFT_SCHEMA = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      properties: { fromVersion: { type: 'integer', minimum: 1, description: 'Copy this version (default: the latest)' } },
    },
    IMPORT_SCHEMA,
  ],
} as const;
const RENAME_SCHEMA = { type: 'object', required: ['title'], additionalProperties: false, properties: { title: { type: 'string', maxLength: 500 } } } as const;
/** Field values are checked by the list's own rules (catalog/retention), which name the field and the reason in words. */
const ARTICLE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    article: { type: 'string', maxLength: 200 },
    documentTypeKk: { type: 'string', maxLength: 5000 },
    documentTypeRu: { type: 'string', maxLength: 5000 },
    retention: {
      description: '{ kind, years } or the text of the list ("5 лет ЭПК")',
      oneOf: [
        { type: 'string', maxLength: 100 },
        { type: 'object', additionalProperties: false, required: ['kind'], properties: { kind: { type: 'string', maxLength: 30 }, years: { type: ['integer', 'null'] } } },
      ],
    },
    note: { type: ['string', 'null'], maxLength: 5000 },
    personnel: { type: 'boolean', description: 'Documents on personnel (по личному составу)' },
  },
} as const;
const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const validatePreview = bodyValidator<{ format: ListFormat; content: string; sourceName?: string }>(PREVIEW_SCHEMA);
const validateDraft = bodyValidator<{ fromVersion?: number } | { format: ListFormat; content: string; sourceName?: string; title?: string }>(DRAFT_SCHEMA);
const validateRename = bodyValidator<{ title: string }>(RENAME_SCHEMA);
const validateArticle = bodyValidator<ArticleFields>(ARTICLE_SCHEMA);

function language(lang: string): Language {
  return lang === 'ru' || lang === 'en' ? lang : 'kk';
}

/** Each problem with its words in the reader's language beside its key and params. */
function worded(lang: Language, problems: ListProblem[]) {
  return problems.map((p) => ({ ...p, message: describeProblem(lang, p) }));
}

/** Runs a list change; a refused file or article answers 400 with every problem in words. */
async function withProblems<T>(lang: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof RetentionListInvalidError)) throw error;
    throw new ValidationError(error.code, error.messageKey, error.params, { problems: worded(language(lang), error.problems) });
  }
}

function articleId(value: string | undefined): string {
  if (!value || !ID_PATTERN.test(value)) throw new ValidationError('retention.invalid_article_id', 'retention.invalid_article_id', { value: String(value ?? '') });
  return value;
}

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

  // The draft is the archive's work in progress, not in force: only its editors see it.
  router.get('/api/retention-lists/draft', keepers, async (ctx) => {
    const draft = await retention.draft();
    if (!draft) throw new NotFoundError('retention.no_draft', 'retention.no_draft');
    ctx.body = { draft };
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
    const created = await withProblems(state(ctx).lang, () => retention.importList(actor, input));
    ctx.status = 201;
    ctx.body = created;
  });

  // A file read as the import reads it, nothing stored: what the UI shows before importing.
  router.post('/api/retention-lists/preview', keepers, async (ctx) => {
    const { actor } = requireUser(ctx);
    const input = validatePreview(await jsonBody(ctx, MAX_IMPORT_BYTES));
    const { articles, problems } = retention.preview(actor, input);
    ctx.body = { articles, problems: worded(language(state(ctx).lang), problems) };
  });

  router.post('/api/retention-lists/draft', keepers, async (ctx) => {
    const { actor } = requireUser(ctx);
    const input = validateDraft(await jsonBody(ctx, MAX_IMPORT_BYTES));
    const draft = await withProblems(state(ctx).lang, () => retention.createDraft(actor, input));
    ctx.status = 201;
    ctx.body = { draft };
  });

  router.patch('/api/retention-lists/draft', keepers, async (ctx) => {
    const { actor } = requireUser(ctx);
    const { title } = validateRename(await jsonBody(ctx, 64 * 1024));
    ctx.body = { draft: await withProblems(state(ctx).lang, () => retention.renameDraft(actor, title)) };
  });

  router.delete('/api/retention-lists/draft', keepers, async (ctx) => {
    const { actor } = requireUser(ctx);
    await retention.discardDraft(actor);
    ctx.status = 204;
  });

  router.post('/api/retention-lists/draft/articles', keepers, async (ctx) => {
    const { actor } = requireUser(ctx);
    const fields = validateArticle(await jsonBody(ctx, 64 * 1024));
    const article = await withProblems(state(ctx).lang, () => retention.addArticle(actor, fields));
    ctx.status = 201;
    ctx.body = { article };
  });

  router.put('/api/retention-lists/draft/articles/:id', keepers, async (ctx) => {
    const { actor } = requireUser(ctx);
    const id = articleId(ctx.params.id);
    const fields = validateArticle(await jsonBody(ctx, 64 * 1024));
    ctx.body = { article: await withProblems(state(ctx).lang, () => retention.updateArticle(actor, id, fields)) };
  });

  router.delete('/api/retention-lists/draft/articles/:id', keepers, async (ctx) => {
    const { actor } = requireUser(ctx);
    await retention.removeArticle(actor, articleId(ctx.params.id));
    ctx.status = 204;
  });

  router.post('/api/retention-lists/draft/publish', keepers, async (ctx) => {
    const { actor } = requireUser(ctx);
    const version = await withProblems(state(ctx).lang, () => retention.publishDraft(actor));
    ctx.status = 201;
    ctx.body = version;
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
    sourceFormat: { enum: ['csv', 'json', 'editor'] },
    importedBy: { type: 'string' },
    importedAt: { type: 'string', format: 'date-time' },
    articleCount: { type: 'integer' },
    basedOnVersion: { type: ['integer', 'null'] },
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
    personnel: { type: 'boolean' },
  },
};
/** A dossier's retention as the dossier views return it (catalog/retention assessDossiers). */
export const DOSSIER_RETENTION_SCHEMA = {
  type: ['object', 'null'],
  description: 'Category, ЭПК mark and earliest destruction (1 January of Y+N+1) from the retention list; null when the metadata holds no period',
  properties: {
    retention: PERIOD,
    article: { type: ['string', 'null'] },
    listVersion: { type: ['integer', 'null'], description: 'The retention list version the dossier was given when stored' },
    articleInList: { type: ['boolean', 'null'] },
    personnel: { type: 'boolean' },
    category: { enum: ['permanent', 'over_10', 'up_to_10', 'personnel'] },
    epk: { type: 'boolean' },
    closedYear: { type: ['integer', 'null'] },
    earliestDestruction: { type: ['string', 'null'], format: 'date' },
    destruction: {
      type: 'object',
      description: 'never (permanent); when_no_longer_needed (ДМН); from a date, with expertReview for the ЭПК mark; unknown (no closing year)',
      properties: { kind: { enum: ['never', 'when_no_longer_needed', 'from', 'unknown'] }, date: { type: 'string', format: 'date' }, expertReview: { type: 'boolean' } },
    },
  },
};
const DRAFT_ARTICLE = { allOf: [ARTICLE, { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } }] };
const DRAFT = {
  type: 'object',
  properties: {
    draft: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        title: { type: 'string' },
        basedOnVersion: { type: ['integer', 'null'] },
        sourceName: { type: ['string', 'null'] },
        sourceFormat: { enum: ['csv', 'json', 'editor'] },
        createdBy: { type: 'string' },
        createdAt: { type: 'string', format: 'date-time' },
        updatedBy: { type: 'string' },
        updatedAt: { type: 'string', format: 'date-time' },
        articles: { type: 'array', items: DRAFT_ARTICLE },
      },
    },
  },
};
const PROBLEM = {
  type: 'object',
  properties: { row: { type: 'integer' }, field: { type: 'string' }, code: { type: 'string' }, params: { type: 'object' }, message: { type: 'string' } },
};
const KEEPERS_ONLY = 'archivist, admin';
const ARTICLE_ID = { name: 'id', in: 'path', required: true, description: 'Id of the article in the draft', schema: { type: 'string', format: 'uuid' } };

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
    '/api/retention-lists/preview': {
      post: {
        summary: `Read a CSV or JSON file as the import would, storing nothing: its articles and every problem with row, field and words (${KEEPERS_ONLY})`,
        tags: ['catalog'],
        security: [{ session: [], csrf: [] }],
        requestBody: { required: true, content: jsonContent(PREVIEW_SCHEMA) },
        responses: {
          '200': ok('Articles read and problems found', { type: 'object', properties: { articles: { type: 'array', items: ARTICLE }, problems: { type: 'array', items: PROBLEM } } }),
          ...errors(400, 401, 403, 413),
        },
      },
    },
    '/api/retention-lists/draft': {
      get: {
        summary: `The draft being edited (${KEEPERS_ONLY}); 404 retention.no_draft when there is none`,
        tags: ['catalog'],
        security: [{ session: [] }],
        responses: { '200': ok('The draft', DRAFT), ...errors(401, 403, 404) },
      },
      post: {
        summary: `Start the draft: a copy of a version ({ fromVersion }, default the latest) or a file ({ format, content }, all or nothing) (${KEEPERS_ONLY})`,
        description: 'One draft at a time: 409 retention.draft_exists while one is open. Audited as retention_list.draft_create.',
        tags: ['catalog'],
        security: [{ session: [], csrf: [] }],
        requestBody: { required: true, content: jsonContent(DRAFT_SCHEMA) },
        responses: { '201': ok('The new draft', DRAFT), ...errors(400, 401, 403, 404, 409, 413) },
      },
      patch: {
        summary: `Rename the draft (${KEEPERS_ONLY}); audited as retention_list.draft_rename`,
        tags: ['catalog'],
        security: [{ session: [], csrf: [] }],
        requestBody: { required: true, content: jsonContent(RENAME_SCHEMA) },
        responses: { '200': ok('The draft', DRAFT), ...errors(400, 401, 403, 404) },
      },
      delete: {
        summary: `Discard the draft (${KEEPERS_ONLY}); audited as retention_list.draft_discard`,
        tags: ['catalog'],
        security: [{ session: [], csrf: [] }],
        responses: { '204': { description: 'Discarded' }, ...errors(401, 403, 404) },
      },
    },
    '/api/retention-lists/draft/articles': {
      post: {
        summary: `Add an article to the draft (${KEEPERS_ONLY}); problems by field; audited as retention_list.article_add`,
        tags: ['catalog'],
        security: [{ session: [], csrf: [] }],
        requestBody: { required: true, content: jsonContent(ARTICLE_SCHEMA) },
        responses: { '201': ok('The article', { type: 'object', properties: { article: DRAFT_ARTICLE } }), ...errors(400, 401, 403, 404) },
      },
    },
    '/api/retention-lists/draft/articles/{id}': {
      put: {
        summary: `Change an article of the draft (${KEEPERS_ONLY}); audited as retention_list.article_update with before and after`,
        tags: ['catalog'],
        security: [{ session: [], csrf: [] }],
        parameters: [ARTICLE_ID],
        requestBody: { required: true, content: jsonContent(ARTICLE_SCHEMA) },
        responses: { '200': ok('The article', { type: 'object', properties: { article: DRAFT_ARTICLE } }), ...errors(400, 401, 403, 404) },
      },
      delete: {
        summary: `Remove an article from the draft (${KEEPERS_ONLY}); audited as retention_list.article_remove`,
        tags: ['catalog'],
        security: [{ session: [], csrf: [] }],
        parameters: [ARTICLE_ID],
        responses: { '204': { description: 'Removed' }, ...errors(400, 401, 403, 404) },
      },
    },
    '/api/retention-lists/draft/publish': {
      post: {
        summary: `Publish the draft as the next version (${KEEPERS_ONLY}); dossiers stored before keep their version; audited as retention_list.publish`,
        tags: ['catalog'],
        security: [{ session: [], csrf: [] }],
        responses: { '201': ok('The new version', VERSION), ...errors(400, 401, 403, 404) },
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
