// The audit log: newest events with paging, and verification of the hash chain.
import Router from '@koa/router';
import { loadSystemKey, systemKeyDir, verifyAuditAnchors } from '../../audit/audit-anchor';
import { listAuditEvents, verifyAuditChain } from '../../audit/audit.service';
import { t } from '../../common/i18n';
import { requireRole, state } from '../auth';
import type { ServerDeps } from '../deps';
import { errors, ok, ref, type OpenApiFragment } from '../openapi';
import { queryValidator } from '../validate';

const LIST_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
    before: { type: 'integer', minimum: 1 },
    objectType: { type: 'string', maxLength: 100 },
    objectId: { type: 'string', maxLength: 200 },
    action: { type: 'string', maxLength: 100 },
    actor: { type: 'string', maxLength: 64 },
    lang: { type: 'string' },
  },
} as const;
const validateList = queryValidator<{ limit?: number; before?: number; objectType?: string; objectId?: string; action?: string; actor?: string }>(LIST_QUERY_SCHEMA);

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  const auditors = requireRole('admin', 'archivist');

  router.get('/api/audit', auditors, async (ctx) => {
    const { limit = 50, before, objectType, objectId, action, actor } = validateList(ctx.query);
    const events = await listAuditEvents(deps.db, { limit, before, objectType, objectId, action, actorUsername: actor });
    const last = events[events.length - 1];
    ctx.body = { events, nextBefore: events.length === limit && last ? last.id : null };
  });

  // The chain alone passes a truncated log or one rewritten with recomputed hashes; the signed
  // anchors of its head kept in storage catch both, so the page checks what the CLI checks.
  router.get('/api/audit/verify', auditors, async (ctx) => {
    const lang = state(ctx).lang;
    const chain = await verifyAuditChain(deps.db);
    const key = await loadSystemKey(systemKeyDir(deps.config));
    const anchors = await verifyAuditAnchors({ db: deps.db, storage: deps.storage, key });
    ctx.body = {
      ...chain,
      ok: chain.ok && anchors.ok,
      anchors: {
        ok: anchors.ok,
        checked: anchors.anchors,
        latest: anchors.latest ? { at: anchors.latest.at, count: anchors.latest.count, reason: anchors.latest.reason } : null,
        problems: anchors.problems.map((p) => ({
          kind: p.kind,
          message: t(lang, `catalog.audit_anchor_${p.kind.replace(/-/g, '_')}`, p.params),
        })),
      },
    };
  });

  return router;
}

export const openapi: OpenApiFragment = {
  schemas: {
    AuditEvent: {
      type: 'object',
      required: ['id', 'at', 'actor', 'action', 'objectType', 'objectId', 'requestId', 'details', 'prevHash', 'hash'],
      properties: {
        id: { type: 'integer' },
        at: { type: 'string', format: 'date-time' },
        actor: {
          type: 'object',
          properties: { userId: { type: ['string', 'null'] }, username: { type: 'string' }, roles: { type: 'array', items: { type: 'string' } } },
        },
        action: { type: 'string', examples: ['user.create'] },
        objectType: { type: 'string' },
        objectId: { type: ['string', 'null'] },
        requestId: { type: ['string', 'null'] },
        details: { type: 'object' },
        prevHash: { type: 'string' },
        hash: { type: 'string' },
      },
    },
  },
  paths: {
    '/api/audit': {
      get: {
        summary: 'Audit events, newest first (admin, archivist)',
        tags: ['audit'],
        security: [{ session: [] }],
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } },
          { name: 'before', in: 'query', description: 'Event id: return older events', schema: { type: 'integer', minimum: 1 } },
          { name: 'objectType', in: 'query', schema: { type: 'string' } },
          { name: 'objectId', in: 'query', schema: { type: 'string' } },
          { name: 'action', in: 'query', schema: { type: 'string' } },
          { name: 'actor', in: 'query', description: 'Username of the actor', schema: { type: 'string' } },
        ],
        responses: {
          '200': ok('Events', {
            type: 'object',
            required: ['events', 'nextBefore'],
            properties: { events: { type: 'array', items: ref('AuditEvent') }, nextBefore: { type: ['integer', 'null'] } },
          }),
          ...errors(400, 401, 403),
        },
      },
    },
    '/api/audit/verify': {
      get: {
        summary: 'Verify the audit hash chain and its signed anchors in storage (admin, archivist)',
        tags: ['audit'],
        security: [{ session: [] }],
        responses: {
          '200': ok('Chain report', {
            type: 'object',
            required: ['ok', 'checked'],
            properties: {
              ok: { type: 'boolean' },
              checked: { type: 'integer' },
              total: { type: 'integer' },
              lastId: { type: ['integer', 'null'] },
              lastHash: { type: ['string', 'null'] },
              firstBroken: { type: 'object', properties: { id: { type: 'integer' }, reason: { type: 'string' }, message: { type: 'string' } } },
              anchors: {
                type: 'object',
                description: 'The signed anchors of the log head kept in storage (truncation, rewrites, disabled triggers)',
                properties: {
                  ok: { type: 'boolean' },
                  checked: { type: 'integer' },
                  latest: { type: ['object', 'null'] },
                  problems: { type: 'array', items: { type: 'object', properties: { kind: { type: 'string' }, message: { type: 'string' } } } },
                },
              },
            },
          }),
          ...errors(401, 403),
        },
      },
    },
  },
};
