// The HTTP API fuzzed from its own OpenAPI document (issue 15), the checks schemathesis makes,
// in TypeScript: schemathesis is on PyPI, which this machine does not reach, and Debian has no
// package of it (`apt-cache search schemathesis` is empty; docs/operations.md). Every operation
// of /api/openapi.json is called as each role and anonymously, with path and query parameters
// and JSON bodies generated from the operation's own schemas by fast-check
// (tests/fuzz/schema-arbitrary.ts: valid values and near misses), path ids sometimes real ones
// of the fixtures so the handlers get past the lookup. Checks per answer:
// - not a server error (no 5xx other than a documented 503);
// - the status is documented for the operation (or is an error every route may give: 400, 401,
//   403, 404, 405, 413, 415, 429), and an error body is the documented Error shape;
// - a documented JSON answer matches its schema (ajv, OpenAPI 3.1 = JSON Schema 2020-12), and
//   its content type is the documented one.
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROLES, type Role } from '../../accounts/roles';
import { processingIdle } from '../../ingest/intake/transfers.service';
import { describeEachDatabase } from '../helpers/db';
import { createDepartmentFixtures, OWN, passwordOf, type DepartmentFixtures } from '../server/departments';
import { Client, startTestServer, type Answer, type TestServer } from '../server/helpers';
import { arbitraryOf, hostileString, nearMissesOf } from './schema-arbitrary';

type Json = Record<string, any>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
/** Errors any route may answer without listing them (the framework's own, before the handler). */
const GENERIC_ERRORS = new Set([400, 401, 403, 404, 405, 413, 415, 429]);
/** Routes whose success ends the caller's session (the fuzzing client logs in again after them). */
const SESSION_ENDING = new Set(['/api/auth/logout', '/api/auth/password']);
/** Generated requests per operation and caller (roles and anonymous). */
const CASES = Number(process.env.MURAGAT_FUZZ_HTTP_CASES ?? 1);
/**
 * Callers of each operation: anonymous and, in the suite, three roles in turn (each role meets
 * about a third of the operations, every role several dozen); MURAGAT_FUZZ_HTTP_ALL_ROLES=1
 * calls every operation as every role (about 2,000 requests per engine).
 */
const ALL_ROLES = process.env.MURAGAT_FUZZ_HTTP_ALL_ROLES === '1';
function callersOf(index: number): (Role | null)[] {
  if (ALL_ROLES) return [null, ...ROLES];
  return [null, ...[0, 1, 2].map((j) => ROLES[(index * 3 + j) % ROLES.length]!)];
}
const SEED = Number(process.env.MURAGAT_FUZZ_SEED ?? Math.floor(Date.now() / 86_400_000));

interface Operation {
  method: (typeof METHODS)[number];
  path: string;
  op: Json;
}

interface Violation {
  who: string;
  request: string;
  status: number;
  problem: string;
}

/** Percent-encodes; a lone surrogate (which encodeURIComponent refuses) is sent as its WTF-8 bytes, as a hostile client would. */
function enc(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value.split(/([\uD800-\uDFFF])/).map((part) => (/^[\uD800-\uDFFF]$/.test(part) ? Buffer.from([0xed, 0xa0 + ((part.charCodeAt(0) >> 6) & 0x1f), 0x80 + (part.charCodeAt(0) & 0x3f)]).toString('hex').replace(/../g, '%$&') : encodeURIComponent(part))).join('');
  }
}

/** Rewrites `#/components/...` refs to the document registered in ajv under `openapi.json`. */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (!schema || typeof schema !== 'object') return schema;
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `openapi.json${v}` : rebase(v)]));
}

