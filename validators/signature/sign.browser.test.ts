// signDetached must run in the browser (the UI signs documents with the user's PKCS#12).
// Bundle the signing module for the browser platform, run it in headless Chromium, and check
// the result with `openssl cms -verify` and verifySignature. A GOST key (NCA RK test PKCS#12)
// signs in the same bundle; OpenSSL has no GOST, so verifySignature alone checks that one.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild'; // present through tsx, which bundles with it
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../common/process';
import { verifySignature } from './index';
import { createTestPki, type TestPki } from './testing/test-pki';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const here = path.dirname(fileURLToPath(import.meta.url));

let dir: string;
let pki: TestPki;
let browser: Browser | undefined;
let bundle: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return;
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-sig-browser-'));
  pki = await createTestPki(path.join(dir, 'pki'));
  // platform 'browser' fails the build on any Node built-in reachable from signDetached.
  const result = await build({
    entryPoints: [path.join(here, 'sign.service.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'MuragatSign',
    write: false,
    logLevel: 'silent',
  });
  bundle = result.outputFiles[0]!.text.replace(/<\/script/gi, '<\\/script'); // inlined in a <script> element
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const NCA = path.resolve(here, '../../../shared/fixtures/nca-rk');

async function signInBrowser(p12: Uint8Array, password: string, content: string, signingTime?: string): Promise<Uint8Array> {
  const page = await browser!.newPage();
  try {
    // WebCrypto needs a secure context; serve the page on an intercepted https origin (no network).
    await page.route('https://signing.muragat.test/', (route) =>
      route.fulfill({ contentType: 'text/html', body: `<!doctype html><meta charset="utf-8"><script>${bundle}</script>` }));
    await page.goto('https://signing.muragat.test/');
    const cmsBase64 = await page.evaluate(async ({ p12, password, content, signingTime }) => {
      const bytes = Uint8Array.from(atob(p12), (c) => c.charCodeAt(0));
      const api = (globalThis as unknown as { MuragatSign: { signDetached(c: Uint8Array, p: Uint8Array, pw: string, o: { signingTime?: Date }): Promise<Uint8Array> } }).MuragatSign;
      const cms = await api.signDetached(new TextEncoder().encode(content), bytes, password, signingTime ? { signingTime: new Date(signingTime) } : {});
      return btoa(String.fromCharCode(...cms));
    }, { p12: Buffer.from(p12).toString('base64'), password, content, signingTime });
    return new Uint8Array(Buffer.from(cmsBase64, 'base64'));
  } finally {
    await page.close();
  }
}

describe.skipIf(!existsSync(CHROMIUM) || !existsSync(NCA))('signDetached in Chromium with an NCA RK GOST key', () => {
  it('signs with individual-2015-gost.p12 (GOST 34.10-2015, 512 bits); verifySignature accepts it', async () => {
    const content = 'Бұйрық № 3 — браузерде ГОСТ кілтімен қол қойылды.\n';
    const at = '2022-10-01T00:00:00Z';
    const cms = await signInBrowser(new Uint8Array(await readFile(path.join(NCA, 'individual-2015-gost.p12'))), 'Aa123456', content, at);
    const trust = {
      anchors: [new Uint8Array(await readFile(path.join(NCA, 'nca_gost2015_test.cer')))],
      crls: [new Uint8Array(await readFile(path.join(NCA, 'nca_gost2022_test.crl')))],
    };
    const report = await verifySignature({ signature: cms, content: new TextEncoder().encode(content), trust, at: new Date(at), lang: 'en' });
    expect(report.verdict, report.reason).toBe('valid');
    expect(report.signers[0]!.checks.find((c) => c.name === 'algorithm')!.message).toContain('GOST 34.10-2015');
    const changed = await verifySignature({ signature: cms, content: new TextEncoder().encode(content + ' '), trust, at: new Date(at) });
    expect(changed.verdict).toBe('invalid');
  });
});

describe.skipIf(!existsSync(CHROMIUM))('signDetached in Chromium', () => {
  it.each([
    ['RSA, PBES2/AES PKCS#12', () => pki.signerP12Path],
    ['RSA, legacy 3DES PKCS#12', () => pki.legacyP12Path],
    ['ECDSA P-256', () => pki.signers.ecdsa.p12Path],
  ])('signs with %s; openssl and verifySignature accept the result', async (_label, p12Path) => {
    const page = await browser!.newPage();
    try {
      // WebCrypto needs a secure context; serve the page on an intercepted https origin (no network).
      await page.route('https://signing.muragat.test/', (route) =>
        route.fulfill({ contentType: 'text/html', body: `<!doctype html><meta charset="utf-8"><script>${bundle}</script>` }));
      await page.goto('https://signing.muragat.test/');
      const content = 'Шарт № 7 — договор, подписанный в браузере.\n';
      const p12 = (await readFile(p12Path())).toString('base64');
      const cmsBase64 = await page.evaluate(async ({ p12, password, content }) => {
        const bytes = Uint8Array.from(atob(p12), (c) => c.charCodeAt(0));
        const api = (globalThis as unknown as { MuragatSign: { signDetached(c: Uint8Array, p: Uint8Array, pw: string): Promise<Uint8Array> } }).MuragatSign;
        const cms = await api.signDetached(new TextEncoder().encode(content), bytes, password);
        return btoa(String.fromCharCode(...cms));
      }, { p12, password: pki.password, content });
      const cms = Buffer.from(cmsBase64, 'base64');
      const docPath = path.join(dir, `doc-${_label.length}.txt`);
      const sigPath = `${docPath}.p7s`;
      await writeFile(docPath, content);
      await writeFile(sigPath, cms);
      const openssl = await runProcess('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', sigPath, '-content', docPath,
        '-CAfile', pki.root.certPath, '-purpose', 'any', '-out', '/dev/null']);
      expect(openssl.code, openssl.stderr).toBe(0);
      const report = await verifySignature({ signature: new Uint8Array(cms), content: docPath, trustDir: pki.trustDir });
      expect(report.verdict, report.reason).toBe('valid');
    } finally {
      await page.close();
    }
  });
});
