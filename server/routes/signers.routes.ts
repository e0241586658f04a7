// Signer identity administration (admin only): the signing certificates and IINs registered
// to each user, and bindings made at first use waiting for confirmation (accounts/signers.service.ts).
import Router from '@koa/router';
import { ValidationError } from '../../common/errors';
import { createSignersService } from '../../accounts/signers.service';
import { requireRole, requireUser } from '../auth';
import { jsonBody } from '../body';
import type { ServerDeps } from '../deps';
import { errors, jsonContent, ok, ref, type OpenApiFragment } from '../openapi';
import { bodyValidator, queryValidator } from '../validate';

const ADD_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    certificate: { type: 'string', minLength: 16, maxLength: 64_000, description: 'X.509 certificate: PEM, or DER as base64 (give this or iin)' },
    fileName: { type: 'string', maxLength: 200, description: 'Name of the uploaded file, for messages' },
    iin: { type: 'string', pattern: '^[0-9]{12}$', description: 'Individual identification number (12 digits)' },
  },
} as const;
const REMOVE_SCHEMA = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } },
} as const;
const LIST_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { all: { enum: ['1'] }, lang: { type: 'string' } },
} as const;

const validateAdd = bodyValidator<{ certificate?: string; fileName?: string; iin?: string }>(ADD_SCHEMA);
const validateRemove = bodyValidator<{ reason: string }>(REMOVE_SCHEMA);
const validateList = queryValidator<{ all?: '1' }>(LIST_QUERY_SCHEMA);

/** PEM text as is; anything else is base64 of DER. */
function certificateBytes(text: string): Uint8Array {
  if (text.includes('-----BEGIN')) return new TextEncoder().encode(text);
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(clean)) {
    throw new ValidationError('request.invalid', 'server.request_invalid', { fields: 'body/certificate' }, { problems: [{ field: 'body/certificate', keyword: 'format', message: 'must be PEM or base64 DER' }] });
  }
  return new Uint8Array(Buffer.from(clean, 'base64'));
}

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  const admin = requireRole('admin');
  const signers = createSignersService({ db: deps.db });

  router.get('/api/users/certificates/pending', admin, async (ctx) => {
    ctx.body = { bindings: await signers.listPending() };
  });

  router.get('/api/users/:id/certificates', admin, async (ctx) => {
    const { all } = validateList(ctx.query);
    ctx.body = { bindings: await signers.list(ctx.params.id!, { includeRemoved: all === '1' }) };
  });

  router.post('/api/users/:id/certificates', admin, async (ctx) => {
    const input = validateAdd(await jsonBody(ctx, deps.jsonLimitBytes));
    const { actor } = requireUser(ctx);
    if ((input.certificate === undefined) === (input.iin === undefined)) {
      throw new ValidationError('request.invalid', 'server.request_invalid', { fields: 'body/certificate, body/iin' }, { problems: [{ field: 'body', keyword: 'oneOf', message: 'give either certificate or iin' }] });
    }
    const binding = input.certificate !== undefined
      ? await signers.addCertificate(actor, ctx.params.id!, certificateBytes(input.certificate), input.fileName ?? 'certificate')
      : await signers.addIin(actor, ctx.params.id!, input.iin!);
    ctx.status = 201;
    ctx.body = { binding };
  });

  router.post('/api/users/:id/certificates/:binding/confirm', admin, async (ctx) => {
    const { actor } = requireUser(ctx);
    ctx.body = { binding: await signers.confirm(actor, ctx.params.binding!, ctx.params.id!) };
  });

  router.post('/api/users/:id/certificates/:binding/remove', admin, async (ctx) => {
    const { reason } = validateRemove(await jsonBody(ctx, deps.jsonLimitBytes));
    const { actor } = requireUser(ctx);
    ctx.body = { binding: await signers.remove(actor, ctx.params.binding!, reason, ctx.params.id!) };
  });

  return router;
}

