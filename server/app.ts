// Koa wiring: request id, logging, language, security headers, errors as JSON, sessions,
// CSRF, then every server/routes/*.routes.ts module, then the built UI.
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Koa from 'koa';
import Router from '@koa/router';
import { ForbiddenError, NotFoundError, isAppError } from '../common/errors';
import { DEFAULT_LANGUAGE, isLanguage, negotiateLanguage, t, type Language } from '../common/i18n';
import { actorOf, state, type RequestState } from './auth';
import type { ServerDeps } from './deps';
import { buildOpenApiDocument, ok, toOpenApiPath, type OpenApiFragment } from './openapi';
import { clientAddressResolver } from './client-ip';
import { inputHygiene } from './hygiene';
import { CSRF_COOKIE, CSRF_HEADER, LANG_COOKIE, loadSession, sameToken } from './sessions';
import { serveUi } from './static';
import { APP_VERSION, REPO_ROOT } from './version';

const here = path.dirname(fileURLToPath(import.meta.url));
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// Query values that must never reach the log even if a client puts them in a URL.
const SECRET_QUERY = /pass|token|secret|session|csrf/i;

export interface RouteModule {
  createRoutes(deps: ServerDeps): Router;
  openapi?: OpenApiFragment;
}

export interface CreateAppOptions {
  /** Route modules to mount; default: every server/routes/*.routes.ts. */
  routeModules?: RouteModule[];
  /** Folder of the built UI; default ui/dist. */
  uiDist?: string;
}

export async function discoverRouteModules(dir = path.join(here, 'routes')): Promise<RouteModule[]> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.routes.ts') && !f.endsWith('.test.ts'))
    .sort();
  const modules: RouteModule[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as Partial<RouteModule>;
    if (typeof mod.createRoutes !== 'function') throw new Error(`server/routes/${file} does not export createRoutes(deps)`);
    modules.push(mod as RouteModule);
  }
  return modules;
}

function pickLanguage(ctx: Koa.Context, userLanguage?: Language): Language {
  const query = ctx.query.lang;
  if (isLanguage(query)) return query;
  const cookie = ctx.cookies.get(LANG_COOKIE);
  if (isLanguage(cookie)) return cookie;
  if (userLanguage) return userLanguage;
  return ctx.get('accept-language') ? negotiateLanguage(ctx.get('accept-language')) : DEFAULT_LANGUAGE;
}

function loggableUrl(ctx: Koa.Context): string {
  if (!ctx.querystring) return ctx.path;
  const params = new URLSearchParams(ctx.querystring);
  for (const key of [...params.keys()]) if (SECRET_QUERY.test(key)) params.set(key, '[redacted]');
  return `${ctx.path}?${params.toString()}`;
}

export interface MountedRoute {
  method: string;
  path: string;
}

export interface MuragatApp {
  app: Koa;
  /** Every method + path mounted (OpenAPI path syntax), for the document and its test. */
  routes: MountedRoute[];
  openapi: Record<string, unknown>;
}

