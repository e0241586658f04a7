// A throw-away PKI built with the `openssl` command line at test run time: root and
// intermediate CAs with CRLs, signers (RSA, ECDSA P-256/P-384, expired, revoked, wrong key
// usage, under an untrusted root) and a timestamping authority. Other domains use
// createTestPki + signFile to make signed test documents. Test code only.
import { mkdir, readFile, writeFile, copyFile } from 'node:fs/promises';
import path from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { createCaFolder, openssl } from '../openssl-ca';
import { OID, toArrayBuffer } from '../asn1-util';

export type TestSignerName = 'rsa' | 'ecdsa' | 'ecdsa384' | 'expired' | 'revoked' | 'badUsage' | 'untrusted' | 'tsa';

export interface TestCredential {
  certPath: string;
  keyPath: string;
  /** PKCS#12 with the key, the certificate and its issuing chain; password TestPki.password. */
  p12Path: string;
}

export interface TestPki {
  dir: string;
  /** Trust folder: root (PEM), intermediate (DER) and both CAs' CRLs (PEM and DER). */
  trustDir: string;
  /** The same anchors and intermediate without any CRL. */
  trustDirNoCrl: string;
  password: string;
  /** The ordinary RSA signer's PKCS#12 (AES/PBES2). */
  signerP12Path: string;
  /** The RSA signer's PKCS#12 with legacy PBE-SHA1-3DES encryption and SHA-1 MAC. */
  legacyP12Path: string;
  /** `openssl pkcs12 -export -legacy` (RC2-40 certificates, 3DES key); absent when the local
   * OpenSSL lacks its legacy provider. */
  rc2P12Path?: string;
  root: { certPath: string; keyPath: string; configPath: string };
  intermediate: { certPath: string; keyPath: string; configPath: string };
  untrustedRoot: { certPath: string; keyPath: string };
  signers: Record<TestSignerName, TestCredential>;
  /** Subject identifiers of the rsa signer, as in Kazakh NCA certificates. */
  iin: string;
  bin: string;
}

const TEST_CA_SECTIONS = `[ v3_bad_usage ]
basicConstraints = critical, CA:false
keyUsage = critical, keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ crl_ca_only ]
issuingDistributionPoint = critical, @idp_ca_only
[ idp_ca_only ]
onlyCA = TRUE
[ v3_tsa ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`;

async function newCa(dir: string, name: string): Promise<string> {
  const caDir = path.join(dir, name);
  // Random serial prefix so that CAs of different test runs never share serials; openssl
  // wants an even number of hex digits.
  const serial = `${(0x1000 + Math.floor(Math.random() * 0xe000)).toString(16)}01`;
  return createCaFolder(caDir, { days: 3650, serial, extraSections: TEST_CA_SECTIONS });
}

