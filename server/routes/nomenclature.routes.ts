// The nomenclature of cases (App. 26): read by every signed-in user; drafted by the records
// service and the archive (create, copy last year's, revise an approved one, import, edit
// cases and sections); signed, agreed and approved step by step by the roles of p.133; the
// year-end counts and summary; export as CSV or JSON. Rules live in catalog/nomenclature.
import Router from '@koa/router';
import { ValidationError } from '../../common/errors';
import type { Role } from '../../accounts/roles';
import { EDITORS, NomenclatureFileInvalidError, STEP_ROLES, createNomenclatureService, describeFileProblem, type NomenclatureFileFormat, type StepInput } from '../../catalog/nomenclature';
import { requireRole, requireUser, state } from '../auth';
import { jsonBody } from '../body';
import type { ServerDeps } from '../deps';
import { errors, jsonContent, ok, type OpenApiFragment } from '../openapi';
import { bodyValidator, queryValidator } from '../validate';

const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
const SMALL = 64 * 1024;

const RETENTION = {
  type: ['object', 'null'],
  additionalProperties: false,
  required: ['kind'],
  properties: { kind: { enum: ['permanent', 'years', 'years_epk', 'until_needed'] }, years: { type: ['integer', 'null'] }, article: { type: ['string', 'null'], maxLength: 50 } },
} as const;
const ITEM_FIELDS = {
  heading: { type: 'string', minLength: 1, maxLength: 1000 },
  headingRu: { type: ['string', 'null'], maxLength: 1000 },
  retention: RETENTION,
  article: { type: ['string', 'null'], maxLength: 50, description: 'Article of the retention list; the period is taken from the list' },
  note: { type: ['string', 'null'], maxLength: 1000 },
  carriedOver: { type: 'boolean' },
  carriedFromYear: { type: ['integer', 'null'] },
  documentForm: { enum: ['electronic', 'paper'] },
  medium: { type: ['string', 'null'], maxLength: 500 },
} as const;
const CREATE_SCHEMA = { type: 'object', required: ['year'], additionalProperties: false, properties: { year: { type: 'integer' }, epkRequired: { type: 'boolean' } } } as const;
const COPY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { toYear: { type: 'integer' }, carriedOver: { type: 'array', maxItems: 5000, items: { type: 'string', maxLength: 20 } } },
} as const;
const EMPTY_SCHEMA = { type: 'object', additionalProperties: false, properties: {} } as const;
const IMPORT_SCHEMA = {
  type: 'object',
  required: ['format', 'content'],
  additionalProperties: false,
  properties: { format: { enum: ['csv', 'json'] }, content: { type: 'string', minLength: 1 }, sourceName: { type: 'string', maxLength: 200 } },
} as const;
const ADD_SCHEMA = {
  type: 'object',
  required: ['departmentCode', 'heading'],
  additionalProperties: false,
  properties: { departmentCode: { type: 'string', maxLength: 3 }, number: { type: 'integer', minimum: 1, maximum: 9999 }, ...ITEM_FIELDS },
} as const;
const UPDATE_SCHEMA = { type: 'object', additionalProperties: false, minProperties: 1, properties: ITEM_FIELDS } as const;
const SECTIONS_SCHEMA = { type: 'object', required: ['order'], additionalProperties: false, properties: { order: { type: 'array', maxItems: 500, items: { type: 'string', maxLength: 3 } } } } as const;
const SETTINGS_SCHEMA = { type: 'object', required: ['epkRequired'], additionalProperties: false, properties: { epkRequired: { type: 'boolean' } } } as const;
const STEP_SCHEMA = {
  type: 'object',
  required: ['step'],
  additionalProperties: false,
  properties: {
    step: { enum: ['records_head', 'expert_commission', 'state_review', 'organisation_head'] },
    protocolNumber: { type: ['string', 'null'], maxLength: 50 },
    date: { type: ['string', 'null'], pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    name: { type: ['string', 'null'], maxLength: 200 },
    position: { type: ['string', 'null'], maxLength: 300 },
  },
} as const;
const RETURN_SCHEMA = { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: { type: 'string', minLength: 1, maxLength: 1000 } } } as const;
const COUNTS_SCHEMA = {
  type: 'object',
  required: ['counts'],
  additionalProperties: false,
  properties: { counts: { type: 'object', maxProperties: 5000, additionalProperties: { type: 'integer', minimum: 0, maximum: 100000 } } },
} as const;
const GET_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { format: { enum: ['csv', 'json'] }, revision: { type: 'integer', minimum: 1 }, lang: { type: 'string' } },
} as const;

