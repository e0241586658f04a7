import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../common/process';
import { OID, toArrayBuffer } from './asn1-util';
import { signDetached, verifySignature, type SignatureReport } from './index';
import { addTimestamp, createTestPki, signFile, type SignFileOptions, type TestPki } from './testing/test-pki';

let dir: string;
let pki: TestPki;
let docPath: string;
const DOC = new TextEncoder().encode('Бұйрық № 12-н. Приказ о приёме документов на архивное хранение.\n');

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-sig-'));
  pki = await createTestPki(path.join(dir, 'pki'));
  docPath = path.join(dir, 'prikaz-12.txt');
  await writeFile(docPath, DOC);
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

let counter = 0;
async function opensslSign(options: SignFileOptions = {}): Promise<Uint8Array> {
  const out = await signFile(pki, docPath, { ...options, outPath: path.join(dir, `sig-${counter++}.p7s`) });
  return new Uint8Array(await readFile(out));
}

function checkOf(report: SignatureReport, name: string) {
  const found = report.signers[0]?.checks.find((c) => c.name === name);
  expect(found, `check ${name}`).toBeDefined();
  return found!;
}

function expectAllPassed(report: SignatureReport): void {
  expect(report.verdict, report.reason).toBe('valid');
  for (const signer of report.signers) for (const c of signer.checks) expect(c.ok, `${c.name}: ${c.message}`).toBe(true);
}

/** Parses CMS, lets the test change its SignedData, and encodes it again. */
function rewrite(cms: Uint8Array, change: (signed: pkijs.SignedData) => void): Uint8Array {
  const info = pkijs.ContentInfo.fromBER(toArrayBuffer(cms));
  const signed = new pkijs.SignedData({ schema: info.content });
  change(signed);
  return new Uint8Array(new pkijs.ContentInfo({ contentType: OID.signedData, content: signed.toSchema(true) }).toSchema().toBER(false));
}

