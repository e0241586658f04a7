// GOST signatures on the real NCA RK test material (../shared/fixtures/nca-rk, README there):
// verified cryptographically, with GOST-signed certificates and CRLs, and signed with a GOST
// PKCS#12 key by the same signing module the browser runs.
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as pkijs from 'pkijs';
import { signDetached, verifyCertificate, verifySignature, type SignatureReport } from '../../validators/signature';
import { gostDigest } from '../../validators/signature/gost';

export const NCA_DIR = path.resolve(process.cwd(), '../shared/fixtures/nca-rk');
const fixture = (name: string) => path.join(NCA_DIR, name);
const read = async (name: string) => new Uint8Array(await readFile(fixture(name)));

const GOST_SIGNER = 'IIN123456789012';
// The GOST signer signed on 2022-09-27; its certificate ran 2022-07-28 … 2023-07-28 and the
// CA's CRL of 2022-07-27 was current until 2023-01-23.
const AT = new Date('2022-10-01T00:00:00Z');

let dir: string;
let trust2015: string;
let trust2004: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-gost-'));
  // The issuing CAs are intermediates (their roots are not published with the tests): they
  // are the anchors, put in the trust folder's anchors/ sub-folder.
  trust2015 = path.join(dir, 'trust2015');
  await cp(fixture('nca_gost2015_test.cer'), path.join(trust2015, 'anchors', 'nca_gost2015_test.cer'));
  await cp(fixture('nca_gost2022_test.crl'), path.join(trust2015, 'nca_gost2022_test.crl'));
  trust2004 = path.join(dir, 'trust2004');
  await cp(fixture('nca_gost_test.crt'), path.join(trust2004, 'anchors', 'nca_gost_test.crt'));
  await cp(fixture('nca_gost_test.crl'), path.join(trust2004, 'nca_gost_test.crl'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function gostSigner(report: SignatureReport) {
  const signer = report.signers.find((s) => s.signer.iin === GOST_SIGNER.slice(3));
  expect(signer, JSON.stringify(report.signers.map((s) => s.signer.subject))).toBeDefined();
  return signer!;
}

const checkOf = (signer: { checks: { name: string; ok: boolean | null; message: string }[] }, name: string) => signer.checks.find((c) => c.name === name);

describe.skipIf(!existsSync(NCA_DIR))('GOST signatures, NCA RK test material', () => {
  it('Streebog and GOST 34.311-95 give the standards\' test vectors', () => {
    const m1 = new TextEncoder().encode('012345678901234567890123456789012345678901234567890123456789012');
    expect(Buffer.from(gostDigest('GOST R 34.11-2012 (512)', m1)).toString('hex')).toBe(
      '1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48');
    expect(Buffer.from(gostDigest('GOST R 34.11-2012 (256)', m1)).toString('hex')).toBe('9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500');
    // GOST R 34.11-94 with the standard's test S-box, its own example.
    expect(Buffer.from(gostDigest('GOST 34.311-95', new TextEncoder().encode('This is message, length=32 bytes'))).toString('hex')).toBe(
      'b1c466d37519b82e8319819ff32595e047a28cb6f83eff1c6916a815a637fffa');
  });

  it('the GOST 34.10-2015 signer of signed-attached-gost2015-and-rsa.p7s is valid: signature, chain to nca_gost2015_test.cer, CRL', async () => {
    const report = await verifySignature({ signature: await read('signed-attached-gost2015-and-rsa.p7s'), trustDir: trust2015, at: AT, lang: 'en' });
    const signer = gostSigner(report);
    expect(signer.verdict, signer.reason).toBe('valid');
    expect(checkOf(signer, 'algorithm')?.message).toContain('GOST 34.10-2015 (512)');
    expect(checkOf(signer, 'message_digest')?.ok).toBe(true);
    expect(checkOf(signer, 'signature')?.ok).toBe(true);
    expect(checkOf(signer, 'chain')?.message).toContain('nca_gost2015_test.cer');
    expect(checkOf(signer, 'revocation')?.message).toContain('nca_gost2022_test.crl');
    expect(signer.signingTime).toBe('2022-09-27T21:17:59Z');
    // The RSA co-signer's certificate had expired by its signing time (README): still invalid, for that reason.
    const rsa = report.signers.find((s) => s !== signer)!;
    expect(rsa.verdict).toBe('invalid');
    expect(checkOf(rsa, 'validity')?.ok).toBe(false);
    expect(checkOf(rsa, 'signature')?.ok).toBe(true);
    // Evidence: the signer's certificate, the anchor and the CRL used.
    expect(report.evidence.crls.length).toBeGreaterThanOrEqual(1);
  });

  it('flipping one byte of the content makes the GOST signature invalid', async () => {
    const cms = await read('signed-attached-gost2015-and-rsa.p7s');
    const content = new TextEncoder().encode('test123');
    const at = Buffer.from(cms).indexOf(Buffer.from(content));
    expect(at).toBeGreaterThan(0);
    const tampered = cms.slice();
    tampered[at + 3] = tampered[at + 3]! ^ 0x01;
    const report = await verifySignature({ signature: tampered, trustDir: trust2015, at: AT, lang: 'en' });
    const signer = gostSigner(report);
    expect(signer.verdict).toBe('invalid');
    expect(checkOf(signer, 'message_digest')?.ok).toBe(false);
    expect(report.verdict).toBe('invalid');
  });

  it('a changed signed attribute or signature value fails the GOST signature check itself', async () => {
    const cms = await read('signed-attached-gost2015-and-rsa.p7s');
    const info = pkijs.ContentInfo.fromBER(cms.slice().buffer);
    const signed = new pkijs.SignedData({ schema: info.content });
    const gost = signed.signerInfos.find((s) => s.signatureAlgorithm.algorithmId.startsWith('1.2.398.'))!;
    const value = new Uint8Array(gost.signature.valueBlock.valueHexView);
    const offset = Buffer.from(cms).indexOf(Buffer.from(value));
    const tampered = cms.slice();
    tampered[offset + 10] = tampered[offset + 10]! ^ 0x80;
    const signer = gostSigner(await verifySignature({ signature: tampered, trustDir: trust2015, at: AT, lang: 'en' }));
    expect(checkOf(signer, 'signature')?.ok).toBe(false);
    expect(signer.verdict).toBe('invalid');
  });

  it('without its CA the GOST signer cannot be verified, never valid', async () => {
    const empty = path.join(dir, 'empty');
    await cp(fixture('nca_gost2022_test.crl'), path.join(empty, 'only.crl'));
    const signer = gostSigner(await verifySignature({ signature: await read('signed-attached-gost2015-and-rsa.p7s'), trustDir: empty, at: AT, lang: 'en' }));
    expect(signer.verdict).toBe('cannot-verify');
    expect(checkOf(signer, 'signature')?.ok).toBe(true);
  });

  it('a GOST 34.310-2004 certificate verifies against nca_gost_test.crt and its CRL', async () => {
    const report = await verifyCertificate({ certificate: await read('ceo_valid_sign_2004_gost.cer'), trustDir: trust2004, at: new Date('2022-06-01T00:00:00Z'), lang: 'en' });
    expect(report.verdict, report.reason).toBe('valid');
    expect(report.certificate.bin ?? report.certificate.iin).toBeTruthy();
    expect(checkOf(report, 'chain')?.message).toContain('nca_gost_test.crt');
    expect(checkOf(report, 'revocation')?.message).toContain('nca_gost_test.crl');
    expect(report.evidence.crls).toHaveLength(1);
  });

  it('a GOST certificate whose signature bytes changed fails the chain', async () => {
    const pem = new TextDecoder().decode(await read('ceo_valid_sign_2004_gost.cer'));
    const tampered = new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ''), 'base64'));
    // The signature value is the certificate's last field.
    tampered[tampered.length - 3] = tampered[tampered.length - 3]! ^ 0x01;
    const report = await verifyCertificate({ certificate: tampered, trustDir: trust2004, at: new Date('2022-06-01T00:00:00Z'), lang: 'en' });
    expect(report.verdict).toBe('invalid');
    expect(checkOf(report, 'chain')?.ok).toBe(false);
  });

  it('a GOST-signed CRL whose signature does not verify is not used', async () => {
    const crl = await read('nca_gost2022_test.crl');
    const tampered = crl.slice();
    tampered[tampered.length - 5] = tampered[tampered.length - 5]! ^ 0x01; // inside the signature value
    const bad = path.join(dir, 'badcrl');
    await cp(fixture('nca_gost2015_test.cer'), path.join(bad, 'anchors', 'ca.cer'));
    await writeFile(path.join(bad, 'ca.crl'), tampered);
    const signer = gostSigner(await verifySignature({ signature: await read('signed-attached-gost2015-and-rsa.p7s'), trustDir: bad, at: AT, lang: 'en' }));
    expect(signer.verdict).toBe('cannot-verify');
    expect(checkOf(signer, 'revocation')?.ok).toBeNull();
  });

  it('signs with the GOST PKCS#12 key (the signing module the browser runs); the CMS verifies with the same code', async () => {
    const content = new TextEncoder().encode('Бұйрық № 12 — приказ, подписанный ключом ГОСТ.\n');
    const cms = await signDetached(content, await read('individual-2015-gost.p12'), 'Aa123456', { signingTime: AT });
    const report = await verifySignature({ signature: cms, content, trustDir: trust2015, at: AT, lang: 'en' });
    expect(report.verdict, report.reason).toBe('valid');
    expect(report.signers[0]!.signer.iin).toBe('123456789012');
    expect(checkOf(report.signers[0]!, 'algorithm')?.message).toContain('GOST 34.10-2015');
    const other = await verifySignature({ signature: cms, content: new TextEncoder().encode('another text'), trustDir: trust2015, at: AT, lang: 'en' });
    expect(other.verdict).toBe('invalid');
  });
});