async function genKey(dir: string, name: string, kind: 'rsa' | 'p256' | 'p384'): Promise<string> {
  const keyPath = path.join(dir, `${name}.key`);
  const opts = kind === 'rsa' ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'] : ['-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${kind === 'p256' ? 'P-256' : 'P-384'}`];
  await openssl(['genpkey', ...opts, '-out', keyPath], dir);
  return keyPath;
}

async function issue(dir: string, caCnf: string, ca: { certPath: string; keyPath: string }, name: string, subject: string,
  keyPath: string, extensions: string, dates?: { start: string; end: string }): Promise<string> {
  const csr = path.join(dir, `${name}.csr`);
  const certPath = path.join(dir, `${name}.pem`);
  await openssl(['req', '-new', '-utf8', '-config', caCnf, '-key', keyPath, '-subj', subject, '-out', csr], dir);
  await openssl(['ca', '-batch', '-utf8', '-notext', '-config', caCnf, '-extensions', extensions, '-cert', ca.certPath, '-keyfile', ca.keyPath,
    '-in', csr, '-out', certPath, ...(dates ? ['-startdate', dates.start, '-enddate', dates.end] : [])], dir);
  return certPath;
}

async function selfSigned(dir: string, caCnf: string, name: string, subject: string): Promise<{ certPath: string; keyPath: string }> {
  const keyPath = await genKey(dir, name, 'rsa');
  const certPath = path.join(dir, `${name}.pem`);
  await openssl(['req', '-x509', '-new', '-utf8', '-config', caCnf, '-extensions', 'v3_ca', '-key', keyPath, '-subj', subject,
    '-days', '3650', '-sha256', '-out', certPath], dir);
  return { certPath, keyPath };
}

async function pkcs12(dir: string, name: string, certPath: string, keyPath: string, chain: string[], password: string,
  legacy: false | '3des' | 'rc2' = false): Promise<string> {
  const out = path.join(dir, `${name}${legacy ? `-${legacy}` : ''}.p12`);
  const chainPath = path.join(dir, `${name}-chain.pem`);
  await writeFile(chainPath, (await Promise.all(chain.map((c) => readFile(c, 'utf8')))).join(''));
  await openssl(['pkcs12', '-export', '-inkey', keyPath, '-in', certPath, '-certfile', chainPath, '-name', name,
    '-passout', `pass:${password}`, '-out', out,
    ...(legacy === '3des' ? ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'] : []),
    ...(legacy === 'rc2' ? ['-legacy'] : [])], dir);
  return out;
}

/** Builds the PKI under dir (created if needed). Takes a few seconds (RSA key generation). */
export async function createTestPki(dir: string): Promise<TestPki> {
  await mkdir(dir, { recursive: true });
  const password = 'test-пароль-1';
  const iin = '850101300123';
  const bin = '120240012345';
  const rootCnf = await newCa(dir, 'root-ca');
  const root = await selfSigned(dir, rootCnf, 'root', '/C=KZ/O=Muragat Test/CN=Muragat Test Root CA');
  const intCnf = await newCa(dir, 'int-ca');
  const intKey = await genKey(dir, 'intermediate', 'rsa');
  const intermediate = {
    certPath: await issue(dir, rootCnf, root, 'intermediate', '/C=KZ/O=Muragat Test/CN=Muragat Test Issuing CA', intKey, 'v3_ca'),
    keyPath: intKey,
  };
  const untrustedCnf = await newCa(dir, 'untrusted-ca');
  const untrustedRoot = await selfSigned(dir, untrustedCnf, 'untrusted-root', '/C=KZ/O=Elsewhere/CN=Untrusted Root CA');

  const chain = [intermediate.certPath, root.certPath];
  const specs: { name: TestSignerName; kind: 'rsa' | 'p256' | 'p384'; subject: string; ext: string; ca: 'int' | 'untrusted'; dates?: { start: string; end: string } }[] = [
    { name: 'rsa', kind: 'rsa', subject: `/C=KZ/O=ТОО Мұрағат Тест/OU=BIN${bin}/CN=Сейітов Асқар/SN=Сейітов/GN=Асқар/serialNumber=IIN${iin}`, ext: 'v3_signer', ca: 'int' },
    { name: 'ecdsa', kind: 'p256', subject: '/C=KZ/O=Muragat Test/CN=ECDSA P-256 Signer/serialNumber=IIN900202400456', ext: 'v3_signer', ca: 'int' },
    { name: 'ecdsa384', kind: 'p384', subject: '/C=KZ/O=Muragat Test/CN=ECDSA P-384 Signer', ext: 'v3_signer', ca: 'int' },
    { name: 'expired', kind: 'rsa', subject: '/C=KZ/O=Muragat Test/CN=Expired Signer', ext: 'v3_signer', ca: 'int', dates: { start: '20200101000000Z', end: '20210101000000Z' } },
    { name: 'revoked', kind: 'rsa', subject: '/C=KZ/O=Muragat Test/CN=Revoked Signer', ext: 'v3_signer', ca: 'int' },
    { name: 'badUsage', kind: 'rsa', subject: '/C=KZ/O=Muragat Test/CN=Encryption Only', ext: 'v3_bad_usage', ca: 'int' },
    { name: 'untrusted', kind: 'rsa', subject: '/C=KZ/O=Elsewhere/CN=Untrusted Signer', ext: 'v3_signer', ca: 'untrusted' },
    { name: 'tsa', kind: 'rsa', subject: '/C=KZ/O=Muragat Test/CN=Muragat Test TSA', ext: 'v3_tsa', ca: 'int' },
  ];
  const signers = {} as Record<TestSignerName, TestCredential>;
  for (const spec of specs) {
    const keyPath = await genKey(dir, spec.name, spec.kind);
    const ca = spec.ca === 'int' ? intermediate : untrustedRoot;
    const certPath = await issue(dir, spec.ca === 'int' ? intCnf : untrustedCnf, ca, spec.name, spec.subject, keyPath, spec.ext, spec.dates);
    const p12Path = await pkcs12(dir, spec.name, certPath, keyPath, spec.ca === 'int' ? chain : [untrustedRoot.certPath], password);
    signers[spec.name] = { certPath, keyPath, p12Path };
  }
  const legacyP12Path = await pkcs12(dir, 'rsa', signers.rsa.certPath, signers.rsa.keyPath, chain, password, '3des');
  const rc2P12Path = await pkcs12(dir, 'rsa', signers.rsa.certPath, signers.rsa.keyPath, chain, password, 'rc2').catch(() => undefined);

  // CRLs: the intermediate revokes one signer; the root's CRL covers the intermediate.
  await openssl(['ca', '-config', intCnf, '-cert', intermediate.certPath, '-keyfile', intermediate.keyPath, '-revoke', signers.revoked.certPath,
    '-crl_reason', 'keyCompromise'], dir);
  const intCrl = path.join(dir, 'intermediate.crl.pem');
  await openssl(['ca', '-config', intCnf, '-gencrl', '-cert', intermediate.certPath, '-keyfile', intermediate.keyPath, '-out', intCrl], dir);
  const rootCrl = path.join(dir, 'root.crl.pem');
  await openssl(['ca', '-config', rootCnf, '-gencrl', '-cert', root.certPath, '-keyfile', root.keyPath, '-out', rootCrl], dir);

  const trustDirNoCrl = path.join(dir, 'trust-no-crl');
  const trustDir = path.join(dir, 'trust');
  for (const t of [trustDir, trustDirNoCrl]) {
    await mkdir(t, { recursive: true });
    await copyFile(root.certPath, path.join(t, 'root.pem'));
    await openssl(['x509', '-in', intermediate.certPath, '-outform', 'DER', '-out', path.join(t, 'intermediate.cer')], dir);
  }
  await copyFile(rootCrl, path.join(trustDir, 'root.crl'));
  await openssl(['crl', '-in', intCrl, '-outform', 'DER', '-out', path.join(trustDir, 'intermediate.crl')], dir);

  return {
    dir, trustDir, trustDirNoCrl, password, signerP12Path: signers.rsa.p12Path, legacyP12Path, ...(rc2P12Path ? { rc2P12Path } : {}),
    root: { ...root, configPath: rootCnf }, intermediate: { ...intermediate, configPath: intCnf }, untrustedRoot, signers, iin, bin,
  };
}

export interface SignFileOptions {
  signer?: TestSignerName;
  /** Where to write; default `<content>.p7s`. */
  outPath?: string;
  /** RSA-PSS padding instead of PKCS#1 v1.5 (RSA signers only). */
  pss?: boolean;
  /** Enveloping signature (content inside the CMS). */
  attached?: boolean;
  outform?: 'DER' | 'PEM';
  digest?: 'sha256' | 'sha384' | 'sha512';
  /** Identify the signer by subjectKeyIdentifier instead of issuer and serial number. */
  keyid?: boolean;
  /** Leave all certificates out of the CMS. */
  nocerts?: boolean;
  /** No signed attributes: the signature covers the content directly. */
  noattr?: boolean;
}

/** Signs a file with `openssl cms -sign` (a tool independent of this code). Returns the output path. */
export async function signFile(pki: TestPki, contentPath: string, options: SignFileOptions = {}): Promise<string> {
  const signer = pki.signers[options.signer ?? 'rsa'];
  const outPath = options.outPath ?? `${contentPath}.p7s`;
  const chainPath = path.join(pki.dir, `${options.signer ?? 'rsa'}-chain.pem`);
  await openssl(['cms', '-sign', '-binary', '-in', contentPath, '-signer', signer.certPath, '-inkey', signer.keyPath,
    ...(options.nocerts ? [] : ['-certfile', chainPath]),
    '-md', options.digest ?? 'sha256', '-outform', options.outform ?? 'DER', '-out', outPath,
    ...(options.attached ? ['-nodetach'] : []),
    ...(options.keyid ? ['-keyid'] : []),
    ...(options.nocerts ? ['-nocerts'] : []),
    ...(options.noattr ? ['-noattr'] : []),
    ...(options.pss ? ['-keyopt', 'rsa_padding_mode:pss', '-keyopt', 'rsa_pss_saltlen:32'] : [])], pki.dir);
  return outPath;
}

/**
 * Adds an RFC 3161 timestamp token from the test TSA (openssl ts) over the first signer's
 * signature value, as an unsigned id-aa-signatureTimeStampToken attribute. Returns new CMS DER.
 */
export async function addTimestamp(pki: TestPki, cms: Uint8Array): Promise<Uint8Array> {
  const info = pkijs.ContentInfo.fromBER(toArrayBuffer(cms));
  const signed = new pkijs.SignedData({ schema: info.content });
  const signer = signed.signerInfos[0]!;
  const work = path.join(pki.dir, `ts-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  await mkdir(work, { recursive: true });
  await writeFile(path.join(work, 'sig.bin'), signer.signature.valueBlock.valueHexView);
  await writeFile(path.join(work, 'serial'), '01\n');
  await writeFile(path.join(work, 'ts.cnf'), `
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = ${work}
serial = $dir/serial
crypto_device = builtin
signer_cert = ${pki.signers.tsa.certPath}
certs = ${path.join(pki.dir, 'tsa-chain.pem')}
signer_key = ${pki.signers.tsa.keyPath}
signer_digest = sha256
default_policy = 1.2.398.99.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`);
  await openssl(['ts', '-query', '-data', 'sig.bin', '-sha256', '-cert', '-out', 'q.tsq'], work);
  await openssl(['ts', '-reply', '-config', 'ts.cnf', '-queryfile', 'q.tsq', '-token_out', '-out', 'token.der'], work);
  const token = await readFile(path.join(work, 'token.der'));
  const attr = new pkijs.Attribute({ type: OID.signatureTimeStampToken, values: [asn1js.fromBER(toArrayBuffer(token)).result] });
  signer.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 1, attributes: [attr] });
  const out = new pkijs.ContentInfo({ contentType: OID.signedData, content: signed.toSchema(true) });
  return new Uint8Array(out.toSchema().toBER(false));
}
