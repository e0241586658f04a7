// Stored e-dossiers over HTTP: filtered list, detail (documents in order, metadata, control
// characteristic chain, signature status), originals and PDF/A renditions, the internal
// inventory, and signatures made by users in their own software (the server never holds keys).
import Router from '@koa/router';
import type Koa from 'koa';
import { ForbiddenError, ValidationError } from '../../common/errors';
import { attachDossierSignature, loadTools, signingContent } from '../../ingest';
import { dossierDetail, openDocumentFile, openInventory, searchDossiers, type AipFileStream } from '../../ingest/intake/dossiers.service';
import type { DossierStatus } from '../../ingest/tables';
import { COMMISSION_ROLES, type Role } from '../../accounts/roles';
import { requireRole, requireUser, state } from '../auth';
import { jsonBody } from '../body';
import { DOSSIER_RETENTION_SCHEMA } from './retention.routes';
import type { ServerDeps } from '../deps';
import { errors, jsonContent, ok, ref, type OpenApiFragment } from '../openapi';
import { bodyValidator, queryValidator } from '../validate';

const STATUSES: DossierStatus[] = ['awaiting-signature', 'stored'];
const LIST_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 200 },
    index: { type: 'string', maxLength: 50 },
    status: { enum: STATUSES },
    year: { type: 'integer', minimum: 1900, maximum: 2999 },
    department: { type: 'string', maxLength: 20 },
    transferId: { type: 'string', format: 'uuid' },
    limit: { type: 'integer', minimum: 1, maximum: 500 },
    offset: { type: 'integer', minimum: 0 },
    lang: { type: 'string' },
  },
} as const;
const KIND_QUERY_SCHEMA = {
  type: 'object',
  required: ['kind'],
  additionalProperties: false,
  properties: { kind: { enum: ['inventory', 'integrity'] }, lang: { type: 'string' } },
} as const;
const INVENTORY_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { format: { enum: ['json', 'pdf'] }, lang: { type: 'string' } },
} as const;
const SIGN_SCHEMA = {
  type: 'object',
  required: ['kind', 'cms'],
  additionalProperties: false,
  properties: {
    kind: { enum: ['inventory', 'integrity'] },
    cms: { type: 'string', minLength: 16, maxLength: 700_000, pattern: '^[A-Za-z0-9+/\\r\\n]+={0,2}\\s*$', description: 'Detached CMS (DER), base64' },
  },
} as const;

type Kind = 'inventory' | 'integrity';
const validateList = queryValidator<{ q?: string; index?: string; status?: DossierStatus; year?: number; department?: string; transferId?: string; limit?: number; offset?: number }>(LIST_QUERY_SCHEMA);
const validateKind = queryValidator<{ kind: Kind }>(KIND_QUERY_SCHEMA);
const validateInventory = queryValidator<{ format?: 'json' | 'pdf' }>(INVENTORY_QUERY_SCHEMA);
const validateSign = bodyValidator<{ kind: Kind; cms: string }>(SIGN_SCHEMA);

/** Who may sign what (p.208-209): the head the integrity statement, the archivist or the compiler the inventory. */
export const SIGNERS: Record<Kind, Role[]> = {
  integrity: ['department_head'],
  inventory: ['archivist', 'department_clerk'],
};

