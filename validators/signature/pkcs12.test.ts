import { createCipheriv, createPublicKey, randomBytes, verify } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../common/process';
import { readCatalogs, t } from '../../common/i18n';
import { tripleDesCbcDecrypt } from './des';
import { rc2CbcDecrypt } from './rc2';
import { importPrivateKey, loadPkcs12 } from './pkcs12';
import { toArrayBuffer } from './asn1-util';

const here = path.dirname(fileURLToPath(import.meta.url));
let dir: string;

async function openssl(args: string[], input?: Uint8Array) {
  return runProcess('openssl', args, { cwd: dir, ...(input ? { input } : {}) });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-p12-'));
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-subj', '/CN=P12 Test/serialNumber=IIN111111111111', '-days', '2']);
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ek.pem', '-out', 'ec.pem', '-subj', '/CN=EC CA', '-days', '2']);
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('ciphers for legacy PKCS#12', () => {
  it('3DES-CBC decryption matches OpenSSL for three-key and two-key 3DES', () => {
    for (let n = 0; n < 4; n++) {
      const key = randomBytes(24);
      const iv = randomBytes(8);
      const data = randomBytes(1 + n * 13);
      const encrypt = (k: Buffer) => {
        const c = createCipheriv('des-ede3-cbc', k, iv);
        return Buffer.concat([c.update(data), c.final()]);
      };
      expect(Buffer.from(tripleDesCbcDecrypt(key, iv, encrypt(key)))).toEqual(data);
      const twoKey = key.subarray(0, 16);
      expect(Buffer.from(tripleDesCbcDecrypt(twoKey, iv, encrypt(Buffer.concat([twoKey, key.subarray(0, 8)]))))).toEqual(data);
    }
  });

  it('refuses 3DES data with a wrong key (bad padding) rather than returning garbage', () => {
    const key = randomBytes(24);
    const iv = randomBytes(8);
    const c = createCipheriv('des-ede3-cbc', key, iv);
    const enc = Buffer.concat([c.update(Buffer.alloc(16, 7)), c.final()]);
    const wrong = Buffer.from(key);
    wrong[0] = wrong[0]! ^ 0x80; // not only a parity bit
    expect(() => tripleDesCbcDecrypt(wrong, iv, enc)).toThrow();
  });

  it('RC2-CBC decryption matches OpenSSL (40, 64 and 128-bit keys)', async (ctx) => {
    for (const [cipher, length, bits] of [['rc2-40-cbc', 5, 40], ['rc2-64-cbc', 8, 64], ['rc2-cbc', 16, 128]] as const) {
      const key = randomBytes(length);
      const iv = randomBytes(8);
      const data = randomBytes(45);
      const r = await openssl(['enc', `-${cipher}`, '-K', key.toString('hex'), '-iv', iv.toString('hex'), '-provider', 'legacy', '-provider', 'default'], data);
      if (r.code !== 0) return ctx.skip(); // OpenSSL without its legacy provider cannot make vectors
      expect(Buffer.from(rc2CbcDecrypt(key, bits, iv, r.stdout))).toEqual(data);
    }
  });
});

describe('loadPkcs12', () => {
  const password = 'Құпия-сөз 1';
  const variants: [string, string[]][] = [
    ['PBES2/AES-256 (OpenSSL 3 default)', []],
    ['PBE-SHA1-3DES with SHA-1 MAC', ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']],
    ['-legacy (RC2-40 certificates, 3DES key)', ['-legacy']],
    ['unencrypted certificates', ['-certpbe', 'NONE']],
  ];

  it.each(variants)('reads %s and returns the key matching the certificate plus the chain', async (label, extra, ) => {
    const out = `v-${variants.findIndex((v) => v[0] === label)}.p12`;
    const r = await openssl(['pkcs12', '-export', '-inkey', 'k.pem', '-in', 'c.pem', '-certfile', 'ec.pem', '-passout', `pass:${password}`, '-out', out, ...extra]);
    if (r.code !== 0 && extra.includes('-legacy')) return; // no legacy provider in this OpenSSL
    expect(r.code, r.stderr).toBe(0);
    const p12 = await loadPkcs12(new Uint8Array(await readFile(path.join(dir, out))), password);
    expect(p12.certificate.subject.typesAndValues.some((tv) => tv.type === '2.5.4.3')).toBe(true);
    expect(p12.chain).toHaveLength(1);
    // The key signs and the certificate's public key verifies: they belong together.
    const { key } = await importPrivateKey(p12.privateKeyInfo);
    const data = new TextEncoder().encode('proof');
    const sig = new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, data));
    const spki = createPublicKey({ key: Buffer.from(p12.certificate.subjectPublicKeyInfo.toSchema().toBER(false)), format: 'der', type: 'spki' });
    expect(verify('sha256', data, spki, sig)).toBe(true);
  });

  it('refuses a wrong password with pkcs12_bad_password', async () => {
    await openssl(['pkcs12', '-export', '-inkey', 'k.pem', '-in', 'c.pem', '-passout', `pass:${password}`, '-out', 'w.p12']);
    await expect(loadPkcs12(new Uint8Array(await readFile(path.join(dir, 'w.p12'))), 'другой')).rejects.toMatchObject({ code: 'signature.pkcs12_bad_password' });
  });

  it('refuses truncated data with pkcs12_unreadable', async () => {
    const bytes = new Uint8Array(await readFile(path.join(dir, 'w.p12'))).subarray(0, 200);
    await expect(loadPkcs12(bytes, password)).rejects.toMatchObject({ code: 'signature.pkcs12_unreadable' });
    expect(toArrayBuffer(bytes).byteLength).toBe(200);
  });
});