describeEachDatabase('the HTTP API fuzzed from its OpenAPI document, as each role', (getDb) => {
  let server: TestServer;
  let fx: DepartmentFixtures;
  let doc: Json;
  const clients = new Map<Role | null, Client>();
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true, logger: false });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  const validators = new Map<unknown, ValidateFunction>();

  async function login(role: Role): Promise<Client> {
    const client = new Client(server.url);
    expect((await client.login(fx.users[role], passwordOf(fx.users[role]))).status).toBe(200);
    clients.set(role, client);
    return client;
  }

  beforeAll(async () => {
    server = await startTestServer(getDb().db, {}, { MURAGAT_MALWARE_POLICY: 'accept-with-warning', LOG_LEVEL: 'warn' });
    fx = await createDepartmentFixtures(server);
    for (const role of ROLES) await login(role);
    const anonymous = new Client(server.url);
    await anonymous.get('/api/session');
    clients.set(null, anonymous);
    doc = (await anonymous.get('/api/openapi.json')).body as Json;
    ajv.addSchema({ $id: 'openapi.json', components: rebase(doc.components) as Json });
  }, 300_000);
  afterAll(async () => {
    await processingIdle(server?.deps.db);
    await server?.stop();
  }, 180_000);

  function validatorOf(schema: unknown): ValidateFunction {
    let v = validators.get(schema);
    if (!v) {
      v = ajv.compile(rebase(schema) as Json);
      validators.set(schema, v);
    }
    return v;
  }

  /** Values for one path parameter: real ids of the fixtures, or anything the schema allows, or not. */
  function pathValue(name: string, schema: Json | undefined): fc.Arbitrary<string> {
    const real = [fx.dossiers[OWN]!.id, fx.transfers[OWN]!, fx.dossiers[OWN]!.index, '1', '2', String(new Date().getFullYear())];
    const generated = arbitraryOf(schema ?? { type: 'string' }, { root: doc }).map((v) => String(v));
    // A path segment is never empty: an empty one names another route (`/api/dossiers/` is the list).
    return fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...real) }, { weight: 2, arbitrary: generated }, { weight: 1, arbitrary: hostileString(30) }).map((v) => enc(v) || 'x');
  }

  function requestOf(o: Operation): fc.Arbitrary<{ url: string; body?: unknown }> {
    const params = ((o.op.parameters ?? []) as Json[]).map((p) => (p.$ref ? (doc.components.parameters?.[String(p.$ref).split('/').pop()!] as Json) : p));
    const pathParams = params.filter((p) => p.in === 'path');
    const queryParams = params.filter((p) => p.in === 'query');
    const names = [...o.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const pathArb = fc.tuple(...names.map((n) => pathValue(n, pathParams.find((p) => p.name === n)?.schema)));
    const queryArb = fc.tuple(
      ...queryParams.map((p) =>
        fc.option(
          fc.oneof(arbitraryOf(p.schema ?? { type: 'string' }, { root: doc }), hostileString(20)).map((v) => `${enc(p.name)}=${enc(typeof v === 'string' ? v : JSON.stringify(v))}`),
          { freq: 2 },
        ),
      ),
    );
    const bodySchema = o.op.requestBody?.content?.['application/json']?.schema;
    const bodyArb = bodySchema ? nearMissesOf(bodySchema, { root: doc, maxDepth: 5, maxItems: 2 }) : fc.constant(undefined);
    return fc.record({ path: pathArb, query: queryArb, body: bodyArb }).map(({ path, query, body }) => {
      let i = 0;
      const url = o.path.replace(/\{[^}]+\}/g, () => path[i++]!);
      const q = query.filter(Boolean).join('&');
      return { url: q ? `${url}?${q}` : url, body };
    });
  }

  function check(o: Operation, who: string, request: string, answer: Answer): Violation[] {
    const out: Violation[] = [];
    const v = (problem: string) => out.push({ who, request, status: answer.status, problem });
    const responses = (o.op.responses ?? {}) as Json;
    const documented = responses[String(answer.status)] ?? responses[`${String(answer.status)[0]}XX`] ?? responses.default;
    if (answer.status >= 500 && !(answer.status === 503 && documented)) v(`server error: ${answer.text.slice(0, 300)}`);
    if (!documented && !GENERIC_ERRORS.has(answer.status) && answer.status < 500) v('status not documented for this operation');
    const type = (answer.headers.get('content-type') ?? '').split(';')[0]!.trim();
    if (answer.status >= 400) {
      if (type !== 'application/json') v(`error answered as ${type || 'no content type'}`);
      else if (!validatorOf({ $ref: '#/components/schemas/Error' })(answer.body)) v(`error body is not the Error shape: ${answer.text.slice(0, 200)}`);
      return out;
    }
    const content = documented?.content as Json | undefined;
    if (!content || answer.status === 204) return out;
    const media = content[type] ?? Object.entries(content).find(([k]) => k.endsWith('/*') && type.startsWith(k.slice(0, -1)))?.[1];
    if (!media) {
      v(`content type ${type || '(none)'} not documented (documented: ${Object.keys(content).join(', ')})`);
      return out;
    }
    if (type === 'application/json' && media.schema) {
      const validate = validatorOf(media.schema);
      if (!validate(answer.body)) v(`body does not match the documented schema: ${ajv.errorsText(validate.errors?.slice(0, 3))}; body ${answer.text.slice(0, 200)}`);
    }
    return out;
  }

  it('no server error and no answer outside the documented schemas, for every operation and role', async () => {
    const operations: Operation[] = [];
    for (const [p, item] of Object.entries(doc.paths as Json)) {
      for (const method of METHODS) if ((item as Json)[method]) operations.push({ method, path: p, op: (item as Json)[method] });
    }
    const violations: Violation[] = [];
    let requests = 0;
    const started = Date.now();
    const callersUsed = new Set<string>();
    for (const [index, o] of operations.entries()) {
      const callers = callersOf(index);
      const samples = fc.sample(requestOf(o), { numRuns: CASES * callers.length, seed: SEED + index });
      for (const [k, role] of callers.flatMap((r) => Array(CASES).fill(r) as (Role | null)[]).entries()) {
        callersUsed.add(role ?? 'anonymous');
        const r = samples[k]!;
        const client = clients.get(role)!;
        const answer = await client.request(o.method.toUpperCase(), r.url, r.body === undefined || o.method === 'get' ? {} : { json: r.body });
        requests += 1;
        const who = role ?? 'anonymous';
        violations.push(...check(o, who, `${o.method.toUpperCase()} ${r.url}${r.body === undefined || o.method === 'get' ? '' : ` ${JSON.stringify(r.body).slice(0, 200)}`}`, answer));
        // A fuzzed request may end the caller's session (log out, a password change): log in again.
        if (role && (answer.status === 401 || SESSION_ENDING.has(o.path))) await login(role);
      }
    }
    expect([...callersUsed].sort()).toEqual(['anonymous', ...ROLES].sort());
    console.log(`HTTP fuzz: ${operations.length} operations, ${requests} requests as ${callersUsed.size} callers in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED}); ${violations.length} violations`);
    expect(violations.slice(0, 25), violations.slice(0, 25).map((x) => `${x.who} ${x.request} → ${x.status}: ${x.problem}`).join('\n')).toEqual([]);
  }, 600_000);
});
