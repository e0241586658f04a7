// The expert commission over HTTP (issue 12): settings, members and terms, meetings, agenda,
// votes, closing votes, the protocol (drafted as PDF/A-1b in kk and ru, signed with a detached
// CMS by the chair and the secretary in the browser) and the decisions other pages read.
// Routes check the role and validate input; the rules live in commission/.
import Router from '@koa/router';
import { COMMISSION_ROLES } from '../../accounts/roles';
import {
  addAgendaItem,
  addMember,
  AGENDA_ITEM_KINDS,
  assertDate,
  castVote,
  closeVoting,
  createMeeting,
  decisionOn,
  getMeeting,
  getSettings,
  holdMeeting,
  listMeetings,
  listMembers,
  listProposals,
  membershipsOf,
  putOnAgenda,
  removeFromAgenda,
  setMemberTermEnd,
  updateSettings,
  type AgendaItemKind,
} from '../../commission';
import { draftProtocol, readProtocolRendition, signProtocol } from '../../commission/protocol.service';
import { requireRole, requireUser } from '../auth';
import { jsonBody } from '../body';
import type { ServerDeps } from '../deps';
import { errors, jsonContent, ok, type OpenApiFragment } from '../openapi';
import { bodyValidator, queryValidator } from '../validate';
import { contentDisposition } from './dossiers.routes';

const DATE = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
const TEXT = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;

const SETTINGS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { quorumPercent: { type: 'integer', minimum: 0, maximum: 99 }, nameKk: TEXT(500), nameRu: TEXT(500) },
} as const;
const MEMBER_SCHEMA = {
  type: 'object',
  required: ['user', 'role', 'termFrom'],
  additionalProperties: false,
  properties: { user: TEXT(200), role: { enum: ['chair', 'secretary', 'member'] }, termFrom: DATE, termTo: { anyOf: [DATE, { type: 'null' }] } },
} as const;
const TERM_SCHEMA = {
  type: 'object',
  required: ['termTo'],
  additionalProperties: false,
  properties: { termTo: { anyOf: [DATE, { type: 'null' }] } },
} as const;
const MEETING_SCHEMA = {
  type: 'object',
  required: ['number', 'date', 'place'],
  additionalProperties: false,
  properties: { number: TEXT(50), date: DATE, place: TEXT(500) },
} as const;
const HOLD_SCHEMA = {
  type: 'object',
  required: ['present'],
  additionalProperties: false,
  properties: { present: { type: 'array', maxItems: 500, items: TEXT(200), description: 'Members present: member ids or usernames' } },
} as const;
const AGENDA_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    itemId: { type: 'string', format: 'uuid', description: 'A proposal to put on the agenda' },
    kind: { enum: [...AGENDA_ITEM_KINDS] },
    subjectId: TEXT(200),
    title: TEXT(1000),
  },
  description: 'Either itemId (a proposal), or kind, subjectId and title (a new question; each missing one is named in the refusal)',
} as const;
const VOTE_SCHEMA = {
  type: 'object',
  required: ['vote'],
  additionalProperties: false,
  properties: { vote: { enum: ['for', 'against', 'abstain'] }, reservation: { type: 'boolean' }, dissent: { type: 'string', maxLength: 10_000 } },
} as const;
const PROTOCOL_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { number: TEXT(50), date: DATE },
} as const;
const SIGN_SCHEMA = {
  type: 'object',
  required: ['cms'],
  additionalProperties: false,
  properties: { cms: { type: 'string', minLength: 16, maxLength: 700_000, pattern: '^[A-Za-z0-9+/\\r\\n]+={0,2}\\s*$', description: 'Detached CMS (DER) over the stored bytes, base64' } },
} as const;
const DECISION_QUERY = {
  type: 'object',
  required: ['kind', 'subjectId'],
  additionalProperties: false,
  properties: { kind: { enum: [...AGENDA_ITEM_KINDS] }, subjectId: TEXT(200) },
} as const;