describe('browser safety and messages', () => {
  it('keeps the signing path free of Node-only imports', async () => {
    // signDetached must run in the browser: these modules may import only pkijs, asn1js, the GOST
    // curve and hash libraries (pure JS) and each other.
    for (const file of ['sign.service.ts', 'pkcs12.ts', 'des.ts', 'rc2.ts', 'asn1-util.ts', 'gost.ts', 'gost-global.ts', '../../common/errors.ts']) {
      const source = await readFile(path.join(here, file), 'utf8');
      const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
      for (const spec of imports) expect(spec, `${file} imports ${spec}`).toMatch(/^(\.{1,2}\/|asn1js$|pkijs$|@noble\/curves\/abstract\/weierstrass\.js$|node-gost-crypto\/lib\/gostDigest\.js$)/);
      expect(source).not.toMatch(/\bBuffer\.|process\./);
    }
  });

  it('has every signature message in kk, ru and en, and every key the code uses', async () => {
    const catalogs = readCatalogs();
    const keys = (lang: 'kk' | 'ru' | 'en') => Object.keys(catalogs[lang]).filter((k) => k.startsWith('signature.')).sort();
    expect(keys('ru')).toEqual(keys('kk'));
    expect(keys('en')).toEqual(keys('kk'));
    const sources = [
      ...(await readdir(here)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => path.join(here, f)),
      path.join(here, '../../cli/commands/verify-signature.ts'),
    ];
    const used = new Set<string>();
    for (const file of sources) {
      const source = await readFile(file, 'utf8');
      for (const m of source.matchAll(/'signature\.([a-z0-9_]+)'/g)) used.add(`signature.${m[1]}`);
      for (const m of source.matchAll(/\btr\('([a-z0-9_]+)'/g)) used.add(`signature.${m[1]}`);
      for (const m of source.matchAll(/\? '([a-z0-9_]+)' : '([a-z0-9_]+)'/g)) (used.add(`signature.${m[1]}`), used.add(`signature.${m[2]}`));
    }
    for (const key of used) expect(catalogs.kk[key], key).toBeDefined();
    // Every message is valid ICU MessageFormat: formatting leaves no placeholder behind.
    for (const lang of ['kk', 'ru', 'en'] as const) {
      for (const key of keys(lang)) {
        const names = [...catalogs[lang][key]!.matchAll(/\{(\w+)[,}]/g)].map((m) => m[1]!);
        const text = t(lang, key, Object.fromEntries(names.map((n) => [n, `<${n}>`])));
        expect(text, `${lang} ${key}`).not.toMatch(/[{}]/);
      }
    }
    for (const name of ['signer_certificate', 'algorithm', 'content_type', 'message_digest', 'signature', 'signing_certificate', 'timestamp',
      'signing_time', 'chain', 'validity', 'issuer_constraints', 'key_usage', 'revocation', 'attached_content']) {
      expect(catalogs.en[`signature.check_${name}`], name).toBeDefined();
    }
  });
});