const v = {
  create: bodyValidator<{ year: number; epkRequired?: boolean }>(CREATE_SCHEMA),
  copy: bodyValidator<{ toYear?: number; carriedOver?: string[] }>(COPY_SCHEMA),
  empty: bodyValidator<Record<string, never>>(EMPTY_SCHEMA),
  import: bodyValidator<{ format: NomenclatureFileFormat; content: string; sourceName?: string }>(IMPORT_SCHEMA),
  add: bodyValidator<Parameters<ReturnType<typeof createNomenclatureService>['addItem']>[2]>(ADD_SCHEMA),
  update: bodyValidator<Parameters<ReturnType<typeof createNomenclatureService>['updateItem']>[3]>(UPDATE_SCHEMA),
  sections: bodyValidator<{ order: string[] }>(SECTIONS_SCHEMA),
  settings: bodyValidator<{ epkRequired: boolean }>(SETTINGS_SCHEMA),
  step: bodyValidator<StepInput>(STEP_SCHEMA),
  return: bodyValidator<{ reason: string }>(RETURN_SCHEMA),
  counts: bodyValidator<{ counts: Record<string, number> }>(COUNTS_SCHEMA),
  get: queryValidator<{ format?: NomenclatureFileFormat; revision?: number }>(GET_QUERY),
};

function yearParam(value: string | undefined): number {
  if (!value || !/^[0-9]{4}$/.test(value)) throw new ValidationError('nomenclature.invalid_year', 'nomenclature.invalid_year', { year: String(value) });
  return Number(value);
}