/** `attachment; filename="ascii"; filename*=UTF-8''…` (RFC 6266 with RFC 5987 encoding). */
export function contentDisposition(kind: 'attachment' | 'inline', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_') || 'file';
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

function send(ctx: Koa.Context, file: AipFileStream, disposition: 'attachment' | 'inline'): void {
  ctx.type = file.mime;
  ctx.length = file.size;
  ctx.set('Content-Disposition', contentDisposition(disposition, file.name));
  ctx.set('ETag', `"${file.sha256}"`);
  // Stored objects never change; the rendition may be shown in a frame of our own page only.
  ctx.set('Cache-Control', 'private, max-age=3600, immutable');
  if (file.mime === 'application/pdf' && disposition === 'inline') {
    ctx.set('X-Frame-Options', 'SAMEORIGIN');
    ctx.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'self'");
  }
  ctx.body = file.stream;
}

function position(ctx: Koa.Context): number {
  const raw = ctx.params.n ?? '';
  const n = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1) throw new ValidationError('request.invalid', 'server.request_invalid', { fields: 'path/n' }, { problems: [{ field: 'path/n', keyword: 'minimum', message: 'must be a document position from 1' }] });
  return n;
}

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  // The expert commission appraises every department's dossiers (p.48), so it reads them too.
  const readers = requireRole('archivist', 'department_clerk', 'department_head', ...COMMISSION_ROLES, 'researcher');
  const staff = requireRole('archivist', 'department_clerk', 'department_head');
  const signers = requireRole(...new Set([...SIGNERS.integrity, ...SIGNERS.inventory]));
  const store = { db: deps.db, storage: deps.storage };

  // Department scoping (access/): a dossier of another department answers like a missing one.
  const reachable = (ctx: Koa.Context) => deps.access.dossier(requireUser(ctx).user, ctx.params.id!);

  router.get('/api/dossiers', readers, async (ctx) => {
    const filter = await deps.access.dossierFilter(requireUser(ctx).user, validateList(ctx.query));
    ctx.body = filter ? await searchDossiers(deps.db, filter) : { dossiers: [], total: 0 };
  });

  // Researchers (access/, p.212): the description if the rules show it, documents they may not see left out.
  router.get('/api/dossiers/:id', readers, async (ctx) => {
    const { user } = requireUser(ctx);
    ctx.body = {
      dossier: await deps.access.whileRecording(user, { dossier: ctx.params.id!, need: 'metadata' }, { kind: 'view', what: 'dossier', route: 'GET /api/dossiers/{id}' }, async (d) =>
        deps.access.detailFor(user, await dossierDetail(store, d.record), d),
      ),
    };
  });

  router.get('/api/dossiers/:id/documents/:n/original', staff, async (ctx) => {
    const { user, actor } = requireUser(ctx);
    const n = position(ctx);
    const file = await deps.access.whileRecording(
      user,
      { dossier: ctx.params.id!, position: n },
      { kind: 'download', what: 'original', route: 'GET /api/dossiers/{id}/documents/{n}/original' },
      (d) => openDocumentFile(store, actor, d.record, n, 'original'),
      (opened) => opened.stream.destroy(),
    );
    send(ctx, file, 'attachment');
  });

  router.get('/api/dossiers/:id/documents/:n/rendition', readers, async (ctx) => {
    const { user, actor } = requireUser(ctx);
    const n = position(ctx);
    const download = ctx.query.download === '1';
    const file = await deps.access.whileRecording(
      user,
      { dossier: ctx.params.id!, position: n },
      { kind: download ? 'download' : 'view', what: 'rendition', route: 'GET /api/dossiers/{id}/documents/{n}/rendition' },
      (d) => openDocumentFile(store, actor, d.record, n, 'rendition'),
      (opened) => opened.stream.destroy(),
    );
    send(ctx, file, download ? 'attachment' : 'inline');
  });

  router.get('/api/dossiers/:id/inventory', readers, async (ctx) => {
    const { format } = validateInventory(ctx.query);
    const wantsPdf = format === 'pdf' || (!format && ctx.accepts('application/json', 'application/pdf') === 'application/pdf');
    // The Russian rendition for a Russian request (?lang=ru or the user's language); Kazakh otherwise.
    // It lists every document: a researcher gets it only when the whole dossier is open to them (access/).
    const file = await deps.access.whileRecording(
      requireUser(ctx).user,
      { dossier: ctx.params.id! },
      { kind: 'download', what: 'inventory', route: 'GET /api/dossiers/{id}/inventory' },
      (d) => openInventory(store, d.record, wantsPdf ? 'pdf' : 'json', state(ctx).lang === 'ru' ? 'ru' : 'kk'),
      (opened) => opened.stream.destroy(),
    );
    send(ctx, file, wantsPdf ? 'inline' : 'attachment');
  });

  router.get('/api/dossiers/:id/signing-content', signers, async (ctx) => {
    const { kind } = validateKind(ctx.query);
    const d = await reachable(ctx);
    const bytes = await signingContent(store, d.id, kind);
    ctx.type = 'application/octet-stream';
    ctx.set('Content-Disposition', contentDisposition('attachment', `${d.caseIndex}-${kind}.json`));
    ctx.body = bytes;
  });

  router.post('/api/dossiers/:id/signatures', signers, async (ctx) => {
    const { kind, cms } = validateSign(await jsonBody(ctx, deps.jsonLimitBytes));
    const { user, actor } = requireUser(ctx);
    if (!SIGNERS[kind].some((r) => user.roles.includes(r))) {
      throw new ForbiddenError('auth.forbidden', 'server.auth_forbidden', { roles: SIGNERS[kind].join(', ') }, { requiredRoles: SIGNERS[kind], kind });
    }
    const bytes = new Uint8Array(Buffer.from(cms.replace(/\s+/g, ''), 'base64'));
    const d = await reachable(ctx);
    const result = await attachDossierSignature(
      { db: deps.db, storage: deps.storage, trustDir: deps.config.trustDir, tools: await loadTools() },
      actor,
      { dossierId: d.id, kind, cms: bytes },
    );
    ctx.status = 201;
    ctx.body = { signature: { kind, ...result }, dossier: await dossierDetail(store, d.id) };
  });

  return router;
}

