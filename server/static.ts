// Serves the built single-page UI (ui/dist). Paths outside /api that are not files get
// index.html so the SPA's own router handles them; hashed assets are cached for a year.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type Koa from 'koa';
import { t } from '../common/i18n';
import { state } from './auth';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
};

async function fileSize(file: string): Promise<number | null> {
  try {
    const s = await stat(file);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function serveUi(distDir: string): Koa.Middleware {
  const root = path.resolve(distDir);
  const index = path.join(root, 'index.html');
  return async (ctx, next) => {
    if (ctx.path === '/api' || ctx.path.startsWith('/api/')) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    let relative: string;
    try {
      relative = decodeURIComponent(ctx.path);
    } catch {
      return next();
    }
    // Resolving against the root and checking the prefix refuses `..` and encoded escapes.
    const candidate = path.resolve(root, '.' + path.posix.normalize('/' + relative));
    const inside = candidate === root || candidate.startsWith(root + path.sep);
    let file = inside && relative !== '/' ? candidate : index;
    let size = await fileSize(file);
    if (size === null) {
      file = index;
      size = await fileSize(index);
    }
    if (size === null) {
      const lang = state(ctx).lang;
      ctx.status = 503;
      ctx.type = 'text/html; charset=utf-8';
      ctx.body =
        `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Muragat</title></head><body>` +
        `<h1>${escapeHtml(t(lang, 'server.ui_missing_title'))}</h1>` +
        `<p>${escapeHtml(t(lang, 'server.ui_missing_hint', { command: 'npm run build:ui', dir: root }))}</p>` +
        `<p><a href="/api/health">/api/health</a> · <a href="/api/openapi.json">/api/openapi.json</a></p></body></html>`;
      return;
    }
    const ext = path.extname(file).toLowerCase();
    ctx.type = TYPES[ext] ?? 'application/octet-stream';
    ctx.length = size;
    ctx.set('Cache-Control', file === index ? 'no-cache' : relative.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
    ctx.body = ctx.method === 'HEAD' ? null : createReadStream(file);
    if (ctx.method === 'HEAD') ctx.length = size;
  };
}