/** Who records a step of the chain; the service decides which step each may record. */
export const STEP_RECORDERS: Role[] = [...new Set(Object.values(STEP_ROLES).flat())];
/** Who may take a draft in approval back: its editors, the commission and the organisation head. */
export const RETURNERS: Role[] = [...new Set([...EDITORS, ...STEP_ROLES.expert_commission, ...STEP_ROLES.organisation_head])];

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  const anyUser = requireRole();
  const editors = requireRole(...EDITORS);
  const nomenclature = createNomenclatureService({ db: deps.db, now: deps.now, storage: deps.storage });

  router.get('/api/nomenclatures', anyUser, async (ctx) => {
    ctx.body = { nomenclatures: await nomenclature.list() };
  });

  router.post('/api/nomenclatures', editors, async (ctx) => {
    const { actor } = requireUser(ctx);
    const input = v.create(await jsonBody(ctx, SMALL));
    ctx.status = 201;
    ctx.body = await nomenclature.create(actor, input.year, { epkRequired: input.epkRequired });
  });

  router.get('/api/nomenclatures/:year', anyUser, async (ctx) => {
    const year = yearParam(ctx.params.year);
    const query = v.get(ctx.query);
    if (!query.format) {
      ctx.body = await nomenclature.get(year, query.revision);
      return;
    }
    const { view, content } = await nomenclature.exportFile(year, query.format, query.revision);
    ctx.type = query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8';
    ctx.set('Content-Disposition', `attachment; filename="nomenclature-${view.year}-r${view.revision}.${query.format}"`);
    ctx.body = content;
  });

  router.get('/api/nomenclatures/:year/summary', anyUser, async (ctx) => {
    ctx.body = await nomenclature.summary(yearParam(ctx.params.year));
  });

  router.post('/api/nomenclatures/:year/copy', editors, async (ctx) => {
    const { actor } = requireUser(ctx);
    const input = v.copy(await jsonBody(ctx, SMALL * 4));
    ctx.status = 201;
    ctx.body = await nomenclature.copyToNextYear(actor, yearParam(ctx.params.year), input);
  });

  router.post('/api/nomenclatures/:year/revise', editors, async (ctx) => {
    const { actor } = requireUser(ctx);
    v.empty(await jsonBody(ctx, SMALL));
    ctx.status = 201;
    ctx.body = await nomenclature.revise(actor, yearParam(ctx.params.year));
  });

  router.post('/api/nomenclatures/:year/import', editors, async (ctx) => {
    const { actor } = requireUser(ctx);
    const input = v.import(await jsonBody(ctx, MAX_IMPORT_BYTES));
    try {
      ctx.status = 201;
      ctx.body = await nomenclature.importFile(actor, yearParam(ctx.params.year), input);
    } catch (error) {
      if (!(error instanceof NomenclatureFileInvalidError)) throw error;
      const lang = state(ctx).lang;
      const problems = error.problems.map((p) => ({ ...p, message: describeFileProblem(lang, p) }));
      throw new ValidationError(error.code, error.messageKey, error.params, { problems });
    }
  });

  router.post('/api/nomenclatures/:year/items', editors, async (ctx) => {
    const { actor } = requireUser(ctx);
    const input = v.add(await jsonBody(ctx, SMALL));
    ctx.status = 201;
    ctx.body = await nomenclature.addItem(actor, yearParam(ctx.params.year), input);
  });

  router.patch('/api/nomenclatures/:year/items/:index', editors, async (ctx) => {
    const { actor } = requireUser(ctx);
    const input = v.update(await jsonBody(ctx, SMALL));
    ctx.body = await nomenclature.updateItem(actor, yearParam(ctx.params.year), ctx.params.index ?? '', input);
  });

  router.delete('/api/nomenclatures/:year/items/:index', editors, async (ctx) => {
    const { actor } = requireUser(ctx);
    await nomenclature.removeItem(actor, yearParam(ctx.params.year), ctx.params.index ?? '');
    ctx.status = 204;
  });

  router.post('/api/nomenclatures/:year/sections', editors, async (ctx) => {
    const { actor } = requireUser(ctx);
    const input = v.sections(await jsonBody(ctx, SMALL));
    ctx.body = await nomenclature.orderSections(actor, yearParam(ctx.params.year), input.order);
  });

  router.post('/api/nomenclatures/:year/settings', editors, async (ctx) => {
    const { actor } = requireUser(ctx);
    const input = v.settings(await jsonBody(ctx, SMALL));
    ctx.body = await nomenclature.setEpkRequired(actor, yearParam(ctx.params.year), input.epkRequired);
  });

  router.post('/api/nomenclatures/:year/steps', requireRole(...STEP_RECORDERS), async (ctx) => {
    const { actor } = requireUser(ctx);
    const input = v.step(await jsonBody(ctx, SMALL));
    ctx.body = await nomenclature.recordStep(actor, yearParam(ctx.params.year), input);
  });

  router.post('/api/nomenclatures/:year/return', requireRole(...RETURNERS), async (ctx) => {
    const { actor } = requireUser(ctx);
    const input = v.return(await jsonBody(ctx, SMALL));
    ctx.body = await nomenclature.returnToDraft(actor, yearParam(ctx.params.year), input.reason);
  });

  router.post('/api/nomenclatures/:year/counts', editors, async (ctx) => {
    const { actor } = requireUser(ctx);
    const input = v.counts(await jsonBody(ctx, MAX_IMPORT_BYTES));
    ctx.body = await nomenclature.recordCounts(actor, yearParam(ctx.params.year), input.counts);
  });

  return router;
}

