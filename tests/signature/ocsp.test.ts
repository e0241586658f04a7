// OCSP (issue 14): a signer certificate naming an OCSP responder (AIA) is checked by asking it;
// the response is kept in the AIP's signature evidence beside the CRLs; re-verification from
// that evidence alone accepts a "good" response and rejects a "revoked" one with the
// responder stopped and the trust folder gone. A responder that is down or never answers is
// recorded as unavailable — never a failed check, never a hang. The test CA, its delegated
// OCSP responder certificate and the signers are made here with openssl, and the responder is
// Debian's `openssl ocsp -index … -port …`.
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AipBuilder, readManifest } from '../../ingest/aip';
import { addReportEvidence, evidenceFile, readEvidenceFile, reverifyAipSignatures, EVIDENCE_RECORDS_PATH } from '../../ingest/aip/signature-evidence';
import { FsObjectStore, type Storage } from '../../storage';
import { signDetached, verifySignature, type SignatureReport } from '../../validators/signature';
import { clearOcspCache, fetchOcsp, ocspUrlsOf } from '../../validators/signature/ocsp';
import { createCaFolder, openssl } from '../../validators/signature/openssl-ca';
import { toArrayBuffer } from '../../validators/signature/asn1-util';

const PASSWORD = 'ocsp-test';
let dir: string;
let port: number;
let responder: ChildProcess | undefined;
let trustDir: string;
let trustWithCrl: string;
let storage: Storage;
const signers: Record<'good' | 'revoked', { p12: Uint8Array; cert: pkijs.Certificate }> = {} as never;
let caCert: pkijs.Certificate;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const p = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(p));
    });
  });
}

async function startResponder(): Promise<void> {
  const ca = path.join(dir, 'ca');
  responder = spawn('openssl', ['ocsp', '-index', path.join(ca, 'index.txt'), '-port', String(port), '-rsigner', path.join(dir, 'responder.pem'), '-rkey', path.join(dir, 'responder.key'), '-CA', path.join(dir, 'ca.pem'), '-ignore_err'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Ready when it says so: a probe connection that sends nothing would wedge this
  // single-threaded responder (it waits on that connection for ever).
  const child = responder;
  let said = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`openssl ocsp did not start: ${said}`)), 20_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (/waiting for OCSP client connections/i.test(said)) (clearTimeout(timer), resolve());
    });
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`openssl ocsp exited (${code}): ${said}`))));
  });
}

async function stopResponder(): Promise<void> {
  const child = responder;
  responder = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const cert = async (file: string) => pkijs.Certificate.fromBER(toArrayBuffer(new Uint8Array(await openssl(['x509', '-in', file, '-outform', 'DER'], dir))));
const revocation = (report: SignatureReport) => report.signers[0]!.checks.find((c) => c.name === 'revocation')!;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-ocsp-'));
  port = await freePort();
  const caDir = path.join(dir, 'ca');
  const cnf = await createCaFolder(caDir, {
    days: 3650,
    serial: `${(0x1000 + Math.floor(Math.random() * 0xe000)).toString(16)}01`,
    extraSections: `[ v3_signer_ocsp ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:http://127.0.0.1:${port}/
[ v3_ocsp_responder ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, OCSPSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`,
  });
  const key = async (name: string) => {
    await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`], dir);
    return path.join(dir, `${name}.key`);
  };
  await key('ca');
  await openssl(['req', '-x509', '-new', '-utf8', '-config', cnf, '-extensions', 'v3_ca', '-key', 'ca.key', '-subj', '/C=KZ/O=Muragat OCSP Test/CN=OCSP Test CA', '-days', '3650', '-sha256', '-out', 'ca.pem'], dir);
  const issue = async (name: string, subject: string, extensions: string) => {
    await key(name);
    await openssl(['req', '-new', '-utf8', '-config', cnf, '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
    await openssl(['ca', '-batch', '-utf8', '-notext', '-config', cnf, '-extensions', extensions, '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${name}.csr`, '-out', `${name}.pem`], dir);
  };
  await issue('responder', '/C=KZ/O=Muragat OCSP Test/CN=OCSP Responder', 'v3_ocsp_responder');
  for (const name of ['good', 'revoked'] as const) {
    await issue(name, `/C=KZ/O=Muragat OCSP Test/CN=Signer ${name}/serialNumber=IIN90010130012${name === 'good' ? 3 : 4}`, 'v3_signer_ocsp');
    await openssl(['pkcs12', '-export', '-inkey', `${name}.key`, '-in', `${name}.pem`, '-certfile', 'ca.pem', '-passout', `pass:${PASSWORD}`, '-out', `${name}.p12`], dir);
    signers[name] = { p12: new Uint8Array(await readFile(path.join(dir, `${name}.p12`))), cert: await cert(path.join(dir, `${name}.pem`)) };
  }
  await openssl(['ca', '-config', cnf, '-cert', 'ca.pem', '-keyfile', 'ca.key', '-revoke', 'revoked.pem', '-crl_reason', 'keyCompromise'], dir);
  await openssl(['ca', '-config', cnf, '-gencrl', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-out', 'ca.crl'], dir);
  caCert = await cert(path.join(dir, 'ca.pem'));
  // The trust folder names the CA only: revocation must come from OCSP.
  trustDir = path.join(dir, 'trust');
  await mkdir(trustDir, { recursive: true });
  await cp(path.join(dir, 'ca.pem'), path.join(trustDir, 'ca.pem'));
  trustWithCrl = path.join(dir, 'trust-crl');
  await cp(trustDir, trustWithCrl, { recursive: true });
  await cp(path.join(dir, 'ca.crl'), path.join(trustWithCrl, 'ca.crl'));
  storage = { primary: new FsObjectStore(path.join(dir, 'store')), replicas: [] };
  await startResponder();
}, 180_000);