const validateSettings = bodyValidator<{ quorumPercent?: number; nameKk?: string; nameRu?: string }>(SETTINGS_SCHEMA);
const validateMember = bodyValidator<{ user: string; role: string; termFrom: string; termTo?: string | null }>(MEMBER_SCHEMA);
const validateTerm = bodyValidator<{ termTo: string | null }>(TERM_SCHEMA);
const validateMeeting = bodyValidator<{ number: string; date: string; place: string }>(MEETING_SCHEMA);
const validateHold = bodyValidator<{ present: string[] }>(HOLD_SCHEMA);
const validateAgenda = bodyValidator<{ itemId?: string; kind?: AgendaItemKind; subjectId?: string; title?: string }>(AGENDA_SCHEMA);
const validateVote = bodyValidator<{ vote: string; reservation?: boolean; dissent?: string }>(VOTE_SCHEMA);
const validateProtocol = bodyValidator<{ number?: string; date?: string }>(PROTOCOL_SCHEMA);
const validateSign = bodyValidator<{ cms: string }>(SIGN_SCHEMA);
const validateMembersQuery = queryValidator<{ at?: string }>({ type: 'object', additionalProperties: false, properties: { at: DATE } });
const validateDecision = queryValidator<{ kind: AgendaItemKind; subjectId: string }>(DECISION_QUERY);