describe('verifySignature on signatures made by openssl cms -sign', () => {
  it('accepts an RSA PKCS#1 v1.5 detached signature and reports the signer with IIN and BIN', async () => {
    const report = await verifySignature({ signature: await opensslSign(), content: docPath, trustDir: pki.trustDir, lang: 'en' });
    expectAllPassed(report);
    const signer = report.signers[0]!;
    expect(signer.signer.iin).toBe(pki.iin);
    expect(signer.signer.bin).toBe(pki.bin);
    expect(signer.signer.subject).toContain('CN=Сейітов Асқар');
    expect(signer.signer.issuer).toBe('CN=Muragat Test Issuing CA, O=Muragat Test, C=KZ');
    expect(signer.signingTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(signer.checks.map((c) => c.name)).toEqual(expect.arrayContaining([
      'signer_certificate', 'algorithm', 'content_type', 'message_digest', 'signature', 'signing_time', 'chain', 'validity',
      'issuer_constraints', 'key_usage', 'revocation',
    ]));
    // signer, intermediate, root; one CRL for the signer and one for the intermediate
    expect(report.evidence.certificates).toHaveLength(3);
    expect(report.evidence.crls).toHaveLength(2);
    expect(checkOf(report, 'chain').message).toContain('root.pem');
  });

  it('accepts content given as bytes and signatures in PEM and bare base64', async () => {
    const pem = await opensslSign({ outform: 'PEM' });
    expect(new TextDecoder().decode(pem)).toContain('-----BEGIN CMS-----');
    expectAllPassed(await verifySignature({ signature: pem, content: DOC, trustDir: pki.trustDir }));
    const der = await opensslSign();
    const b64 = new TextEncoder().encode(Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\r\n'));
    expectAllPassed(await verifySignature({ signature: b64, content: DOC, trustDir: pki.trustDir }));
  });

  it('accepts RSA-PSS', async () => {
    const report = await verifySignature({ signature: await opensslSign({ pss: true }), content: docPath, trustDir: pki.trustDir, lang: 'en' });
    expectAllPassed(report);
    expect(checkOf(report, 'algorithm').message).toContain('RSA-PSS');
  });

  it('accepts ECDSA P-256 with SHA-256 and P-384 with SHA-384 and SHA-512', async () => {
    for (const [signer, digest] of [['ecdsa', 'sha256'], ['ecdsa384', 'sha384'], ['ecdsa384', 'sha512']] as const) {
      const report = await verifySignature({ signature: await opensslSign({ signer, digest }), content: docPath, trustDir: pki.trustDir, lang: 'en' });
      expectAllPassed(report);
      expect(checkOf(report, 'algorithm').message).toContain('ECDSA');
    }
  });

  it('accepts an enveloping signature without separate content, and rejects different separate content', async () => {
    const attached = await opensslSign({ attached: true });
    expectAllPassed(await verifySignature({ signature: attached, trustDir: pki.trustDir }));
    expectAllPassed(await verifySignature({ signature: attached, content: DOC, trustDir: pki.trustDir }));
    const other = await verifySignature({ signature: attached, content: new TextEncoder().encode('другой документ'), trustDir: pki.trustDir });
    expect(other.verdict).toBe('invalid');
    expect(checkOf(other, 'attached_content').ok).toBe(false);
  });

  it('finds the signer by subjectKeyIdentifier', async () => {
    expectAllPassed(await verifySignature({ signature: await opensslSign({ keyid: true }), content: docPath, trustDir: pki.trustDir }));
  });

  it('verifies a signature without signed attributes over the content itself', async () => {
    const cms = await opensslSign({ noattr: true });
    const report = await verifySignature({ signature: cms, content: docPath, trustDir: pki.trustDir });
    expectAllPassed(report);
    expect(report.signers[0]!.checks.some((c) => c.name === 'content_type')).toBe(false);
    const tampered = await verifySignature({ signature: cms, content: new TextEncoder().encode('x'), trustDir: pki.trustDir });
    expect(tampered.verdict).toBe('invalid');
    expect(checkOf(tampered, 'signature').ok).toBe(false);
  });

  it('cannot verify a CMS that carries no certificate when the signer certificate is nowhere else', async () => {
    const report = await verifySignature({ signature: await opensslSign({ nocerts: true }), content: docPath, trustDir: pki.trustDir, lang: 'en' });
    expect(report.verdict).toBe('cannot-verify');
    expect(checkOf(report, 'signer_certificate').ok).toBeNull();
    expect(report.signers[0]!.signer.issuer).toBe('CN=Muragat Test Issuing CA, O=Muragat Test, C=KZ');
  });

  it('rejects tampered content', async () => {
    const tampered = new Uint8Array(DOC);
    tampered[3] = tampered[3]! ^ 1;
    const report = await verifySignature({ signature: await opensslSign(), content: tampered, trustDir: pki.trustDir });
    expect(report.verdict).toBe('invalid');
    expect(checkOf(report, 'message_digest').ok).toBe(false);
    expect(checkOf(report, 'signature').ok).toBe(true);
  });

  it('rejects tampered signed attributes', async () => {
    const cms = rewrite(await opensslSign(), (signed) => {
      const attr = signed.signerInfos[0]!.signedAttrs!.attributes.find((a) => a.type === OID.signingTime)!;
      attr.values = [new asn1js.UTCTime({ valueDate: new Date('2025-01-01T00:00:00Z') })];
    });
    const report = await verifySignature({ signature: cms, content: docPath, trustDir: pki.trustDir });
    expect(report.verdict).toBe('invalid');
    expect(checkOf(report, 'message_digest').ok).toBe(true);
    expect(checkOf(report, 'signature').ok).toBe(false);
  });

  it('rejects a signer whose certificate had expired at signing time', async () => {
    const report = await verifySignature({ signature: await opensslSign({ signer: 'expired' }), content: docPath, trustDir: pki.trustDir, lang: 'en' });
    expect(report.verdict).toBe('invalid');
    const validity = checkOf(report, 'validity');
    expect(validity.ok).toBe(false);
    expect(validity.message).toContain('2021-01-01');
    expect(checkOf(report, 'signature').ok).toBe(true);
  });

  it('rejects a revoked signer', async () => {
    const report = await verifySignature({ signature: await opensslSign({ signer: 'revoked' }), content: docPath, trustDir: pki.trustDir, lang: 'en' });
    expect(report.verdict).toBe('invalid');
    const revocation = checkOf(report, 'revocation');
    expect(revocation.ok).toBe(false);
    expect(revocation.message).toContain('Revoked Signer');
  });

  it('rejects a key not meant for signing', async () => {
    const report = await verifySignature({ signature: await opensslSign({ signer: 'badUsage' }), content: docPath, trustDir: pki.trustDir });
    expect(report.verdict).toBe('invalid');
    expect(checkOf(report, 'key_usage').ok).toBe(false);
  });

  it('cannot verify a signer under an untrusted root', async () => {
    const report = await verifySignature({ signature: await opensslSign({ signer: 'untrusted' }), content: docPath, trustDir: pki.trustDir, lang: 'en' });
    expect(report.verdict).toBe('cannot-verify');
    const chain = checkOf(report, 'chain');
    expect(chain.ok).toBeNull();
    expect(chain.message).toContain('Untrusted Root CA');
    expect(checkOf(report, 'signature').ok).toBe(true);
  });

  it('cannot verify without revocation data, and says which CRL is missing', async () => {
    const report = await verifySignature({ signature: await opensslSign(), content: docPath, trustDir: pki.trustDirNoCrl, lang: 'en' });
    expect(report.verdict).toBe('cannot-verify');
    const revocation = checkOf(report, 'revocation');
    expect(revocation.ok).toBeNull();
    expect(revocation.message).toContain('no revocation data');
    expect(report.evidence.crls).toHaveLength(0);
  });

  it('does not take a CRL limited to CA certificates as evidence for an end-entity certificate', async () => {
    const trust = path.join(dir, 'trust-ca-only');
    await runProcess('mkdir', ['-p', trust]);
    for (const f of ['root.pem', 'intermediate.cer', 'root.crl']) await writeFile(path.join(trust, f), await readFile(path.join(pki.trustDir, f)));
    const r = await runProcess('openssl', ['ca', '-config', pki.intermediate.configPath, '-gencrl', '-crlexts', 'crl_ca_only',
      '-cert', pki.intermediate.certPath, '-keyfile', pki.intermediate.keyPath, '-out', path.join(trust, 'intermediate-ca-only.crl')]);
    expect(r.code, r.stderr).toBe(0);
    const report = await verifySignature({ signature: await opensslSign(), content: docPath, trustDir: trust, lang: 'en' });
    expect(report.verdict).toBe('cannot-verify');
    const revocation = checkOf(report, 'revocation');
    expect(revocation.ok).toBeNull();
    expect(revocation.message).toContain('CN=Сейітов Асқар: no revocation data');
    expect(revocation.message).toContain('CN=Muragat Test Issuing CA: not revoked');
  });

  it('cannot judge a signing time stated after the verification time', async () => {
    const report = await verifySignature({ signature: await opensslSign(), content: docPath, trustDir: pki.trustDir, at: new Date(Date.now() - 86_400_000) });
    expect(report.verdict).toBe('cannot-verify');
    expect(checkOf(report, 'signing_time').ok).toBeNull();
  });

  it('cannot verify when the trust folder is missing', async () => {
    const report = await verifySignature({ signature: await opensslSign(), content: docPath, trustDir: path.join(dir, 'absent') });
    expect(report.verdict).toBe('cannot-verify');
    expect(checkOf(report, 'chain').ok).toBeNull();
  });

  it('cannot verify a detached signature without its content', async () => {
    const report = await verifySignature({ signature: await opensslSign(), trustDir: pki.trustDir });
    expect(report.verdict).toBe('cannot-verify');
    expect(checkOf(report, 'message_digest').ok).toBeNull();
  });

  it('checks GOST names cryptographically: an RSA signature relabelled GOST is invalid, an unmapped GOST variant cannot be verified', async () => {
    // Names prove nothing: a signature claiming GOST 34.310-2004 is checked with that algorithm
    // against the certificate's key (RSA here), and fails.
    const relabelled = rewrite(await opensslSign(), (signed) => {
      const si = signed.signerInfos[0]!;
      si.digestAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: '1.2.398.3.10.1.3.1' });
      si.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: '1.2.398.3.10.1.1.1.2' });
    });
    const report = await verifySignature({ signature: relabelled, content: docPath, trustDir: pki.trustDir, lang: 'en' });
    expect(report.verdict).toBe('invalid');
    expect(checkOf(report, 'algorithm').message).toContain('GOST 34.310-2004');
    expect(checkOf(report, 'message_digest').ok).toBe(false);
    expect(checkOf(report, 'signature').ok).toBe(false);

    // GOST R 34.10-94 (1.2.643.2.2.4) is not implemented: cannot verify, never valid nor invalid.
    const unmapped = rewrite(await opensslSign(), (signed) => {
      signed.signerInfos[0]!.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: '1.2.643.2.2.4' });
    });
    const other = await verifySignature({ signature: unmapped, content: docPath, trustDir: pki.trustDir, lang: 'en' });
    expect(other.verdict).toBe('cannot-verify');
    const algorithm = checkOf(other, 'algorithm');
    expect(algorithm.ok).toBeNull();
    expect(algorithm.message).toContain('GOST');
    expect(checkOf(other, 'signature').ok).toBeNull();
    expect(other.signers[0]!.checks.some((c) => c.ok === false)).toBe(false);
  });

  it('checks a certificate that claims a GOST signature by its CA: a false claim breaks the chain, an unmapped one cannot be verified', async () => {
    const withCertAlgorithm = async (oid: string) => rewrite(await opensslSign(), (signed) => {
      for (const c of signed.certificates as pkijs.Certificate[]) {
        if (c.subject.typesAndValues.some((tv) => tv.type === '2.5.4.5')) {
          c.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: oid });
        }
      }
    });
    const forged = await verifySignature({ signature: await withCertAlgorithm('1.2.398.3.10.1.1.1.2'), content: docPath, trustDir: pki.trustDir });
    expect(forged.verdict).toBe('invalid');
    expect(checkOf(forged, 'chain').ok).toBe(false);
    const unmapped = await verifySignature({ signature: await withCertAlgorithm('1.2.643.2.2.4'), content: docPath, trustDir: pki.trustDir });
    expect(unmapped.verdict).toBe('cannot-verify');
    expect(checkOf(unmapped, 'chain').ok).toBeNull();
  });

  it('rejects input that is not CMS', async () => {
    const report = await verifySignature({ signature: new TextEncoder().encode('not a signature'), trustDir: pki.trustDir });
    expect(report.verdict).toBe('invalid');
    expect(report.signers).toHaveLength(0);
    expect(report.reason).toBeTruthy();
  });

  it('throws a ValidationError for an unreadable content file', async () => {
    await expect(verifySignature({ signature: await opensslSign(), content: path.join(dir, 'missing.txt'), trustDir: pki.trustDir }))
      .rejects.toMatchObject({ code: 'signature.content_unreadable' });
  });
});