const YEAR = { name: 'year', in: 'path', required: true, description: 'The nomenclature\'s year', schema: { type: 'string', pattern: '^[0-9]{4}$' } };
const INDEX = { name: 'index', in: 'path', required: true, description: 'Case index, e.g. 03-12 (p.149)', schema: { type: 'string' } };
const APPROVAL = {
  type: 'object',
  properties: {
    step: { enum: ['records_head', 'expert_commission', 'state_review', 'organisation_head'] },
    protocolNumber: { type: ['string', 'null'] },
    date: { type: 'string', format: 'date' },
    username: { type: 'string' },
    name: { type: ['string', 'null'] },
    position: { type: ['string', 'null'] },
    at: { type: 'string', format: 'date-time' },
  },
};
const ITEM = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    position: { type: 'integer' },
    caseIndex: { type: 'string' },
    departmentCode: { type: 'string' },
    heading: { type: 'string' },
    headingRu: { type: ['string', 'null'] },
    retention: RETENTION,
    retentionListVersion: { type: ['integer', 'null'] },
    category: { enum: ['permanent', 'over_10', 'up_to_10', 'personnel'] },
    epk: { type: 'boolean' },
    dossierCount: { type: ['integer', 'null'] },
    carriedOver: { type: 'boolean' },
    carriedFromYear: { type: ['integer', 'null'] },
    documentForm: { enum: ['electronic', 'paper'] },
    medium: { type: ['string', 'null'] },
    note: { type: ['string', 'null'] },
  },
};
const SUMMARY_LINE = { type: 'object', properties: { total: { type: 'integer' }, carriedOver: { type: 'integer' }, withEpkMark: { type: 'integer' } } };
const SUMMARY = {
  type: 'object',
  properties: {
    year: { type: 'integer' },
    permanent: SUMMARY_LINE,
    over10: SUMMARY_LINE,
    upTo10: SUMMARY_LINE,
    totals: SUMMARY_LINE,
    personnel: SUMMARY_LINE,
    itemsWithoutCount: { type: 'array', items: { type: 'string' } },
  },
};
const HEADER = {
  id: { type: 'string' },
  year: { type: 'integer' },
  revision: { type: 'integer' },
  status: { enum: ['draft', 'approved', 'superseded'] },
  epkRequired: { type: 'boolean' },
  approvals: { type: 'array', items: APPROVAL },
  steps: { type: 'array', items: APPROVAL.properties.step },
  nextStep: { enum: ['records_head', 'expert_commission', 'state_review', 'organisation_head', null] },
  approvedAt: { type: ['string', 'null'], format: 'date-time' },
  inForceFrom: { type: ['string', 'null'], format: 'date' },
  basedOn: { type: ['string', 'null'] },
  itemCount: { type: 'integer' },
};
const VIEW = {
  type: 'object',
  properties: {
    ...HEADER,
    sections: { type: 'array', items: { type: 'object', properties: { departmentCode: { type: 'string' }, nameKk: { type: 'string' }, nameRu: { type: 'string' }, position: { type: 'integer' } } } },
    items: { type: 'array', items: ITEM },
  },
};
const csrf = [{ session: [], csrf: [] }];
const session = [{ session: [] }];
const EDIT = `(${EDITORS.join(', ')})`;

