// Researchers, copy requests and certified copies over HTTP (issue 13; docs/research.md).
// The researcher portal (register, request, track, download) and the archivist's queue
// (confirm researchers, approve or refuse requests, make copies, print, hand over). Every look
// at a request and every download is audited by the research domain.
import Router from '@koa/router';
import type Koa from 'koa';
import type { Role } from '../../accounts/roles';
import { systemKeyDir } from '../../audit/audit-anchor';
import {
  approveRequest,
  auditRequestView,
  decideResearcher,
  deliverRequest,
  downloadByToken,
  downloadForUser,
  getRequest,
  getResearcherProfile,
  listNotifications,
  listRequests,
  listResearchers,
  makeCopies,
  markNotificationsRead,
  printCopies,
  refuseRequest,
  registerResearcher,
  submitRequest,
  type CopiesDeps,
  type RequestStatus,
  type ResearcherStatus,
} from '../../research';
import { requireRole, requireUser, state } from '../auth';
import { jsonBody } from '../body';
import type { ServerDeps } from '../deps';
import { errors, jsonContent, ok, type OpenApiFragment } from '../openapi';
import { bodyValidator, queryValidator } from '../validate';
import { contentDisposition } from './dossiers.routes';

const REQUEST_STATUSES = ['submitted', 'approved', 'refused', 'copies_ready', 'delivered', 'expired'] as const;
const UUID_PATTERN = '^[0-9a-fA-F-]{36}$';

const PROFILE_FIELDS = {
  fullName: { type: 'string', minLength: 1, maxLength: 200 },
  organisation: { type: 'string', minLength: 1, maxLength: 300 },
  email: { type: 'string', maxLength: 200 },
  phone: { type: 'string', maxLength: 50 },
  purpose: { type: 'string', minLength: 1, maxLength: 2000 },
} as const;
const REGISTER_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['username', 'password', 'fullName', 'organisation', 'purpose'],
  properties: {
    username: { type: 'string', minLength: 2, maxLength: 63 },
    password: { type: 'string', minLength: 1, maxLength: 256 },
    language: { enum: ['kk', 'ru', 'en'] },
    ...PROFILE_FIELDS,
  },
} as const;
const REASON_SCHEMA = { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string', minLength: 1, maxLength: 2000 } } } as const;
const OPTIONAL_REASON_SCHEMA = { type: 'object', additionalProperties: false, properties: { reason: { type: 'string', maxLength: 2000 } } } as const;
const SUBMIT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['dossierId'],
        properties: { dossierId: { type: 'string', maxLength: 36 }, documentPosition: { type: ['integer', 'null'], minimum: 1 } },
      },
    },
    purpose: { type: 'string', maxLength: 2000 },
    delivery: { enum: ['electronic', 'paper'] },
    language: { enum: ['kk', 'ru'] },
  },
} as const;
const LIST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  // lang: the UI sends the language with every call (messages of errors).
  properties: { status: { enum: [...REQUEST_STATUSES] }, limit: { type: 'integer', minimum: 1, maximum: 500 }, offset: { type: 'integer', minimum: 0 }, lang: { enum: ['kk', 'ru', 'en'] } },
} as const;
const RESEARCHERS_SCHEMA = { type: 'object', additionalProperties: false, properties: { status: { enum: ['pending', 'confirmed', 'refused'] }, lang: { enum: ['kk', 'ru', 'en'] } } } as const;
const READ_SCHEMA = { type: 'object', additionalProperties: false, properties: { ids: { type: 'array', maxItems: 200, items: { type: 'string', maxLength: 36 } } } } as const;
const EMPTY_SCHEMA = { type: 'object', additionalProperties: false, properties: {} } as const;

