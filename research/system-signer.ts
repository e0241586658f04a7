// The archive's system signing identity for CMS: certified copies are signed by the archive
// itself, not by a person. The audit anchors' system key (audit/audit-anchor.ts) is Ed25519,
// which CMS verifiers of this project and of most recipients (OpenSSL 1.1 and Kazakh tools
// included) do not take, so the same keys folder keeps a second system key for CMS: ECDSA
// P-256 with a self-signed certificate naming the archive, made on first use, published with
// link(2) so two processes starting at once end up with one identity (as the anchor key).
// The PKCS#12 file is protected by its mode (0600, in MURAGAT_DATA_DIR/keys, never in the
// database), like the anchor key; its password is fixed because a password stored beside
// the file would protect nothing. Recipients verify against the certificate shipped in every
// package (system-certificate.pem).
import { randomBytes } from 'node:crypto';
import { link, mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadPkcs12 } from '../validators/signature/pkcs12';
import { openssl } from '../validators/signature/openssl-ca';

const P12_FILE = 'system-cms.p12';
const TRUST_FOLDER = 'system-cms-trust';
export const SYSTEM_P12_PASSWORD = 'muragat-system-cms';

export interface ArchiveSigner {
  pkcs12: Uint8Array;
  password: string;
  /** The certificate, PEM. */
  certificatePem: string;
  /** Subject of the certificate, as printed on copies. */
  subject: string;
  /** A folder holding only this certificate: the trust anchor to verify the archive's signatures. */
  trustDir: string;
}

function pem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

async function create(file: string, organisation: string): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'muragat-system-cms-'));
  try {
    // Subject values travel as UTF-8 (Kazakh and Russian organisation names).
    const subject = `/CN=Muragat archive system/O=${organisation.replace(/[/\\=+,]/g, ' ').slice(0, 64)}`;
    await openssl(
      [
        'req', '-x509', '-utf8', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '7305', '-sha256', '-subj', subject,
        '-addext', 'basicConstraints=critical,CA:false', '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation',
      ],
      work,
    );
    await openssl(['pkcs12', '-export', '-inkey', 'key.pem', '-in', 'cert.pem', '-out', 'system.p12', '-passout', `pass:${SYSTEM_P12_PASSWORD}`], work);
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(temp, await readFile(path.join(work, 'system.p12')), { mode: 0o600, flag: 'wx' });
    try {
      await link(temp, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await unlink(temp).catch(() => {});
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The archive's CMS signer kept in keyDir (systemKeyDir(config)), made on first use. */
export async function loadArchiveSigner(keyDir: string, organisation = 'Muragat'): Promise<ArchiveSigner> {
  const file = path.join(keyDir, P12_FILE);
  let pkcs12: Buffer;
  try {
    pkcs12 = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(keyDir, { recursive: true, mode: 0o700 });
    await create(file, organisation);
    pkcs12 = await readFile(file);
  }
  const contents = await loadPkcs12(new Uint8Array(pkcs12), SYSTEM_P12_PASSWORD);
  const certificatePem = pem(new Uint8Array(contents.certificate.toSchema().toBER(false)));
  const trustDir = path.join(keyDir, TRUST_FOLDER);
  await mkdir(trustDir, { recursive: true });
  const trustFile = path.join(trustDir, 'system.pem');
  const existing = await readFile(trustFile, 'utf8').catch(() => '');
  if (existing !== certificatePem) await writeFile(trustFile, certificatePem);
  const subject = contents.certificate.subject.typesAndValues.map((tv) => String((tv.value.valueBlock as { value?: unknown }).value ?? '')).join(', ');
  return { pkcs12: new Uint8Array(pkcs12), password: SYSTEM_P12_PASSWORD, certificatePem, subject, trustDir };
}