export const openapi: OpenApiFragment = {
  paths: {
    '/api/nomenclatures': {
      get: { summary: 'Nomenclatures of cases by year and revision, newest first (any signed-in user)', tags: ['catalog'], security: session, responses: { '200': ok('The list', { type: 'object', properties: { nomenclatures: { type: 'array', items: { type: 'object', properties: HEADER } } } }), ...errors(401) } },
      post: { summary: `Create an empty draft for a year without a nomenclature ${EDIT}`, tags: ['catalog'], security: csrf, requestBody: { required: true, content: jsonContent(CREATE_SCHEMA) }, responses: { '201': ok('The draft', VIEW), ...errors(400, 401, 403, 409) } },
    },
    '/api/nomenclatures/{year}': {
      get: {
        summary: "The year's nomenclature (the one in force, else its draft; ?revision= for another), or as a CSV or JSON file with ?format= (any signed-in user)",
        tags: ['catalog'],
        security: session,
        parameters: [YEAR, { name: 'revision', in: 'query', schema: { type: 'integer', minimum: 1 } }, { name: 'format', in: 'query', schema: { enum: ['csv', 'json'] } }],
        responses: { '200': { description: 'The nomenclature with sections and cases, or the file', content: { ...jsonContent(VIEW), 'text/csv': { schema: { type: 'string' } } } }, ...errors(400, 401, 404) },
      },
    },
    '/api/nomenclatures/{year}/summary': {
      get: { summary: 'Year-end record (App. 26): dossiers by retention — permanent, over 10 years (personnel included), up to 10 years — with carried-over and ЭПК-marked ones (any signed-in user)', tags: ['catalog'], security: session, parameters: [YEAR], responses: { '200': ok('The summary', SUMMARY), ...errors(400, 401, 404) } },
    },
    '/api/nomenclatures/{year}/copy': {
      post: { summary: `Copy the year's nomenclature into a draft for the next year; the cases named in carriedOver keep their index and are marked ${EDIT}`, tags: ['catalog'], security: csrf, parameters: [YEAR], requestBody: { required: true, content: jsonContent(COPY_SCHEMA) }, responses: { '201': ok('The new draft', VIEW), ...errors(400, 401, 403, 404, 409) } },
    },
    '/api/nomenclatures/{year}/revise': {
      post: { summary: `A change to the approved nomenclature: a new draft revision copied from it (the approved one is never changed) ${EDIT}`, tags: ['catalog'], security: csrf, parameters: [YEAR], requestBody: { required: true, content: jsonContent(EMPTY_SCHEMA) }, responses: { '201': ok('The new revision', VIEW), ...errors(400, 401, 403, 404, 409) } },
    },
    '/api/nomenclatures/{year}/import': {
      post: {
        summary: `Import cases from CSV or JSON into a new (or empty) draft of the year, all or nothing ${EDIT}`,
        description: 'A file with bad rows answers 400 nomenclature.invalid_file, details.problems listing every row and field with a message in the request language. Audited per case (nomenclature.item_add).',
        tags: ['catalog'],
        security: csrf,
        parameters: [YEAR],
        requestBody: { required: true, content: jsonContent(IMPORT_SCHEMA) },
        responses: { '201': ok('The draft', VIEW), ...errors(400, 401, 403, 404, 409, 413) },
      },
    },
    '/api/nomenclatures/{year}/items': {
      post: { summary: `Add a case to the year's draft; the index is the department code and the next number unless given ${EDIT}`, tags: ['catalog'], security: csrf, parameters: [YEAR], requestBody: { required: true, content: jsonContent(ADD_SCHEMA) }, responses: { '201': ok('The case', ITEM), ...errors(400, 401, 403, 404, 409) } },
    },
    '/api/nomenclatures/{year}/items/{index}': {
      patch: { summary: `Change a case of the draft (heading, retention, carried over, form and medium, note) ${EDIT}`, tags: ['catalog'], security: csrf, parameters: [YEAR, INDEX], requestBody: { required: true, content: jsonContent(UPDATE_SCHEMA) }, responses: { '200': ok('The case', ITEM), ...errors(400, 401, 403, 404, 409) } },
      delete: { summary: `Remove a case from the draft ${EDIT}`, tags: ['catalog'], security: csrf, parameters: [YEAR, INDEX], responses: { '204': { description: 'Removed' }, ...errors(400, 401, 403, 404, 409) } },
    },
    '/api/nomenclatures/{year}/sections': {
      post: { summary: `Order the sections (departments) as in the approved structure (p.136) ${EDIT}`, tags: ['catalog'], security: csrf, parameters: [YEAR], requestBody: { required: true, content: jsonContent(SECTIONS_SCHEMA) }, responses: { '200': ok('The draft', VIEW), ...errors(400, 401, 403, 404, 409) } },
    },
    '/api/nomenclatures/{year}/settings': {
      post: { summary: `Whether the draft goes to the state review commission (ЭПК; p.133: at least every 5 years) ${EDIT}`, tags: ['catalog'], security: csrf, parameters: [YEAR], requestBody: { required: true, content: jsonContent(SETTINGS_SCHEMA) }, responses: { '200': ok('The draft', VIEW), ...errors(400, 401, 403, 404, 409) } },
    },
    '/api/nomenclatures/{year}/steps': {
      post: {
        summary: `Record the next approval step (p.133) of the year's draft (${STEP_RECORDERS.join(', ')}; each step by its own role)`,
        description:
          'Steps in order: records_head (head of the records service signs), expert_commission (protocol number and date), state_review (ЭПК protocol, when required), organisation_head (approves; in force from 1 January). ' +
          'A step out of order answers 409 nomenclature.step_out_of_order naming the missing step; another role\'s step 403 nomenclature.forbidden. Each step is audited.',
        tags: ['catalog'],
        security: csrf,
        parameters: [YEAR],
        requestBody: { required: true, content: jsonContent(STEP_SCHEMA) },
        responses: { '200': ok('The nomenclature', VIEW), ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/api/nomenclatures/{year}/return': {
      post: { summary: `Take a draft in approval back for changes: its recorded steps are cleared, with the reason (${RETURNERS.join(', ')})`, tags: ['catalog'], security: csrf, parameters: [YEAR], requestBody: { required: true, content: jsonContent(RETURN_SCHEMA) }, responses: { '200': ok('The draft', VIEW), ...errors(400, 401, 403, 404, 409) } },
    },
    '/api/nomenclatures/{year}/counts': {
      post: { summary: `Year-end count of dossiers per case (column 3, p.155), written into the approved nomenclature ${EDIT}`, tags: ['catalog'], security: csrf, parameters: [YEAR], requestBody: { required: true, content: jsonContent(COUNTS_SCHEMA) }, responses: { '200': ok('The summary', SUMMARY), ...errors(400, 401, 403, 404) } },
    },
  },
};
