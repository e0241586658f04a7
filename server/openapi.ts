// The OpenAPI 3.1 description of the HTTP API. Each routes module exports an `openapi`
// fragment (paths and, optionally, component schemas); the document is their merge, so a
// module that adds a route documents it in the same file.
export type OpenApiOperation = {
  summary: string;
  tags?: string[];
  description?: string;
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
  security?: unknown[];
};
export type OpenApiPathItem = Partial<Record<'get' | 'post' | 'put' | 'patch' | 'delete', OpenApiOperation>>;

export interface OpenApiFragment {
  paths: Record<string, OpenApiPathItem>;
  schemas?: Record<string, unknown>;
}

/** `$ref` to a component schema. */
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

export const jsonContent = (schema: unknown) => ({ 'application/json': { schema } });

/** Shorthand for a JSON response. */
export const ok = (description: string, schema: unknown) => ({ description, content: jsonContent(schema) });

/** Standard error responses by status. */
export function errors(...statuses: number[]): Record<string, unknown> {
  const text: Record<number, string> = {
    400: 'Invalid input; details.problems lists each field (request.bad_text: NUL, invalid UTF-8 or a lone surrogate, details.where/field)',
    401: 'No valid session (auth.unauthenticated)',
    403: 'Missing role or CSRF token (auth.forbidden, auth.csrf_invalid)',
    404: "Not found; another department's dossier or transfer answers exactly the same (access/)",
    409: 'Conflicts with the current state',
    413: 'Request body too large',
    429: 'Too many attempts or over a quota; details.retryAfterSeconds and Retry-After when waiting helps',
    503: 'A required service is unavailable',
  };
  return Object.fromEntries(statuses.map((s) => [String(s), { description: text[s] ?? 'Error', content: jsonContent(ref('Error')) }]));
}

const BASE_SCHEMAS: Record<string, unknown> = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message', 'requestId'],
        properties: {
          code: { type: 'string', examples: ['auth.invalid_credentials'] },
          message: { type: 'string', description: 'Translated to the request language' },
          messageKey: { type: 'string', description: 'Message catalog key (common/i18n) of message, to translate it again' },
          params: { type: 'object', description: 'Values the message interpolates' },
          requestId: { type: 'string' },
          details: {},
        },
      },
    },
  },
};

export function buildOpenApiDocument(fragments: OpenApiFragment[], version: string): Record<string, unknown> {
  const paths: Record<string, OpenApiPathItem> = {};
  const schemas: Record<string, unknown> = { ...BASE_SCHEMAS };
  for (const fragment of fragments) {
    for (const [p, item] of Object.entries(fragment.paths)) {
      const merged = (paths[p] ??= {});
      for (const [method, op] of Object.entries(item) as [keyof OpenApiPathItem, OpenApiOperation][]) {
        if (merged[method]) throw new Error(`OpenAPI: ${method.toUpperCase()} ${p} is described twice`);
        merged[method] = op;
      }
    }
    for (const [name, schema] of Object.entries(fragment.schemas ?? {})) {
      if (schemas[name] && schemas[name] !== schema) throw new Error(`OpenAPI: schema ${name} is defined twice`);
      schemas[name] = schema;
    }
  }
  const sorted = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)));
  for (const item of Object.values(sorted)) for (const op of Object.values(item) as OpenApiOperation[]) describeTextChecks(op);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Muragat electronic archive API',
      version,
      description:
        'Cookie session (muragat_session) after POST /api/auth/login. Every POST/PUT/PATCH/DELETE needs header ' +
        'x-csrf-token equal to the muragat_csrf cookie (issued by GET /api/session). Messages follow ?lang=, ' +
        'cookie muragat_lang, the user language, Accept-Language; default kk.',
    },
    servers: [{ url: '/' }],
    components: {
      schemas,
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'muragat_session' },
        csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
      },
    },
    paths: sorted,
  };
}

// The text check (server/hygiene.ts) runs before any route: a NUL, invalid UTF-8 or a lone
// surrogate in any parameter, declared or not, is refused with 400 (request.bad_text). Say so in
// every operation, and give free-text parameters the pattern that check enforces, so a client
// generating requests from this document (schemathesis, tests/fuzz) knows what is valid.
const NO_NUL = '^[^\\u0000]*$';
function describeTextChecks(op: OpenApiOperation): void {
  op.responses['400'] ??= errors(400)['400'];
  for (const parameter of (op.parameters ?? []) as { schema?: Record<string, unknown> }[]) {
    const schema = parameter.schema;
    if (schema?.type === 'string' && schema.pattern === undefined && schema.format === undefined && schema.enum === undefined) schema.pattern = NO_NUL;
  }
}

/** `/api/users/:id/suspend` → `/api/users/{id}/suspend`. */
export function toOpenApiPath(routerPath: string): string {
  return routerPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}
