// In-process server for HTTP tests: port 0, a temporary data folder, a logger that keeps
// every line in memory, and a fetch client with a cookie jar and the CSRF dance.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { parseConfig } from '../../common/config';
import type { Database } from '../../database/database';
import { startServer, type RunningServer, type StartServerOptions } from '../../server/index';
import { packTransfer } from '../../ingest/transfer/index';
import { KAZAKH_TEXT, RUSSIAN_TEXT } from '../../ingest/transfer/testing/fixtures';

export interface TestServer extends RunningServer {
  /** Every log line written so far (raw JSON text). */
  logs: string[];
  dataDir: string;
  stop(): Promise<void>;
}

export async function startTestServer(
  db: Kysely<Database>,
  options: Partial<StartServerOptions> = {},
  env: Record<string, string> = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'muragat-server-'));
  const config = parseConfig({ MURAGAT_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const server = await startServer({ config, db, logger, shutdownGraceMs: 2000, ...options });
  return {
    ...server,
    logs,
    dataDir,
    async stop() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** A browser stand-in: keeps cookies, sends the CSRF header when it has the cookie. */
export class Client {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async request(method: string, url: string, options: { json?: unknown; body?: string; headers?: Record<string, string>; csrf?: boolean | string } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const csrf = options.csrf ?? true;
    if (csrf !== false) {
      const token = typeof csrf === 'string' ? csrf : this.cookies.get('muragat_csrf');
      if (token) headers['x-csrf-token'] = token;
    }
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.base + url, { method, headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!value || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let parsed: unknown = undefined;
    if ((res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  get(url: string, options: { headers?: Record<string, string> } = {}) {
    return this.request('GET', url, options);
  }

  post(url: string, json?: unknown, options: { headers?: Record<string, string>; csrf?: boolean | string } = {}) {
    return this.request('POST', url, { ...options, json: json ?? {} });
  }

  /** GET /api/session for the CSRF cookie, then log in. */
  async login(username: string, password: string): Promise<Answer> {
    if (!this.cookies.has('muragat_csrf')) await this.get('/api/session');
    return this.post('/api/auth/login', { username, password });
  }
}

/** One dossier of two text documents (a Kazakh and a Russian order) of department 04, packed as a transfer tar. */
export async function packTextDossier(
  dir: string,
  dossier: { index: string; title: string; kazakhOrder: string; russianOrder: string; retention?: Record<string, unknown> },
): Promise<string> {
  const tree = path.join(dir, 'tree');
  await mkdir(path.join(tree, dossier.index), { recursive: true });
  await writeFile(
    path.join(tree, 'transfer.json'),
    JSON.stringify({
      organisation: { bin: '123456789012', name: '«Мұрағат Үлгі» ЖШС' },
      department: { code: '04', name: 'Бухгалтерия' },
      year: 2025,
      fonds: '12',
      people: { compiledBy: { name: 'Әбенова Г. С.', position: 'іс жүргізуші' }, headOfDepartment: { name: 'Сейітов Н. Қ.', position: 'бөлім басшысы' } },
    }),
  );
  await writeFile(path.join(tree, dossier.index, 'dossier.json'), JSON.stringify({ title: dossier.title, retention: dossier.retention ?? { kind: 'years', years: 10, article: '201' } }));
  await writeFile(path.join(tree, dossier.index, `2025-02-01 Бұйрық №${dossier.kazakhOrder}.txt`), KAZAKH_TEXT.join('\n') + '\n');
  await writeFile(path.join(tree, dossier.index, `2025-04-10 Приказ №${dossier.russianOrder}.txt`), RUSSIAN_TEXT.join('\n') + '\n');
  const tar = path.join(dir, 'transfer.tar');
  await packTransfer(tree, tar);
  return tar;
}

/** Polls `probe` until it gives a value; fails naming `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, pollMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