type RegisterBody = { username: string; password: string; fullName: string; organisation: string; email?: string; phone?: string; purpose: string; language?: 'kk' | 'ru' | 'en' };
const validateRegister = bodyValidator<RegisterBody>(REGISTER_SCHEMA);
const validateReason = bodyValidator<{ reason: string }>(REASON_SCHEMA);
const validateOptionalReason = bodyValidator<{ reason?: string }>(OPTIONAL_REASON_SCHEMA);
const validateSubmit = bodyValidator<{ items: { dossierId: string; documentPosition?: number | null }[]; purpose?: string; delivery?: 'electronic' | 'paper'; language?: 'kk' | 'ru' }>(SUBMIT_SCHEMA);
const validateList = queryValidator<{ status?: RequestStatus; limit?: number; offset?: number; lang?: string }>(LIST_SCHEMA);
const validateResearchers = queryValidator<{ status?: ResearcherStatus }>(RESEARCHERS_SCHEMA);
const validateRead = bodyValidator<{ ids?: string[] }>(READ_SCHEMA);
const validateEmpty = bodyValidator<Record<string, never>>(EMPTY_SCHEMA);

const ARCHIVIST: Role[] = ['archivist'];
const PORTAL: Role[] = ['researcher', 'archivist'];

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  const archivist = requireRole(...ARCHIVIST);
  const portal = requireRole(...PORTAL);
  const researcherOnly = requireRole('researcher');
  const copiesDeps = (): CopiesDeps => ({ db: deps.db, storage: deps.storage, dataDir: deps.config.dataDir, keyDir: systemKeyDir(deps.config) });

  function sendZip(ctx: Koa.Context, download: { bytes: Buffer; fileName: string; sha256: string }): void {
    ctx.type = 'application/zip';
    ctx.set('Content-Disposition', contentDisposition('attachment', download.fileName));
    ctx.set('Cache-Control', 'no-store');
    ctx.set('ETag', `"${download.sha256}"`);
    ctx.body = download.bytes;
  }

  // Self-registration from the portal: an account and a pending researcher profile.
  router.post('/api/research/registrations', async (ctx) => {
    const body = validateRegister(await jsonBody(ctx, deps.jsonLimitBytes));
    const profile = await registerResearcher({ db: deps.db, users: deps.users }, null, { ...body, language: body.language ?? state(ctx).lang }, { ip: ctx.ip, now: deps.now() });
    ctx.status = 201;
    ctx.body = { researcher: profile };
  });

  router.get('/api/research/profile', portal, async (ctx) => {
    const { user } = requireUser(ctx);
    ctx.body = { researcher: await getResearcherProfile(deps.db, user.id) };
  });

  router.get('/api/research/researchers', archivist, async (ctx) => {
    const { status } = validateResearchers(ctx.query);
    ctx.body = { researchers: await listResearchers(deps.db, requireUser(ctx).actor, status ? { status } : {}) };
  });

  router.post('/api/research/researchers', archivist, async (ctx) => {
    const body = validateRegister(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.status = 201;
    ctx.body = { researcher: await registerResearcher({ db: deps.db, users: deps.users }, requireUser(ctx).actor, body) };
  });

  router.post('/api/research/researchers/:id/confirm', archivist, async (ctx) => {
    const body = validateOptionalReason(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.body = { researcher: await decideResearcher(deps.db, requireUser(ctx).actor, ctx.params.id!, { confirm: true, ...(body.reason ? { reason: body.reason } : {}) }) };
  });

  router.post('/api/research/researchers/:id/refuse', archivist, async (ctx) => {
    const { reason } = validateReason(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.body = { researcher: await decideResearcher(deps.db, requireUser(ctx).actor, ctx.params.id!, { confirm: false, reason }) };
  });

  router.get('/api/research/requests', portal, async (ctx) => {
    const { status, limit, offset } = validateList(ctx.query);
    ctx.body = { requests: await listRequests(deps.db, requireUser(ctx).actor, { ...(status ? { status } : {}), ...(limit ? { limit } : {}), ...(offset ? { offset } : {}) }, deps.now()) };
  });

  router.post('/api/research/requests', researcherOnly, async (ctx) => {
    const body = validateSubmit(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.status = 201;
    ctx.body = { request: await submitRequest(deps.db, requireUser(ctx).actor, body, { now: deps.now() }) };
  });

  router.get('/api/research/requests/:id', portal, async (ctx) => {
    const { actor } = requireUser(ctx);
    const view = await getRequest(deps.db, actor, ctx.params.id!, deps.now());
    await auditRequestView(deps.db, actor, view);
    ctx.body = { request: view };
  });

  router.post('/api/research/requests/:id/approve', archivist, async (ctx) => {
    validateEmpty(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.body = { request: await approveRequest(deps.db, requireUser(ctx).actor, ctx.params.id!, deps.now()) };
  });

  router.post('/api/research/requests/:id/refuse', archivist, async (ctx) => {
    const { reason } = validateReason(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.body = { request: await refuseRequest(deps.db, requireUser(ctx).actor, ctx.params.id!, reason, deps.now()) };
  });

  // Makes the certified copies and their package; the link is told once, here.
  router.post('/api/research/requests/:id/copies', archivist, async (ctx) => {
    validateEmpty(await jsonBody(ctx, deps.jsonLimitBytes));
    const made = await makeCopies(copiesDeps(), requireUser(ctx).actor, ctx.params.id!, { now: deps.now() });
    ctx.status = 201;
    ctx.body = {
      request: made.request,
      link: { url: `/api/research/packages/${made.token}`, expiresAt: made.expiresAt },
      package: { id: made.packageId, sha256: made.sha256, size: made.size, files: made.files },
      copies: made.copies,
    };
  });

  router.post('/api/research/requests/:id/deliver', archivist, async (ctx) => {
    validateEmpty(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.body = { request: await deliverRequest(deps.db, requireUser(ctx).actor, ctx.params.id!, deps.now()) };
  });

  router.get('/api/research/requests/:id/package', portal, async (ctx) => {
    sendZip(ctx, await downloadForUser(copiesDeps(), requireUser(ctx).actor, ctx.params.id!, { ip: ctx.ip, now: deps.now() }));
  });

  router.get('/api/research/requests/:id/print', archivist, async (ctx) => {
    const print = await printCopies(copiesDeps(), requireUser(ctx).actor, ctx.params.id!, deps.now());
    ctx.type = 'application/pdf';
    ctx.set('Content-Disposition', contentDisposition('inline', print.fileName));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = Buffer.from(print.bytes);
  });

  // The expiring link: the token is the credential (sent to the researcher by e-mail, p.191).
  router.get('/api/research/packages/:token', async (ctx) => {
    sendZip(ctx, await downloadByToken(copiesDeps(), ctx.params.token!, { ip: ctx.ip, now: deps.now() }));
  });

  router.get('/api/research/notifications', portal, async (ctx) => {
    const { user } = requireUser(ctx);
    ctx.body = await listNotifications(deps.db, user.id, { unreadOnly: ctx.query.unread === '1' });
  });

  router.post('/api/research/notifications/read', portal, async (ctx) => {
    const { ids } = validateRead(await jsonBody(ctx, deps.jsonLimitBytes));
    const { user } = requireUser(ctx);
    ctx.body = { read: await markNotificationsRead(deps.db, user.id, ids) };
  });

  return router;
}

const ID = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: UUID_PATTERN } };
const PROFILE = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    userId: { type: 'string', format: 'uuid' },
    username: { type: 'string' },
    fullName: { type: 'string' },
    organisation: { type: 'string' },
    email: { type: ['string', 'null'] },
    phone: { type: ['string', 'null'] },
    purpose: { type: 'string' },
    status: { enum: ['pending', 'confirmed', 'refused'] },
    registeredBy: { enum: ['self', 'archivist'] },
    createdAt: { type: 'string', format: 'date-time' },
    decidedBy: { type: ['string', 'null'] },
    decidedAt: { type: ['string', 'null'] },
    decisionReason: { type: ['string', 'null'] },
  },
} as const;
const REQUEST = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    number: { type: 'string', examples: ['2026/00001'] },
    status: { enum: [...REQUEST_STATUSES] },
    researcher: { type: 'object' },
    purpose: { type: 'string' },
    delivery: { enum: ['electronic', 'paper'] },
    language: { enum: ['kk', 'ru'] },
    createdAt: { type: 'string', format: 'date-time' },
    dueAt: { type: 'string', format: 'date-time', description: 'The archive answers by then (15 days by default)' },
    overdue: { type: 'boolean' },
    refusalReason: { type: ['string', 'null'] },
    items: { type: 'array', items: { type: 'object', properties: { position: { type: 'integer' }, dossierId: { type: 'string' }, documentPosition: { type: ['integer', 'null'] }, label: { type: 'string' } } } },
    package: {
      type: ['object', 'null'],
      description: 'The latest package: valid until expiresAt; once expired the link answers 410 and the hourly sweep removes the file (removedAt)',
      properties: {
        id: { type: 'string', format: 'uuid' },
        fileName: { type: 'string' },
        size: { type: 'integer' },
        sha256: { type: 'string' },
        createdAt: { type: 'string', format: 'date-time' },
        expiresAt: { type: 'string', format: 'date-time' },
        expired: { type: 'boolean' },
        removedAt: { type: ['string', 'null'], format: 'date-time' },
        downloads: { type: 'integer' },
      },
    },
  },
} as const;
const ZIP = { description: 'The package (ZIP: copies/*.pdf and .p7s, verification-report.json, manifest.json and its .p7s, system-certificate.pem, README.txt)', content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } } };
const post = (summary: string, body: unknown, response: unknown, statuses: number[], extra: Record<string, unknown> = {}) => ({
  post: { summary, tags: ['research'], security: [{ session: [], csrf: [] }], ...extra, requestBody: { required: true, content: jsonContent(body) }, responses: { ...(response as object), ...errors(...statuses) } },
});