const idParam = { name: 'id', in: 'path', required: true, description: 'User id (uuid) or username', schema: { type: 'string' } };
const bindingParam = { name: 'binding', in: 'path', required: true, description: 'Binding id (uuid)', schema: { type: 'string', format: 'uuid' } };
const adminWrite = [{ session: [], csrf: [] }];
const bindingResponse = { type: 'object', required: ['binding'], properties: { binding: ref('SignerBinding') } };
const bindingsResponse = { type: 'object', required: ['bindings'], properties: { bindings: { type: 'array', items: ref('SignerBinding') } } };

export const openapi: OpenApiFragment = {
  schemas: {
    SignerBinding: {
      type: 'object',
      required: ['id', 'userId', 'username', 'fullName', 'kind', 'status', 'origin'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        userId: { type: 'string', format: 'uuid' },
        username: { type: 'string' },
        fullName: { type: 'string' },
        kind: { enum: ['certificate', 'iin'] },
        status: { enum: ['active', 'pending', 'removed'], description: 'pending: bound at first use, waiting for the administrator' },
        origin: { enum: ['admin', 'first-use'] },
        iin: { type: ['string', 'null'] },
        certificate: {
          type: ['object', 'null'],
          properties: { subject: { type: 'string' }, issuer: { type: 'string' }, serialNumber: { type: 'string' }, notBefore: { type: ['string', 'null'] }, notAfter: { type: ['string', 'null'] }, sha256: { type: 'string' } },
        },
        createdAt: { type: 'string', format: 'date-time' },
        createdBy: { type: 'string' },
        confirmedAt: { type: ['string', 'null'] },
        confirmedBy: { type: ['string', 'null'] },
        removedAt: { type: ['string', 'null'] },
        removedBy: { type: ['string', 'null'] },
        removedReason: { type: ['string', 'null'] },
        signsFor: { type: 'array', items: { enum: ['inventory', 'integrity', 'inventory_approval'] }, description: "Statements the user signs by their roles (what this binding lets them sign)" },
      },
    },
  },
  paths: {
    '/api/users/certificates/pending': {
      get: {
        summary: 'Signing certificates bound at first use, waiting for confirmation (admin)',
        tags: ['users'],
        security: [{ session: [] }],
        responses: { '200': ok('Pending bindings', bindingsResponse), ...errors(401, 403) },
      },
    },
    '/api/users/{id}/certificates': {
      get: {
        summary: "A user's signing certificates and IINs (admin); ?all=1 includes removed ones",
        tags: ['users'],
        security: [{ session: [] }],
        parameters: [idParam, { name: 'all', in: 'query', schema: { enum: ['1'] } }],
        responses: { '200': ok('Bindings', bindingsResponse), ...errors(400, 401, 403, 404) },
      },
      post: {
        summary: 'Register a signing certificate (PEM or base64 DER) or an IIN as the user\'s (admin)',
        description: 'A signature submitted by the user counts only when made with a certificate registered here (or one carrying a registered IIN). 409 when the certificate or IIN belongs to another user.',
        tags: ['users'],
        security: adminWrite,
        parameters: [idParam],
        requestBody: { required: true, content: jsonContent(ADD_SCHEMA) },
        responses: { '201': ok('Registered', bindingResponse), ...errors(400, 401, 403, 404, 409, 413) },
      },
    },
    '/api/users/{id}/certificates/{binding}/confirm': {
      post: {
        summary: 'Confirm a certificate bound at first use (admin)',
        tags: ['users'],
        security: adminWrite,
        parameters: [idParam, bindingParam],
        responses: { '200': ok('Confirmed', bindingResponse), ...errors(401, 403, 404, 409) },
      },
    },
    '/api/users/{id}/certificates/{binding}/remove': {
      post: {
        summary: 'Remove (or decline) a signing certificate or IIN binding (admin); earlier signatures stay',
        tags: ['users'],
        security: adminWrite,
        parameters: [idParam, bindingParam],
        requestBody: { required: true, content: jsonContent(REMOVE_SCHEMA) },
        responses: { '200': ok('Removed', bindingResponse), ...errors(400, 401, 403, 404, 409, 413) },
      },
    },
  },
};