describe('RFC 3161 signature timestamps', () => {
  it('verifies the token and uses its genTime as the signing time', async () => {
    const cms = await addTimestamp(pki, await opensslSign());
    const report = await verifySignature({ signature: cms, content: docPath, trustDir: pki.trustDir, lang: 'en' });
    expectAllPassed(report);
    expect(checkOf(report, 'timestamp').message).toContain('Muragat Test TSA');
    expect(checkOf(report, 'signing_time').message).toContain('timestamp');
    // the TSA certificate is part of the evidence
    expect(report.evidence.certificates).toHaveLength(4);
  });

  it('keeps a timestamped signature valid when the certificate was revoked after the timestamp', async () => {
    const run = async (args: string[]) => {
      const r = await runProcess('openssl', args, { cwd: pki.dir });
      expect(r.code, r.stderr).toBe(0);
    };
    const key = path.join(dir, 'late.key');
    const cert = path.join(dir, 'late.pem');
    await run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
    await run(['req', '-new', '-config', pki.intermediate.configPath, '-key', key, '-subj', '/C=KZ/CN=Revoked Later', '-out', `${cert}.csr`]);
    await run(['ca', '-batch', '-notext', '-config', pki.intermediate.configPath, '-extensions', 'v3_signer', '-cert', pki.intermediate.certPath,
      '-keyfile', pki.intermediate.keyPath, '-in', `${cert}.csr`, '-out', cert]);
    const sigPath = path.join(dir, 'late.p7s');
    await run(['cms', '-sign', '-binary', '-in', docPath, '-signer', cert, '-inkey', key, '-outform', 'DER', '-out', sigPath]);
    const plain = new Uint8Array(await readFile(sigPath));
    const stamped = await addTimestamp(pki, plain);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // revocation strictly after genTime (whole seconds)
    const trust = path.join(dir, 'trust-late');
    await runProcess('mkdir', ['-p', trust]);
    for (const f of ['root.pem', 'intermediate.cer', 'root.crl']) await writeFile(path.join(trust, f), await readFile(path.join(pki.trustDir, f)));
    await run(['ca', '-config', pki.intermediate.configPath, '-cert', pki.intermediate.certPath, '-keyfile', pki.intermediate.keyPath, '-revoke', cert]);
    await run(['ca', '-config', pki.intermediate.configPath, '-gencrl', '-cert', pki.intermediate.certPath, '-keyfile', pki.intermediate.keyPath,
      '-out', path.join(trust, 'intermediate.crl')]);

    const withTimestamp = await verifySignature({ signature: stamped, content: docPath, trustDir: trust, lang: 'en' });
    expectAllPassed(withTimestamp);
    expect(checkOf(withTimestamp, 'revocation').message).toContain('after the timestamp');
    // Without the timestamp the signer's own signingTime proves nothing: revoked means invalid.
    const withoutTimestamp = await verifySignature({ signature: plain, content: docPath, trustDir: trust });
    expect(withoutTimestamp.verdict).toBe('invalid');
    expect(checkOf(withoutTimestamp, 'revocation').ok).toBe(false);
  });

  it('rejects a token made over another signature', async () => {
    const other = await addTimestamp(pki, await opensslSign({ pss: true }));
    const token = pkijs.ContentInfo.fromBER(toArrayBuffer(other));
    const tokenAttr = new pkijs.SignedData({ schema: token.content }).signerInfos[0]!.unsignedAttrs!;
    const cms = rewrite(await opensslSign(), (signed) => {
      signed.signerInfos[0]!.unsignedAttrs = tokenAttr;
    });
    const report = await verifySignature({ signature: cms, content: docPath, trustDir: pki.trustDir });
    expect(report.verdict).toBe('invalid');
    expect(checkOf(report, 'timestamp').ok).toBe(false);
  });
});

