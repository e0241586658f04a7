// Shared setup for the browser tests: a fresh UI build when sources changed, a demo server on
// a free port with a temporary data folder, and the system Chromium (never a downloaded one).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { parseConfig, type Config } from '../../common/config';
import { processingIdle } from '../../ingest/intake/transfers.service';
import { createTestPki, type TestPki } from '../../validators/signature/testing/test-pki';
import { demoPassword } from '../../demo/seed';
import { startServer, type RunningServer } from '../../server/index';

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const SKIP_REASON = `browser tests need Chromium at ${CHROMIUM} (set CHROMIUM_BIN to use another path)`;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const uiDir = path.join(root, 'ui');
const distIndex = path.join(uiDir, 'dist', 'index.html');

function newestMtime(dir: string, skip: (name: string) => boolean = () => false): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip(entry.name)) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full, skip) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds ui/dist when it is missing or older than any UI source or message catalog. */
export async function ensureUiBuilt(): Promise<{ built: boolean; ms: number }> {
  const started = Date.now();
  // Every area's catalog is bundled: the UI translates server error keys itself.
  const sources = Math.max(
    newestMtime(uiDir, (name) => name === 'dist' || name === 'node_modules'),
    newestMtime(path.join(root, 'common', 'i18n'), (name) => name.endsWith('.ts')),
  );
  if (existsSync(distIndex) && statSync(distIndex).mtimeMs >= sources) return { built: false, ms: 0 };
  const { build } = await import('vite');
  await build({ configFile: path.join(uiDir, 'vite.config.ts'), logLevel: 'warn' });
  return { built: true, ms: Date.now() - started };
}

export interface DemoServer {
  server: RunningServer;
  stop(): Promise<void>;
}

export async function startDemoServer(): Promise<DemoServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'muragat-browser-'));
  const config = parseConfig({ MURAGAT_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
  const server = await startServer({ config, demo: true, quiet: true });
  return {
    server,
    async stop() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Headless system Chromium; playwright gives it a fresh temporary profile. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Visible text below WCAG AA contrast inside `scope`: 4.5:1, or 3:1 for large text; disabled
 * controls and visually hidden text are exempt. Each entry names the element, its text and ratio.
 */
export function lowContrast(page: Page, scope: 'body' | 'main' = 'body'): Promise<string[]> {
  return page.evaluate((root: string) => {
    const rgb = (value: string) => (value.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r = 0, g = 0, b = 0]: number[]) => {
      const lin = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const background = (el: Element | null): number[] => {
      for (; el; el = el.parentElement) {
        const c = rgb(getComputedStyle(el).backgroundColor);
        if (c.length >= 3 && (c[3] ?? 1) > 0.5) return c;
      }
      return [255, 255, 255];
    };
    const bad: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>(`${root} *`)) {
      const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent ?? '').join('').trim();
      if (!text || !el.offsetParent || el.closest(':disabled, .visually-hidden')) continue;
      const style = getComputedStyle(el);
      const [l1, l2] = [luminance(rgb(style.color)), luminance(background(el))].sort((a, b) => b - a);
      const ratio = (l1! + 0.05) / (l2! + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) bad.push(`${el.tagName} "${text.slice(0, 30)}" ${ratio.toFixed(2)}:1`);
    }
    return bad;
  }, scope);
}

/** A page that collects the uncaught errors of the UI, for tests to assert there were none. */
export type PageWithProblems = Page & { problems: string[] };

export interface Viewport {
  width: number;
  height: number;
}

/** A new browser context logged in as a demo user (password from the demo seed), on the home page. */
export async function loginAsDemoUser(browser: Browser, base: string, username: string, viewport: Viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: PageWithProblems }> {
  const context = await browser.newContext({ viewport });
  const page = (await context.newPage()) as PageWithProblems;
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(error.message));
  await page.goto(base + '/');
  await page.locator('#login-username').fill(username);
  await page.locator('#login-password').fill(demoPassword(username));
  await page.locator('form.login-form button[type=submit]').click();
  await page.locator('#main-nav').waitFor({ state: 'attached' });
  return { context, page };
}

export interface DemoBrowserSuiteOptions {
  /** Names the temporary work folder (`muragat-<name>-…`). */
  name: string;
  /** A test PKI, generated under the work folder, whose anchors the server trusts. */
  pki?: boolean;
  /** Objects in their own location under the work folder instead of inside the data folder. */
  ownStorage?: boolean;
  /** Further settings, e.g. MURAGAT_CLOCK. */
  env?: Record<string, string>;
}

/** What a browser suite works with; filled by its beforeAll, so read it inside hooks and tests only. */
export interface DemoBrowserSuite {
  server: RunningServer;
  browser: Browser;
  /** The server's address without a trailing slash. */
  base: string;
  work: string;
  config: Config;
  pki: TestPki;
  /** A new context logged in as a demo user (a desktop window unless `viewport`); it is closed after the current test. */
  login(username: string, viewport?: Viewport): Promise<PageWithProblems>;
  /** Closes a context (opened some other way) after the current test. */
  track(context: BrowserContext): void;
}

/**
 * The set-up every browser suite shares, registered as the describe block's hooks: a fresh UI
 * build when needed, a demo server on a free port with its own data folder, the system Chromium,
 * contexts closed after each test, and after the last the processing drained before the server
 * stops. A suite's own beforeAll, registered after this call, runs once the server is up.
 */
export function demoBrowserSuite(options: DemoBrowserSuiteOptions): DemoBrowserSuite {
  const contexts: BrowserContext[] = [];
  const suite = {
    async login(username: string, viewport?: Viewport) {
      const opened = await loginAsDemoUser(suite.browser, suite.base, username, viewport);
      contexts.push(opened.context);
      return opened.page;
    },
    track(context: BrowserContext) {
      contexts.push(context);
    },
  } as DemoBrowserSuite;

  beforeAll(async () => {
    suite.work = await mkdtemp(path.join(os.tmpdir(), `muragat-${options.name}-`));
    await ensureUiBuilt();
    if (options.pki) suite.pki = await createTestPki(path.join(suite.work, 'pki'));
    suite.config = parseConfig({
      MURAGAT_DATA_DIR: path.join(suite.work, 'data'),
      ...(options.ownStorage ? { MURAGAT_STORAGE: `file:${path.join(suite.work, 'store')}` } : {}),
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      // No ClamAV signature database on test machines: the policy says what that means.
      MURAGAT_MALWARE_POLICY: 'accept-with-warning',
      ...(options.pki ? { MURAGAT_TRUST_DIR: suite.pki.trustDir } : {}),
      ...options.env,
    });
    [suite.server, suite.browser] = await Promise.all([startServer({ config: suite.config, demo: true, quiet: true }), launchBrowser()]);
    suite.base = suite.server.url.replace(/\/$/, '');
  }, 300_000);

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });

  afterAll(async () => {
    await suite.browser?.close();
    if (suite.server) {
      await processingIdle(suite.server.deps.db);
      await suite.server.close();
    }
    if (suite.work) await rm(suite.work, { recursive: true, force: true });
  });

  return suite;
}
