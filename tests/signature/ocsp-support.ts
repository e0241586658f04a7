// A test CA whose signer certificates name a local OCSP responder (AIA), a delegated responder
// certificate (id-kp-OCSPSigning), one revoked signer, a CRL, and Debian's `openssl ocsp`
// serving the CA's index on a free port. Used by the OCSP tests (tests/signature/ocsp*.test.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import * as pkijs from 'pkijs';
import { toArrayBuffer } from '../../validators/signature/asn1-util';
import { createCaFolder, openssl } from '../../validators/signature/openssl-ca';

export const OCSP_TEST_PASSWORD = 'ocsp-test';

export interface OcspTestCa {
  dir: string;
  port: number;
  url: string;
  /** Trust folder with the CA only: revocation must come from OCSP. */
  trustDir: string;
  /** The CA and its CRL (which lists the revoked signer). */
  trustWithCrl: string;
  caCert: pkijs.Certificate;
  signers: Record<'good' | 'revoked', { p12: Uint8Array; cert: pkijs.Certificate }>;
  startResponder(): Promise<void>;
  stopResponder(): Promise<void>;
}

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

/** Builds the CA under dir (existing, empty) and starts its responder. */
export async function createOcspTestCa(dir: string): Promise<OcspTestCa> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const caDir = path.join(dir, 'ca');
  const cnf = await createCaFolder(caDir, {
    days: 3650,
    serial: `${(0x1000 + Math.floor(Math.random() * 0xe000)).toString(16)}01`,
    extraSections: `[ v3_signer_ocsp ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:${url}
[ v3_ocsp_responder ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, OCSPSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`,
  });
  const key = (name: string) => openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`], dir);
  const certOf = async (file: string) => pkijs.Certificate.fromBER(toArrayBuffer(new Uint8Array(await openssl(['x509', '-in', file, '-outform', 'DER'], dir))));
  await key('ca');
  await openssl(['req', '-x509', '-new', '-utf8', '-config', cnf, '-extensions', 'v3_ca', '-key', 'ca.key', '-subj', '/C=KZ/O=Muragat OCSP Test/CN=OCSP Test CA', '-days', '3650', '-sha256', '-out', 'ca.pem'], dir);
  const issue = async (name: string, subject: string, extensions: string) => {
    await key(name);
    await openssl(['req', '-new', '-utf8', '-config', cnf, '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
    await openssl(['ca', '-batch', '-utf8', '-notext', '-config', cnf, '-extensions', extensions, '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${name}.csr`, '-out', `${name}.pem`], dir);
  };
  await issue('responder', '/C=KZ/O=Muragat OCSP Test/CN=OCSP Responder', 'v3_ocsp_responder');
  const signers = {} as OcspTestCa['signers'];
  for (const name of ['good', 'revoked'] as const) {
    await issue(name, `/C=KZ/O=Muragat OCSP Test/CN=Signer ${name}/serialNumber=IIN90010130012${name === 'good' ? 3 : 4}`, 'v3_signer_ocsp');
    await openssl(['pkcs12', '-export', '-inkey', `${name}.key`, '-in', `${name}.pem`, '-certfile', 'ca.pem', '-passout', `pass:${OCSP_TEST_PASSWORD}`, '-out', `${name}.p12`], dir);
    signers[name] = { p12: new Uint8Array(await readFile(path.join(dir, `${name}.p12`))), cert: await certOf(path.join(dir, `${name}.pem`)) };
  }
  await openssl(['ca', '-config', cnf, '-cert', 'ca.pem', '-keyfile', 'ca.key', '-revoke', 'revoked.pem', '-crl_reason', 'keyCompromise'], dir);
  await openssl(['ca', '-config', cnf, '-gencrl', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-out', 'ca.crl'], dir);
  const trustDir = path.join(dir, 'trust');
  await mkdir(trustDir, { recursive: true });
  await cp(path.join(dir, 'ca.pem'), path.join(trustDir, 'ca.pem'));
  const trustWithCrl = path.join(dir, 'trust-crl');
  await cp(trustDir, trustWithCrl, { recursive: true });
  await cp(path.join(dir, 'ca.crl'), path.join(trustWithCrl, 'ca.crl'));

  let responder: ChildProcess | undefined;
  const ca: OcspTestCa = {
    dir,
    port,
    url,
    trustDir,
    trustWithCrl,
    caCert: await certOf(path.join(dir, 'ca.pem')),
    signers,
    async startResponder() {
      if (responder && responder.exitCode === null) return; // already serving
      const child = spawn('openssl', ['ocsp', '-index', path.join(caDir, 'index.txt'), '-port', String(port), '-rsigner', path.join(dir, 'responder.pem'), '-rkey', path.join(dir, 'responder.key'), '-CA', path.join(dir, 'ca.pem'), '-ignore_err'], {
        cwd: dir,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      responder = child;
      // Ready when it says so: a probe connection that sends nothing would wedge this
      // single-threaded responder (it waits on that connection for ever).
      let said = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`openssl ocsp did not start: ${said}`)), 20_000);
        child.stderr!.on('data', (chunk: Buffer) => {
          said += chunk.toString();
          if (/waiting for OCSP client connections/i.test(said)) (clearTimeout(timer), resolve());
        });
        child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`openssl ocsp exited (${code}): ${said}`))));
      });
    },
    async stopResponder() {
      const child = responder;
      responder = undefined;
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
  await ca.startResponder();
  return ca;
}
