// OCSP (issue 14): a signer certificate naming an OCSP responder (AIA) is checked by asking it;
// the response is kept in the AIP's signature evidence beside the CRLs; re-verification from
// that evidence alone accepts a "good" response and rejects a "revoked" one with the
// responder stopped and the trust folder gone. A responder that is down or never answers is
// recorded as unavailable — never a failed check, never a hang. The test CA, its delegated
// OCSP responder certificate and the signers are made here with openssl, and the responder is
// Debian's `openssl ocsp -index … -port …`.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AipBuilder, readManifest } from '../../ingest/aip';
import { addReportEvidence, evidenceFile, readEvidenceFile, reverifyAipSignatures, EVIDENCE_RECORDS_PATH } from '../../ingest/aip/signature-evidence';
import { FsObjectStore, type Storage } from '../../storage';
import { signDetached, verifySignature, type SignatureReport } from '../../validators/signature';
import { clearOcspCache, fetchOcsp, ocspUrlsOf } from '../../validators/signature/ocsp';
import { createOcspTestCa, OCSP_TEST_PASSWORD as PASSWORD, type OcspTestCa } from './ocsp-support';

let dir: string;
let ca: OcspTestCa;
let port: number;
let trustDir: string;
let trustWithCrl: string;
let storage: Storage;
let signers: OcspTestCa['signers'];

const stopResponder = () => ca.stopResponder();
const revocation = (report: SignatureReport) => report.signers[0]!.checks.find((c) => c.name === 'revocation')!;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-ocsp-'));
  ca = await createOcspTestCa(dir);
  ({ port, trustDir, trustWithCrl, signers } = ca);
  storage = { primary: new FsObjectStore(path.join(dir, 'store')), replicas: [] };
}, 180_000);

afterAll(async () => {
  await ca?.stopResponder();
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
      // Another signer of the same responder within the minute: not asked again, no second wait.
      const t1 = Date.now();
      const second = await verifySignature({ signature: await signDetached(content, signers.revoked.p12, PASSWORD), content, trustDir: trustWithCrl, lang: 'en', ocsp: { enabled: true, timeoutMs: 5000 } });
      expect(Date.now() - t1).toBeLessThan(4000);
      expect(second.evidence.ocspQueries?.[0]).toMatchObject({ status: 'unavailable', reason: 'no answer within 800 ms' });
      expect(second.verdict).toBe('invalid');
      // The fetcher alone, too.
      clearOcspCache();
      const t0 = Date.now();
      expect(await fetchOcsp(signers.good.cert, ca.caCert, `http://127.0.0.1:${port}/`, { timeoutMs: 300 })).toEqual({ unavailable: 'no answer within 300 ms' });
      expect(Date.now() - t0).toBeLessThan(5_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  }, 60_000);
});