/** Who reads the commission's work: its members, the administrator, the archive (acts cite protocols) and the head. */
export const COMMISSION_READERS = [...COMMISSION_ROLES, 'admin', 'archivist', 'organisation_head'] as const;

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  const store = { db: deps.db, storage: deps.storage };
  const readers = requireRole(...COMMISSION_READERS);
  const members = requireRole(...COMMISSION_ROLES);
  const secretary = requireRole('commission_secretary', 'admin');
  const signers = requireRole('commission_chair', 'commission_secretary');
  const today = () => deps.now().toISOString().slice(0, 10);

  router.get('/api/commission', readers, async (ctx) => {
    const { user } = requireUser(ctx);
    ctx.body = { settings: await getSettings(deps.db), memberships: await membershipsOf(deps.db, user.id, today()) };
  });
  router.patch('/api/commission/settings', requireRole('commission_chair', 'admin'), async (ctx) => {
    const body = validateSettings(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.body = { settings: await updateSettings(deps.db, requireUser(ctx).actor, body) };
  });
  router.get('/api/commission/members', readers, async (ctx) => {
    const { at } = validateMembersQuery(ctx.query);
    ctx.body = { members: await listMembers(deps.db, { at: at ? assertDate(at, 'at') : undefined }) };
  });
  router.post('/api/commission/members', secretary, async (ctx) => {
    const body = validateMember(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.status = 201;
    ctx.body = { member: await addMember(deps.db, requireUser(ctx).actor, body) };
  });
  router.patch('/api/commission/members/:id', secretary, async (ctx) => {
    const body = validateTerm(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.body = { member: await setMemberTermEnd(deps.db, requireUser(ctx).actor, ctx.params.id!, body.termTo) };
  });
  router.get('/api/commission/meetings', readers, async (ctx) => {
    ctx.body = { meetings: await listMeetings(deps.db) };
  });
  router.post('/api/commission/meetings', secretary, async (ctx) => {
    const body = validateMeeting(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.status = 201;
    ctx.body = { meeting: await createMeeting(deps.db, requireUser(ctx).actor, body) };
  });
  router.get('/api/commission/meetings/:id', readers, async (ctx) => {
    ctx.body = { meeting: await getMeeting(deps.db, ctx.params.id!) };
  });
  router.post('/api/commission/meetings/:id/hold', secretary, async (ctx) => {
    const body = validateHold(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.body = { meeting: await holdMeeting(deps.db, requireUser(ctx).actor, ctx.params.id!, body) };
  });
  router.post('/api/commission/meetings/:id/agenda', secretary, async (ctx) => {
    const body = validateAgenda(await jsonBody(ctx, deps.jsonLimitBytes));
    const { actor } = requireUser(ctx);
    ctx.body = { meeting: body.itemId ? await putOnAgenda(deps.db, actor, ctx.params.id!, body.itemId) : await addAgendaItem(deps.db, actor, ctx.params.id!, body) };
  });
  router.post('/api/commission/meetings/:id/protocol', secretary, async (ctx) => {
    const body = validateProtocol(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.body = { meeting: await draftProtocol(store, requireUser(ctx).actor, ctx.params.id!, body) };
  });
  router.get('/api/commission/proposals', readers, async (ctx) => {
    ctx.body = { proposals: await listProposals(deps.db) };
  });
  router.post('/api/commission/items/:id/unschedule', secretary, async (ctx) => {
    ctx.body = { item: await removeFromAgenda(deps.db, requireUser(ctx).actor, ctx.params.id!) };
  });
  router.post('/api/commission/items/:id/votes', members, async (ctx) => {
    const body = validateVote(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.body = { item: await castVote(deps.db, requireUser(ctx).actor, ctx.params.id!, body) };
  });
  router.post('/api/commission/items/:id/close', secretary, async (ctx) => {
    ctx.body = { item: await closeVoting(deps.db, requireUser(ctx).actor, ctx.params.id!) };
  });
  router.get('/api/commission/decisions', readers, async (ctx) => {
    const q = validateDecision(ctx.query);
    ctx.body = { decision: await decisionOn(deps.db, q.kind, q.subjectId) };
  });
  router.get('/api/commission/protocol-renditions/:id', readers, async (ctx) => {
    const rendition = await readProtocolRendition(store, ctx.params.id!);
    ctx.type = 'application/pdf';
    ctx.set('Content-Disposition', contentDisposition(ctx.query.download === '1' ? 'attachment' : 'inline', `protocol-${rendition.language}.pdf`));
    ctx.set('ETag', `"${rendition.sha256}"`);
    ctx.body = rendition.bytes;
  });
  router.post('/api/commission/protocol-renditions/:id/signature', signers, async (ctx) => {
    const { cms } = validateSign(await jsonBody(ctx, deps.jsonLimitBytes));
    const { verifySignature } = await import('../../validators/signature');
    const bytes = new Uint8Array(Buffer.from(cms.replace(/\s+/g, ''), 'base64'));
    ctx.body = { meeting: await signProtocol({ ...store, trustDir: deps.config.trustDir, verifySignature }, requireUser(ctx).actor, { renditionId: ctx.params.id!, cms: bytes }) };
  });
  return router;
}

const ID = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const TAGS = ['commission'];
const SECURITY = [{ session: [] }];
const MEMBER = { type: 'object', properties: { id: { type: 'string' }, userId: { type: 'string' }, username: { type: 'string' }, fullName: { type: 'string' }, role: { enum: ['chair', 'secretary', 'member'] }, termFrom: { type: 'string' }, termTo: { type: ['string', 'null'] } } };
const MEETING = { type: 'object', description: 'The meeting with members in office, those present, the agenda (votes, outcome) and the current protocol renditions with their signatures' };
const ITEM = { type: 'object', description: 'An agenda question: kind, subject, votes, outcome (adopted / rejected / no_quorum) and tally once closed' };
const body = (schema: unknown) => ({ required: true, content: jsonContent(schema) });

export const openapi: OpenApiFragment = {
  paths: {
    '/api/commission': {
      get: { summary: "The commission's settings (names, quorum) and the caller's memberships in office today", tags: TAGS, security: SECURITY, responses: { '200': ok('Settings and memberships', { type: 'object' }), ...errors(401, 403) } },
    },
    '/api/commission/settings': {
      patch: { summary: 'Change the quorum (more than N % of members in office present) or the names (chair or admin)', tags: TAGS, security: SECURITY, requestBody: body(SETTINGS_SCHEMA), responses: { '200': ok('The settings', { type: 'object' }), ...errors(400, 401, 403) } },
    },
    '/api/commission/members': {
      get: { summary: 'Members with role and term (?at=YYYY-MM-DD: only those in office that day)', tags: TAGS, security: SECURITY, parameters: [{ name: 'at', in: 'query', schema: DATE }], responses: { '200': ok('Members', { type: 'object', properties: { members: { type: 'array', items: MEMBER } } }), ...errors(400, 401, 403) } },
      post: { summary: 'Appoint a user holding the matching commission role for a term (secretary or admin); overlapping terms and a second chair or secretary are refused', tags: TAGS, security: SECURITY, requestBody: body(MEMBER_SCHEMA), responses: { '201': ok('The member', { type: 'object', properties: { member: MEMBER } }), ...errors(400, 401, 403, 404, 409) } },
    },
    '/api/commission/members/{id}': {
      patch: { summary: "Set or clear the end of a member's term (secretary or admin)", tags: TAGS, security: SECURITY, parameters: [ID], requestBody: body(TERM_SCHEMA), responses: { '200': ok('The member', { type: 'object', properties: { member: MEMBER } }), ...errors(400, 401, 403, 404, 409) } },
    },
    '/api/commission/meetings': {
      get: { summary: 'Meetings, newest first, with status and number of questions', tags: TAGS, security: SECURITY, responses: { '200': ok('Meetings', { type: 'object', properties: { meetings: { type: 'array', items: { type: 'object' } } } }), ...errors(401, 403) } },
      post: { summary: 'Plan a meeting: number (unique in its year), date, place (secretary)', tags: TAGS, security: SECURITY, requestBody: body(MEETING_SCHEMA), responses: { '201': ok('The meeting', { type: 'object', properties: { meeting: MEETING } }), ...errors(400, 401, 403, 409) } },
    },
    '/api/commission/meetings/{id}': {
      get: { summary: 'One meeting: members in office, present, agenda with votes and outcomes, protocol renditions', tags: TAGS, security: SECURITY, parameters: [ID], responses: { '200': ok('The meeting', { type: 'object', properties: { meeting: MEETING } }), ...errors(401, 403, 404) } },
    },
    '/api/commission/meetings/{id}/hold': {
      post: { summary: 'Mark the meeting held with the members present (each in office on its date); voting opens (secretary)', tags: TAGS, security: SECURITY, parameters: [ID], requestBody: body(HOLD_SCHEMA), responses: { '200': ok('The meeting', { type: 'object', properties: { meeting: MEETING } }), ...errors(400, 401, 403, 404, 409) } },
    },
    '/api/commission/meetings/{id}/agenda': {
      post: { summary: 'Put a proposal (itemId) or a new question (kind, subjectId, title) on the agenda (secretary)', tags: TAGS, security: SECURITY, parameters: [ID], requestBody: body(AGENDA_SCHEMA), responses: { '200': ok('The meeting', { type: 'object', properties: { meeting: MEETING } }), ...errors(400, 401, 403, 404, 409) } },
    },
    '/api/commission/meetings/{id}/protocol': {
      post: { summary: 'Draft the protocol once every question is closed: PDF/A-1b in kk and ru stored; number and date default to the meeting\'s (secretary; refused once signing started)', tags: TAGS, security: SECURITY, parameters: [ID], requestBody: { required: false, content: jsonContent(PROTOCOL_SCHEMA) }, responses: { '200': ok('The meeting', { type: 'object', properties: { meeting: MEETING } }), ...errors(400, 401, 403, 404, 409) } },
    },
    '/api/commission/proposals': {
      get: { summary: 'Questions proposed by other domains and not yet on an agenda', tags: TAGS, security: SECURITY, responses: { '200': ok('Proposals', { type: 'object', properties: { proposals: { type: 'array', items: ITEM } } }), ...errors(401, 403) } },
    },
    '/api/commission/items/{id}/unschedule': {
      post: { summary: 'Take a question without votes off its agenda, back to the proposals (secretary)', tags: TAGS, security: SECURITY, parameters: [ID], responses: { '200': ok('The item', { type: 'object', properties: { item: ITEM } }), ...errors(401, 403, 404, 409) } },
    },
    '/api/commission/items/{id}/votes': {
      post: { summary: "The caller's vote (for / against / abstain), once, as a member present and in office; a reservation needs the dissent text (p.48)", tags: TAGS, security: SECURITY, parameters: [ID], requestBody: body(VOTE_SCHEMA), responses: { '200': ok('The item', { type: 'object', properties: { item: ITEM } }), ...errors(400, 401, 403, 404, 409) } },
    },
    '/api/commission/items/{id}/close': {
      post: { summary: 'Close voting: the outcome (adopted / rejected / no_quorum) is computed under the quorum and kept (secretary)', tags: TAGS, security: SECURITY, parameters: [ID], responses: { '200': ok('The item', { type: 'object', properties: { item: ITEM } }), ...errors(401, 403, 404, 409) } },
    },
    '/api/commission/decisions': {
      get: { summary: 'The latest decision on a subject (null while undecided); effective when outcome is adopted and protocolSigned', tags: TAGS, security: SECURITY, parameters: [{ name: 'kind', in: 'query', required: true, schema: { enum: [...AGENDA_ITEM_KINDS] } }, { name: 'subjectId', in: 'query', required: true, schema: TEXT(200) }], responses: { '200': ok('The decision', { type: 'object', properties: { decision: { type: ['object', 'null'] } } }), ...errors(400, 401, 403) } },
    },
    '/api/commission/protocol-renditions/{id}': {
      get: { summary: 'The stored protocol PDF/A-1b (exactly the bytes signed); ?download=1 as an attachment', tags: TAGS, security: SECURITY, parameters: [ID, { name: 'download', in: 'query', schema: { enum: ['0', '1'] } }], responses: { '200': { description: 'The PDF', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } }, ...errors(401, 403, 404) } },
    },
    '/api/commission/protocol-renditions/{id}/signature': {
      post: { summary: "The chair's or the secretary's detached CMS over the stored rendition, made in the browser; with both on every rendition the protocol is signed and its decisions effective", tags: TAGS, security: SECURITY, parameters: [ID], requestBody: body(SIGN_SCHEMA), responses: { '200': ok('The meeting', { type: 'object', properties: { meeting: MEETING } }), ...errors(400, 401, 403, 404, 409) } },
    },
  },
};
