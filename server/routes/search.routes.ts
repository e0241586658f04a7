// Full-text search of the catalog (search/, docs/search.md): words in Kazakh and Russian over
// dossier and document metadata and the text of the renditions, filters, highlighted snippets,
// paging. Researchers find only what the access rules let them see (access/); staff their
// department's dossiers (access/policy).
import Router from '@koa/router';
import { COMMISSION_ROLES } from '../../accounts/roles';
import { isResearcher } from '../../access/researcher.service';
import { parseSearchInput, search, COUNT_CAP, DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, RETENTION_KINDS, RESULT_TYPES } from '../../search';
import { requireRole, requireUser } from '../auth';
import type { ServerDeps } from '../deps';
import { errors, ok, ref, type OpenApiFragment } from '../openapi';

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  // The readers of the dossier list: those who may read any stored dossier at all.
  const readers = requireRole('archivist', 'department_clerk', 'department_head', ...COMMISSION_ROLES, 'researcher');

  router.get('/api/search', readers, async (ctx) => {
    const { user } = requireUser(ctx);
    // `lang` chooses the language of the answer's messages (server-wide), not a filter.
    const { lang: _lang, ...query } = ctx.query as Record<string, unknown>;
    const input = parseSearchInput(query);
    const viewer = isResearcher(user.roles)
      ? ({ kind: 'researcher', now: deps.now(), userId: user.id } as const)
      : ({ kind: 'staff', scope: await deps.access.scope(user) } as const);
    ctx.body = await search(deps.db, input, viewer);
  });

  return router;
}

const PART = { type: 'object', required: ['text'], properties: { text: { type: 'string' }, hit: { const: true, description: 'A word the query matched' } } };
const PARTS = { type: 'array', items: PART };

const param = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }) => ({ name, in: 'query', description, schema });

export const openapi: OpenApiFragment = {
  schemas: {
    SearchHit: {
      type: 'object',
      required: ['type', 'dossierId', 'caseIndex', 'volume', 'dossierTitle', 'title', 'languages', 'snippet', 'rank'],
      properties: {
        type: { enum: ['dossier', 'document'] },
        dossierId: { type: 'string', format: 'uuid' },
        caseIndex: { type: 'string' },
        volume: { type: 'integer' },
        year: { type: ['integer', 'null'] },
        fonds: { type: ['string', 'null'] },
        department: { type: ['string', 'null'] },
        retention: { type: ['string', 'null'], enum: [...RETENTION_KINDS, null] },
        dossierTitle: { type: 'string' },
        position: { type: ['integer', 'null'], description: "The document's position in its dossier (documents only)" },
        documentId: { type: ['string', 'null'] },
        title: { ...PARTS, description: 'The title with the matched words marked' },
        kind: { type: ['string', 'null'], description: 'Document kind, lower-cased' },
        date: { type: ['string', 'null'], format: 'date' },
        languages: { type: 'array', items: { type: 'string' } },
        snippet: { type: ['array', 'null'], items: PART, description: "Where in the rendition's text the words are; null when not matched there or (researchers) when only the description may be seen" },
        rank: { type: 'number' },
      },
    },
  },
  paths: {
    '/api/search': {
      get: {
        summary: 'Full-text search (archivist, clerk, head, expert commission, researcher): Russian stemming, Kazakh prefixes, misspelt words by trigrams',
        description:
          'Researchers see only what the access rules allow (a document whose description only is open is found by its metadata, never by its text); department staff see their department. A bad filter value is refused (400 search.bad_filter) naming the filter and the value; an unknown parameter too.',
        tags: ['search'],
        security: [{ session: [] }],
        parameters: [
          param('q', 'Words to find (empty with at least one filter: list what the filters select)'),
          param('fonds', 'Fonds number'),
          param('year', 'A year (2020) or a range (2019-2021)'),
          param('department', 'Department code'),
          param('kind', 'Document kind (приказ, бұйрық…), any case; documents only'),
          param('language', 'Document language (kk, ru…)', { type: 'string', pattern: '^[a-z]{2,3}$' }),
          param('retention', 'Retention kind', { enum: [...RETENTION_KINDS] }),
          param('type', 'Dossiers or documents only', { enum: [...RESULT_TYPES] }),
          param('limit', `Results per page (default ${DEFAULT_LIMIT})`, { type: 'integer', minimum: 1, maximum: MAX_LIMIT }),
          param('offset', 'Results to skip', { type: 'integer', minimum: 0, maximum: MAX_OFFSET }),
        ],
        responses: {
          '200': ok('A page of results', {
            type: 'object',
            required: ['q', 'terms', 'filters', 'total', 'totalCapped', 'limit', 'offset', 'hits'],
            properties: {
              q: { type: 'string' },
              terms: { type: 'array', items: { type: 'object', properties: { term: { type: 'string' }, similar: { type: 'array', items: { type: 'string' } } } }, description: 'The words searched; for a word the catalog does not know, the similar words searched instead' },
              filters: { type: 'object' },
              total: { type: 'integer', description: `Matches, counted up to ${COUNT_CAP}` },
              totalCapped: { type: 'boolean', description: `More than ${COUNT_CAP} matches` },
              limit: { type: 'integer' },
              offset: { type: 'integer' },
              hits: { type: 'array', items: ref('SearchHit') },
            },
          }),
          ...errors(400, 401, 403),
        },
      },
    },
  },
};