export async function createApp(deps: ServerDeps, options: CreateAppOptions = {}): Promise<MuragatApp> {
  const app = new Koa();
  // Behind a TLS-terminating proxy (secure cookies) the scheme comes from X-Forwarded-Proto.
  // The client address is never koa's reading of X-Forwarded-For: see server/client-ip.ts.
  app.proxy = deps.config.secureCookies;
  app.silent = true;
  const log = deps.logger;
  const clientAddress = clientAddressResolver(deps.config.trustedProxies);

  // 1. Request id, language guess, timing and the access log.
  app.use(async (ctx, next) => {
    ctx.request.ip = clientAddress(ctx.req);
    const incoming = ctx.get('x-request-id');
    const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const s = ctx.state as RequestState;
    s.requestId = requestId;
    s.user = null;
    s.actor = null;
    s.sessionHash = null;
    s.lang = pickLanguage(ctx);
    ctx.set('x-request-id', requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const entry = {
        requestId,
        method: ctx.method,
        url: loggableUrl(ctx),
        status: ctx.status,
        ms: Math.round(ms * 10) / 10,
        ip: ctx.ip,
        user: (ctx.state as RequestState).user?.username ?? null,
      };
      if (ctx.status >= 500) log.error(entry, 'request');
      else log.info(entry, 'request');
      // Labelled by the matched route pattern: raw paths carry ids and would explode the series.
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? (ctx.path.startsWith('/api') ? 'unmatched' : 'ui');
      deps.metrics.observeRequest({ method: ctx.method, route: String(route), status: ctx.status, seconds: ms / 1000 });
    }
  });

  // 2. Errors → JSON in the request's language. Internal details go to the log only.
  app.use(async (ctx, next) => {
    try {
      await next();
      if (ctx.body == null && ctx.path.startsWith('/api') && ctx.status === 404) {
        throw new NotFoundError('route.not_found', 'server.route_not_found', { method: ctx.method, path: ctx.path });
      }
      // A method no route knows (TRACE, …) is 405 everywhere (/metrics too), never koa-router's 501.
      if (ctx.body == null) {
        if (ctx.status === 405 || ctx.status === 501) {
          // The router answered with only an Allow header; say it in words too.
          const s = state(ctx);
          const allowed = ctx.response.get('Allow');
          ctx.body = {
            error: {
              code: 'route.method_not_allowed',
              message: t(s.lang, 'server.route_method_not_allowed', { method: ctx.method, path: ctx.path, allowed: allowed || '-' }),
              messageKey: 'server.route_method_not_allowed',
              params: { method: ctx.method, path: ctx.path, allowed: allowed || '-' },
              requestId: s.requestId,
              details: { allowed: allowed ? allowed.split(/,\s*/) : [] },
            },
          };
          ctx.status = 405;
        }
      }
    } catch (error) {
      const s = state(ctx);
      let status: number;
      // messageKey and params let a client translate the message again (the UI does on a
      // language switch); message is the translation into the request's language.
      let body: { code: string; message: string; messageKey: string; params: Record<string, unknown>; requestId: string; details?: unknown };
      if (isAppError(error)) {
        status = error.status;
        body = { code: error.code, message: t(s.lang, error.messageKey, { ...error.params }), messageKey: error.messageKey, params: { ...error.params }, requestId: s.requestId };
        if (error.details !== undefined) body.details = error.details;
        if (status === 429) {
          const retry = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
          if (typeof retry === 'number') ctx.set('Retry-After', String(Math.ceil(retry)));
        }
        if (status >= 500) log.error({ requestId: s.requestId, code: error.code, err: error }, 'request failed');
        else log.info({ requestId: s.requestId, code: error.code }, 'request refused');
      } else {
        status = 500;
        body = { code: 'internal', message: t(s.lang, 'errors.internal', { requestId: s.requestId }), messageKey: 'errors.internal', params: { requestId: s.requestId }, requestId: s.requestId };
        log.error({ requestId: s.requestId, err: error }, 'unhandled error');
      }
      ctx.status = status;
      ctx.type = 'application/json';
      ctx.body = { error: body };
    }
  });

  // 3. Security headers on every answer, errors included.
  app.use(async (ctx, next) => {
    ctx.set('Content-Security-Policy',
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
      "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'");
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
    if (deps.config.secureCookies) ctx.set('Strict-Transport-Security', 'max-age=31536000');
    await next();
    if (ctx.path.startsWith('/api')) ctx.set('Cache-Control', 'no-store');
  });

  // 3b. NUL, invalid UTF-8 and lone surrogates in the path, query or headers: 400 here, not
  // a 500 from the database later (server/hygiene.ts; JSON bodies in server/body.ts).
  app.use(inputHygiene());

  // 4. Session → user, actor and the user's language.
  app.use(async (ctx, next) => {
    const s = state(ctx);
    const session = await loadSession(deps, ctx);
    if (session) {
      s.user = session.user;
      s.actor = actorOf(session.user, s.requestId);
      s.sessionHash = session.tokenHash;
      s.lang = pickLanguage(ctx, session.user.language);
    }
    await next();
  });

  // 5. CSRF double submit on every state-changing request, login included.
  app.use(async (ctx, next) => {
    if (UNSAFE_METHODS.has(ctx.method)) {
      const cookie = ctx.cookies.get(CSRF_COOKIE) ?? '';
      const header = ctx.get(CSRF_HEADER);
      if (!cookie || !header || !sameToken(cookie, header)) {
        throw new ForbiddenError('auth.csrf_invalid', 'server.auth_csrf_invalid', { header: CSRF_HEADER, cookie: CSRF_COOKIE }, { header: CSRF_HEADER, cookie: CSRF_COOKIE, present: { header: !!header, cookie: !!cookie } });
      }
    }
    await next();
  });

  // 6. API routes.
  const modules = options.routeModules ?? (await discoverRouteModules());
  const routes: MountedRoute[] = [];
  const fragments: OpenApiFragment[] = [];
  for (const mod of modules) {
    const router = mod.createRoutes(deps);
    for (const layer of router.stack) {
      for (const method of layer.methods) {
        if (method === 'HEAD') continue;
        routes.push({ method: method.toLowerCase(), path: toOpenApiPath(String(layer.path)) });
      }
    }
    app.use(router.routes());
    app.use(router.allowedMethods());
    if (mod.openapi) fragments.push(mod.openapi);
  }
  routes.push({ method: 'get', path: '/api/openapi.json' });
  fragments.push({
    paths: {
      '/api/openapi.json': {
        get: { summary: 'This OpenAPI 3.1 document', tags: ['meta'], responses: { '200': ok('OpenAPI document', { type: 'object' }) } },
      },
    },
  });
  const openapi = buildOpenApiDocument(fragments, APP_VERSION);
  const docRouter = new Router();
  docRouter.get('/api/openapi.json', (ctx) => {
    ctx.body = openapi;
  });
  app.use(docRouter.routes());

  // 7. The UI for everything else.
  app.use(serveUi(options.uiDist ?? path.join(REPO_ROOT, 'ui', 'dist')));

  return { app, routes, openapi };
}