afterAll(async () => {
  await stopResponder();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('OCSP', () => {
  const content = new TextEncoder().encode('Бұйрық № 12, 07.12.2026 — OCSP арқылы тексерілетін құжат.\n');
  const reports: Partial<Record<'good' | 'revoked', { cms: Uint8Array; report: SignatureReport }>> = {};

  it('asks the responder the certificate names: a good certificate verifies, a revoked one does not', async () => {
    expect(ocspUrlsOf(signers.good.cert)).toEqual([`http://127.0.0.1:${port}/`]);
    for (const name of ['good', 'revoked'] as const) {
      const cms = await signDetached(content, signers[name].p12, PASSWORD);
      const report = await verifySignature({ signature: cms, content, trustDir, lang: 'en' });
      reports[name] = { cms, report };
      expect(report.evidence.ocsp, name).toHaveLength(1);
      expect(report.evidence.ocspQueries).toEqual([expect.objectContaining({ url: `http://127.0.0.1:${port}/`, status: 'response' })]);
      expect(report.evidence.crls).toHaveLength(0);
    }
    const good = reports.good!.report;
    expect(good.verdict, good.reason).toBe('valid');
    expect(revocation(good)).toMatchObject({ ok: true, message: expect.stringContaining('not revoked (OCSP, CN=OCSP Responder') });
    const revoked = reports.revoked!.report;
    expect(revoked.verdict).toBe('invalid');
    expect(revocation(revoked)).toMatchObject({ ok: false, message: expect.stringMatching(/revoked on .* \(OCSP, CN=OCSP Responder\)/) });
  }, 60_000);

  it('keeps the responses in the AIP evidence and re-verifies from it alone, responder stopped and trust folder gone', async () => {
    const aip = new AipBuilder(storage);
    const records = [];
    for (const name of ['good', 'revoked'] as const) {
      const { cms, report } = reports[name]!;
      const doc = await aip.addBytes(`documents/000${name === 'good' ? 1 : 2}/original/order.txt`, 'original', content, name);
      const sig = await aip.addBytes(`documents/000${name === 'good' ? 1 : 2}/signatures/order.txt.p7s`, 'signature', cms, name);
      records.push(await addReportEvidence(aip, report, cms, { signature: { path: sig.path, sha256: sig.sha256 }, content: { path: doc.path, sha256: doc.sha256 } }));
    }
    await aip.addJson(EVIDENCE_RECORDS_PATH, 'evidence', evidenceFile(records));
    const sealed = await aip.seal({ aipId: 't/01-05/1', dossierIndex: '01-05', fonds: '1', year: 2026, createdAt: new Date().toISOString(), transferId: 't', events: [], tools: [] } as never);
    const manifest = await readManifest(storage, sealed.sha256);
    const ocspFiles = manifest.files.filter((f) => f.path.startsWith('signature-evidence/ocsp-responses/') && f.path.endsWith('.ocsp'));
    expect(ocspFiles).toHaveLength(2);
    const file = (await readEvidenceFile(storage, manifest))!;
    for (const r of file.records) {
      expect(r.ocsp).toHaveLength(1);
      expect(r.crls).toHaveLength(0);
      expect(r.ocspQueries?.[0]).toMatchObject({ status: 'response' });
    }

    // Years later: no responder, no trust folder, nothing configured.
    await stopResponder();
    clearOcspCache();
    await rm(trustDir, { recursive: true, force: true });
    const previous = process.env.MURAGAT_TRUST_DIR;
    process.env.MURAGAT_TRUST_DIR = path.join(dir, 'no-such-folder');
    try {
      const results = await reverifyAipSignatures(storage, sealed.sha256, { lang: 'en' });
      const byPath = new Map(results.map((r) => [r.record.signature.path, r.report]));
      const good = byPath.get('documents/0001/signatures/order.txt.p7s')!;
      expect(good.verdict, good.reason).toBe('valid');
      expect(revocation(good).message).toContain('OCSP');
      const revoked = byPath.get('documents/0002/signatures/order.txt.p7s')!;
      expect(revoked.verdict).toBe('invalid');
      expect(revocation(revoked).ok).toBe(false);
      // Nothing was asked of the network: evidence is the only source.
      for (const r of results) expect(r.report.evidence.ocspQueries ?? []).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.MURAGAT_TRUST_DIR;
      else process.env.MURAGAT_TRUST_DIR = previous;
      await cp(path.join(dir, 'ca.pem'), path.join(trustDir, 'ca.pem'));
    }
  }, 60_000);

  it('a responder offline is recorded as unavailable, not a failure: the CRL decides when there is one', async () => {
    await stopResponder();
    clearOcspCache();
    const cms = await signDetached(content, signers.good.p12, PASSWORD);
    const started = Date.now();
    const alone = await verifySignature({ signature: cms, content, trustDir, lang: 'en' });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(alone.verdict).toBe('cannot-verify');
    expect(revocation(alone).ok).toBeNull();
    expect(revocation(alone).message).toContain(`OCSP responder http://127.0.0.1:${port}/ unavailable`);
    expect(alone.evidence.ocspQueries).toEqual([expect.objectContaining({ status: 'unavailable', reason: expect.any(String) })]);
    clearOcspCache();
    const withCrl = await verifySignature({ signature: cms, content, trustDir: trustWithCrl, lang: 'en' });
    expect(withCrl.verdict, withCrl.reason).toBe('valid');
    expect(revocation(withCrl).message).toMatch(/not revoked .*unavailable/);
    expect(withCrl.evidence.crls).toHaveLength(1);
    expect(withCrl.evidence.ocspQueries?.[0]?.status).toBe('unavailable');
    // The revoked certificate is still refused by the CRL.
    clearOcspCache();
    const revoked = await verifySignature({ signature: await signDetached(content, signers.revoked.p12, PASSWORD), content, trustDir: trustWithCrl, lang: 'en' });
    expect(revoked.verdict).toBe('invalid');
  }, 60_000);

  it('a responder that accepts the connection and never answers does not hang the verification', async () => {
    await stopResponder();
    clearOcspCache();
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    try {
      const cms = await signDetached(content, signers.good.p12, PASSWORD);
      const started = Date.now();
      const report = await verifySignature({ signature: cms, content, trustDir: trustWithCrl, lang: 'en', ocsp: { enabled: true, timeoutMs: 800 } });
      const took = Date.now() - started;
      expect(took).toBeLessThan(8_000);
      expect(report.verdict, report.reason).toBe('valid');
      expect(report.evidence.ocspQueries?.[0]).toMatchObject({ status: 'unavailable', reason: 'no answer within 800 ms' });
      expect(sockets.size).toBeGreaterThanOrEqual(1);
      // The fetcher alone, too.
      clearOcspCache();
      const t0 = Date.now();
      expect(await fetchOcsp(signers.good.cert, caCert, `http://127.0.0.1:${port}/`, { timeoutMs: 300 })).toEqual({ unavailable: 'no answer within 300 ms' });
      expect(Date.now() - t0).toBeLessThan(5_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  }, 60_000);
});