describe('signDetached', () => {
  async function opensslVerify(sigPath: string): Promise<{ code: number | null; stderr: string }> {
    const r = await runProcess('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', sigPath, '-content', docPath,
      '-CAfile', pki.root.certPath, '-purpose', 'any', '-out', '/dev/null']);
    return { code: r.code, stderr: r.stderr };
  }

  it.each([
    ['RSA, PBES2/AES PKCS#12', () => pki.signerP12Path],
    ['RSA, legacy 3DES PKCS#12', () => pki.legacyP12Path],
    ['ECDSA P-256', () => pki.signers.ecdsa.p12Path],
    ['ECDSA P-384', () => pki.signers.ecdsa384.p12Path],
  ])('signs with %s so that openssl cms -verify and verifySignature accept it', async (_label, p12) => {
    const cms = await signDetached(DOC, new Uint8Array(await readFile(p12())), pki.password);
    const sigPath = path.join(dir, `signed-${counter++}.p7s`);
    await writeFile(sigPath, cms);
    const openssl = await opensslVerify(sigPath);
    expect(openssl.code, openssl.stderr).toBe(0);
    const report = await verifySignature({ signature: cms, content: docPath, trustDir: pki.trustDir });
    expectAllPassed(report);
    expect(checkOf(report, 'signing_certificate').ok).toBe(true);
  });

  it('signs with an `openssl pkcs12 -export -legacy` file (RC2-40 certificates)', async (ctx) => {
    if (!pki.rc2P12Path) return ctx.skip(); // this OpenSSL has no legacy provider to make one
    const cms = await signDetached(DOC, new Uint8Array(await readFile(pki.rc2P12Path)), pki.password);
    expectAllPassed(await verifySignature({ signature: cms, content: DOC, trustDir: pki.trustDir }));
  });

  it('makes an enveloping signature on request with the stated signing time', async () => {
    // Whole seconds (UTCTime) and not before the certificates issued moments ago.
    const when = new Date(Date.now() + 1000);
    when.setMilliseconds(0);
    const cms = await signDetached(DOC, new Uint8Array(await readFile(pki.signerP12Path)), pki.password, { attached: true, signingTime: when });
    const report = await verifySignature({ signature: cms, trustDir: pki.trustDir });
    expectAllPassed(report);
    expect(report.signers[0]!.signingTime).toBe(when.toISOString().replace('.000Z', 'Z'));
  });

  it('detects a signer certificate swapped for another one with the same issuer and serial claim', async () => {
    const cms = await signDetached(DOC, new Uint8Array(await readFile(pki.signerP12Path)), pki.password);
    const swapped = rewrite(cms, (signed) => {
      const v2 = signed.signerInfos[0]!.signedAttrs!.attributes.find((a) => a.type === OID.signingCertificateV2)!;
      const hash = ((v2.values[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
      const octets = hash.valueBlock.value[0] as asn1js.OctetString;
      const bytes = new Uint8Array(octets.valueBlock.valueHexView);
      bytes[0] = bytes[0]! ^ 0xff;
      octets.valueBlock.valueHexView = bytes;
    });
    const report = await verifySignature({ signature: swapped, content: docPath, trustDir: pki.trustDir });
    expect(report.verdict).toBe('invalid');
    expect(checkOf(report, 'signing_certificate').ok).toBe(false);
  });

  it('refuses a wrong PKCS#12 password', async () => {
    const p12 = new Uint8Array(await readFile(pki.signerP12Path));
    await expect(signDetached(DOC, p12, 'wrong')).rejects.toMatchObject({ code: 'signature.pkcs12_bad_password' });
    const legacy = new Uint8Array(await readFile(pki.legacyP12Path));
    await expect(signDetached(DOC, legacy, 'wrong')).rejects.toMatchObject({ code: 'signature.pkcs12_bad_password' });
  });

  it('refuses a file that is not PKCS#12', async () => {
    await expect(signDetached(DOC, DOC, pki.password)).rejects.toMatchObject({ code: 'signature.pkcs12_unreadable' });
  });
});