export const openapi: OpenApiFragment = {
  paths: {
    '/api/research/registrations': {
      post: {
        summary: 'Self-registration of a researcher (anyone): an account with the researcher role and a profile pending the archivist\'s confirmation',
        description: 'The password follows the users\' policy. At most 10 applications from one address a day (429 research.too_many_registrations). Audited as user.create and researcher.register; the archivists are notified.',
        tags: ['research'],
        security: [{ csrf: [] }],
        // One way to reach the researcher is required; the route says so in words
        // (research.contact_required), the document as a schema.
        requestBody: { required: true, content: jsonContent({ ...REGISTER_SCHEMA, anyOf: [{ required: ['email'], properties: { email: { minLength: 1 } } }, { required: ['phone'], properties: { phone: { minLength: 1 } } }] }) },
        responses: { '201': ok('The pending profile', { type: 'object', properties: { researcher: PROFILE } }), ...errors(400, 403, 409, 429) },
      },
    },
    '/api/research/profile': {
      get: { summary: 'The signed-in user\'s researcher profile (null when none)', tags: ['research'], security: [{ session: [] }], responses: { '200': ok('Profile', { type: 'object', properties: { researcher: { oneOf: [PROFILE, { type: 'null' }] } } }), ...errors(401, 403) } },
    },
    '/api/research/researchers': {
      get: {
        summary: 'Researchers, newest first (archivist)',
        tags: ['research'],
        security: [{ session: [] }],
        parameters: [{ name: 'status', in: 'query', schema: { enum: ['pending', 'confirmed', 'refused'] } }],
        responses: { '200': ok('Researchers', { type: 'object', properties: { researchers: { type: 'array', items: PROFILE } } }), ...errors(400, 401, 403) },
      },
      ...post('Register a researcher at the desk (archivist): confirmed at once', REGISTER_SCHEMA, { '201': ok('The profile', { type: 'object', properties: { researcher: PROFILE } }) }, [400, 401, 403, 409]),
    },
    '/api/research/researchers/{id}/confirm': post('Admit a pending researcher (archivist); audited researcher.confirm', OPTIONAL_REASON_SCHEMA, { '200': ok('The profile', { type: 'object', properties: { researcher: PROFILE } }) }, [400, 401, 403, 404, 409], { parameters: [ID] }),
    '/api/research/researchers/{id}/refuse': post('Turn a researcher down with a reason (archivist); audited researcher.refuse', REASON_SCHEMA, { '200': ok('The profile', { type: 'object', properties: { researcher: PROFILE } }) }, [400, 401, 403, 404, 409], { parameters: [ID] }),
    '/api/research/requests': {
      get: {
        summary: 'Copy requests: a researcher\'s own, or every request for the archivist (the queue); requests whose link ran out become expired',
        tags: ['research'],
        security: [{ session: [] }],
        parameters: [{ name: 'status', in: 'query', schema: { enum: [...REQUEST_STATUSES] } }, { name: 'limit', in: 'query', schema: { type: 'integer' } }, { name: 'offset', in: 'query', schema: { type: 'integer' } }],
        responses: { '200': ok('Requests', { type: 'object', properties: { requests: { type: 'array', items: REQUEST } } }), ...errors(400, 401, 403) },
      },
      ...post(
        'Request copies of documents or whole dossiers (a confirmed researcher); every item must be open to the researcher (access/)',
        SUBMIT_SCHEMA,
        { '201': ok('The request', { type: 'object', properties: { request: REQUEST } }) },
        [400, 401, 403, 404],
      ),
    },
    '/api/research/requests/{id}': {
      get: {
        summary: 'One request (its researcher or the archivist; another researcher\'s answers 404); audited research_request.view',
        tags: ['research'],
        security: [{ session: [] }],
        parameters: [ID],
        responses: { '200': ok('The request', { type: 'object', properties: { request: REQUEST } }), ...errors(401, 403, 404) },
      },
    },
    '/api/research/requests/{id}/approve': post('Approve a submitted request (archivist); 409 research.items_not_open names items the researcher may not get in full', EMPTY_SCHEMA, { '200': ok('The request', { type: 'object', properties: { request: REQUEST } }) }, [400, 401, 403, 404, 409], { parameters: [ID] }),
    '/api/research/requests/{id}/refuse': post('Refuse a request with a reason (archivist)', REASON_SCHEMA, { '200': ok('The request', { type: 'object', properties: { request: REQUEST } }) }, [400, 401, 403, 404, 409], { parameters: [ID] }),
    '/api/research/requests/{id}/copies': post(
      'Make the certified copies (PDF/A-1b, watermark, certification sheet, CMS by the archive\'s system key) and the package (archivist); the request becomes copies_ready; the expiring link is told once',
      EMPTY_SCHEMA,
      { '201': ok('The request, the link and the package', { type: 'object', properties: { request: REQUEST, link: { type: 'object', properties: { url: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } } }, package: { type: 'object' }, copies: { type: 'array' } } }) },
      [400, 401, 403, 404, 409],
      { parameters: [ID] },
    ),
    '/api/research/requests/{id}/deliver': post('The paper copies were handed over (archivist): delivered', EMPTY_SCHEMA, { '200': ok('The request', { type: 'object', properties: { request: REQUEST } }) }, [400, 401, 403, 404, 409], { parameters: [ID] }),
    '/api/research/requests/{id}/package': {
      get: {
        summary: 'Download the package (its researcher: marks the request delivered; or the archivist); 410 once the link expired; audited research_package.download',
        tags: ['research'],
        security: [{ session: [] }],
        parameters: [ID],
        responses: { '200': ZIP, '410': { description: 'The package expired (research.link_expired)', content: jsonContent({ $ref: '#/components/schemas/Error' }) }, ...errors(401, 403, 404) },
      },
    },
    '/api/research/requests/{id}/print': {
      get: {
        summary: 'Print view for paper copies: every certified copy in one PDF (archivist); audited research_request.print',
        tags: ['research'],
        security: [{ session: [] }],
        parameters: [ID],
        responses: { '200': { description: 'PDF', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } }, ...errors(401, 403, 404) },
      },
    },
    '/api/research/packages/{token}': {
      get: {
        summary: 'The expiring link to a package (no session: the token is the credential); 404 unknown, 410 expired; audited',
        tags: ['research'],
        parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string', maxLength: 100 } }],
        responses: { '200': ZIP, '410': { description: 'The link expired (research.link_expired)', content: jsonContent({ $ref: '#/components/schemas/Error' }) }, ...errors(404) },
      },
    },
    '/api/research/notifications': {
      get: {
        summary: 'The user\'s notifications about researchers and requests, newest first, with the unread count (?unread=1 for unread only)',
        tags: ['research'],
        security: [{ session: [] }],
        parameters: [{ name: 'unread', in: 'query', schema: { enum: ['0', '1'] } }],
        responses: { '200': ok('Notifications', { type: 'object', properties: { unread: { type: 'integer' }, notifications: { type: 'array', items: { type: 'object' } } } }), ...errors(401, 403) },
      },
    },
    '/api/research/notifications/read': post('Mark the user\'s notifications read (all, or ids)', READ_SCHEMA, { '200': ok('How many', { type: 'object', properties: { read: { type: 'integer' } } }) }, [400, 401, 403]),
  },
};