const idParam = { name: 'id', in: 'path', required: true, description: 'Dossier id (uuid) or case index', schema: { type: 'string' } };
const nParam = { name: 'n', in: 'path', required: true, description: 'Document position in the dossier, from 1', schema: { type: 'integer', minimum: 1 } };
const pdf = (description: string) => ({ description, content: { 'application/pdf': { schema: { type: 'string', contentMediaType: 'application/pdf' } } } });
const session = [{ session: [] }];
/** Present for researchers only (access/, p.212): what the rules give them now and the date it opens. */
const RESEARCHER_ACCESS = {
  type: 'object',
  description: "Researchers only: 'full', or 'metadata' (described only; files closed; no rendition offered) until the date; hidden items are left out and answer 404",
  properties: { view: { enum: ['full', 'metadata'] }, until: { type: ['string', 'null'], format: 'date' } },
};

/** What a dossier is called by, in its list item and in its detail alike. */
const DOSSIER_IDENTITY = {
  id: { type: 'string' },
  transferId: { type: 'string' },
  index: { type: 'string' },
  volume: { type: 'integer' },
  title: { type: 'string' },
  status: { enum: STATUSES },
};
const ARCHIVAL_CIPHER = {
  type: ['object', 'null'],
  description: 'Archival cipher (p.181): fonds – inventory – case, given when the inventory of permanent dossiers is approved (catalog/inventories); never changed',
  properties: { fonds: { type: 'string' }, inventory: { type: 'string' }, case: { type: 'integer' }, code: { type: 'string', examples: ['12-1-5'] } },
};

export const openapi: OpenApiFragment = {
  schemas: {
    DossierListItem: {
      type: 'object',
      properties: {
        ...DOSSIER_IDENTITY,
        year: { type: ['integer', 'null'] },
        department: { type: ['string', 'null'] },
        startDate: { type: ['string', 'null'] },
        endDate: { type: ['string', 'null'] },
        documentCount: { type: 'integer' },
        storedAt: { type: 'string', format: 'date-time' },
        archivalCipher: ARCHIVAL_CIPHER,
        retention: DOSSIER_RETENTION_SCHEMA,
      },
    },
    DossierDetail: {
      type: 'object',
      properties: {
        ...DOSSIER_IDENTITY,
        awaitingSignature: { type: 'boolean' },
        missingSignatures: { type: 'array', items: { enum: ['inventory', 'integrity'] } },
        archivalCipher: ARCHIVAL_CIPHER,
        metadata: { type: 'object', description: 'Dossier metadata (schema dossier-metadata)' },
        retention: DOSSIER_RETENTION_SCHEMA,
        aipManifestSha256: { type: 'string' },
        chain: {
          type: 'object',
          properties: {
            ok: { type: 'boolean' },
            breaks: { type: 'array', items: { type: 'object', properties: { position: { type: 'integer' }, identifier: { type: 'string' }, reason: { type: 'string' } } } },
          },
        },
        signatures: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              kind: { type: 'string' },
              verdict: { type: 'string' },
              signer: {
                type: 'object',
                description: 'Who signed: the user the certificate is bound to (signer identity) and the certificate',
                properties: {
                  userId: { type: 'string' },
                  username: { type: 'string' },
                  fullName: { type: 'string' },
                  role: { type: 'string' },
                  bindingKind: { enum: ['certificate', 'iin'] },
                  subject: { type: 'string' },
                  issuer: { type: 'string' },
                  serialNumber: { type: 'string' },
                  iin: { type: 'string' },
                  bin: { type: 'string' },
                  notBefore: { type: 'string' },
                  notAfter: { type: 'string' },
                  signingTime: { type: 'string' },
                },
              },
              cmsSha256: { type: 'string' },
              at: { type: 'string' },
            },
          },
        },
        documents: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              position: { type: 'integer' },
              id: { type: 'string' },
              title: { type: 'string' },
              date: { type: ['string', 'null'] },
              number: { type: ['string', 'null'] },
              language: { type: ['string', 'null'] },
              source: { type: 'string' },
              status: { type: 'string' },
              originalName: { type: ['string', 'null'] },
              hasRendition: { type: 'boolean' },
              controlCharacteristic: { type: 'string' },
              previous: { type: ['string', 'null'] },
              chainOk: { type: 'boolean' },
              signature: { type: ['object', 'null'] },
              access: { type: ['object', 'null'] },
              metadata: { type: 'object', description: 'Document metadata (schema document-metadata)' },
              researcherAccess: RESEARCHER_ACCESS,
            },
          },
        },
        inventory: { type: 'object', properties: { json: { type: 'boolean' }, pdf: { type: 'boolean' } } },
        researcherAccess: RESEARCHER_ACCESS,
      },
    },
  },
  paths: {
    '/api/dossiers': {
      get: {
        summary: 'Stored e-dossiers, filtered (archivist, clerk, head, expert commission, researcher)',
        tags: ['dossiers'],
        security: session,
        parameters: ['q', 'index', 'department', 'transferId'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })).concat([
          { name: 'status', in: 'query', schema: { enum: STATUSES } as never },
          { name: 'year', in: 'query', schema: { type: 'integer' } as never },
          { name: 'limit', in: 'query', schema: { type: 'integer' } as never },
          { name: 'offset', in: 'query', schema: { type: 'integer' } as never },
        ]),
        responses: {
          '200': ok('Dossiers', { type: 'object', required: ['dossiers', 'total'], properties: { dossiers: { type: 'array', items: ref('DossierListItem') }, total: { type: 'integer' } } }),
          ...errors(400, 401, 403),
        },
      },
    },
    '/api/dossiers/{id}': {
      get: {
        summary: 'An e-dossier: documents in order, metadata, chain and signature status',
        tags: ['dossiers'],
        security: session,
        parameters: [idParam],
        responses: { '200': ok('Dossier', { type: 'object', required: ['dossier'], properties: { dossier: ref('DossierDetail') } }), ...errors(401, 403, 404) },
      },
    },
    '/api/dossiers/{id}/documents/{n}/original': {
      get: {
        summary: 'Download the original file of a document (staff)',
        tags: ['dossiers'],
        security: session,
        parameters: [idParam, nParam],
        responses: { '200': { description: 'The original, Content-Disposition attachment with an RFC 5987 filename', content: { 'application/octet-stream': {} } }, ...errors(400, 401, 403, 404) },
      },
    },
    '/api/dossiers/{id}/documents/{n}/rendition': {
      get: {
        summary: 'The PDF/A rendition of a document, inline for the browser viewer (?download=1 to save)',
        tags: ['dossiers'],
        security: session,
        parameters: [idParam, nParam, { name: 'download', in: 'query', schema: { enum: ['1'] } }],
        responses: { '200': pdf('PDF/A-1b rendition'), ...errors(400, 401, 403, 404) },
      },
    },
    '/api/dossiers/{id}/inventory': {
      get: {
        summary: 'The internal inventory (App. 32): JSON, or PDF/A with ?format=pdf or Accept: application/pdf',
        tags: ['dossiers'],
        security: session,
        parameters: [idParam, { name: 'format', in: 'query', schema: { enum: ['json', 'pdf'] } }],
        responses: { '200': { description: 'Inventory', content: { 'application/json': { schema: { type: 'object' } }, 'application/pdf': {} } }, ...errors(400, 401, 403, 404) },
      },
    },
    '/api/dossiers/{id}/signing-content': {
      get: {
        summary: 'The exact bytes a signature of the given kind covers (to sign with NCALayer or in the browser)',
        tags: ['dossiers'],
        security: session,
        parameters: [idParam, { name: 'kind', in: 'query', required: true, schema: { enum: ['inventory', 'integrity'] } }],
        responses: { '200': { description: 'Content to sign', content: { 'application/octet-stream': {} } }, ...errors(400, 401, 403, 404) },
      },
    },
    '/api/dossiers/{id}/signatures': {
      post: {
        summary: 'Attach a detached CMS signature: integrity (department_head) or inventory (archivist, department_clerk)',
        description:
          'Verified against the signed content before anything is stored; 400 ingest.uploaded_signature_invalid with the verification report otherwise. ' +
          'The certificate must be registered to the submitting user (see /api/users/{id}/certificates), who holds the signing role and, as clerk or head, the dossier\'s department: ' +
          '403 signature.signer_not_owner / signer_not_registered / signer_pending / signer_department / signer_role otherwise, naming the expected signer. ' +
          'A certificate unknown to the archive, from a user with none registered, is bound pending the administrator\'s confirmation.',
        tags: ['dossiers'],
        security: [{ session: [], csrf: [] }],
        parameters: [idParam],
        requestBody: { required: true, content: jsonContent(SIGN_SCHEMA) },
        responses: {
          '201': ok('Signature attached', { type: 'object', properties: { signature: { type: 'object' }, dossier: ref('DossierDetail') } }),
          ...errors(400, 401, 403, 404, 409, 413),
        },
      },
    },
  },
};
