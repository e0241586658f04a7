// Demo PKI for `npm start`: a DEMO root CA (not a real authority) and two DEMO signers — the
// head of the personnel department (signs an order in the demo transfer) and the archivist
// (signs dossier inventories and integrity statements). Made once with the openssl command
// line under $MURAGAT_DATA_DIR/demo-pki and reused, so the demo transfer's signatures are
// the same bytes on every start. Nothing here is trusted outside a demo installation.
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runProcess } from '../../common/process';

export interface DemoCredential {
  /** PKCS#12 with key, certificate and root; password DemoPki.password. */
  p12: Uint8Array;
  subject: string;
}

export interface DemoPki {
  dir: string;
  /** Trust folder with only the DEMO root and its CRL. */
  trustDir: string;
  password: string;
  head: DemoCredential;
  archivist: DemoCredential;
}

export const DEMO_PKI_PASSWORD = 'demo-pki';
const ORG = '/C=KZ/O=Muragat DEMO PKI - not a real CA';
const SUBJECTS = {
  root: `${ORG}/CN=Muragat DEMO Root CA`,
  head: `${ORG}/OU=BIN140540012345/CN=Жақыпов Нұрлан (DEMO)/SN=Жақыпов/GN=Нұрлан Асқарұлы/serialNumber=IIN800315300111`,
  archivist: `${ORG}/OU=BIN140540012345/CN=Әбенова Гүлнар (DEMO)/SN=Әбенова/GN=Гүлнар Серікқызы/serialNumber=IIN870602400222`,
} as const;

async function openssl(args: string[], cwd: string): Promise<void> {
  const r = await runProcess('openssl', args, { cwd, timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr.toString()}`);
}

function caConfig(dir: string): string {
  return `[ ca ]
default_ca = CA_default
[ CA_default ]
dir = ${dir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_days = 7300
default_crl_days = 7300
policy = policy_any
unique_subject = no
copy_extensions = none
preserve = yes
string_mask = utf8only
[ policy_any ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
serialNumber = optional
surname = optional
givenName = optional
[ req ]
distinguished_name = req_dn
string_mask = utf8only
utf8 = yes
[ req_dn ]
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_signer ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

async function load(dir: string): Promise<DemoPki> {
  return {
    dir,
    trustDir: path.join(dir, 'trust'),
    password: DEMO_PKI_PASSWORD,
    head: { p12: new Uint8Array(await readFile(path.join(dir, 'head.p12'))), subject: SUBJECTS.head },
    archivist: { p12: new Uint8Array(await readFile(path.join(dir, 'archivist.p12'))), subject: SUBJECTS.archivist },
  };
}

/**
 * Returns the demo PKI under dir, creating it on first use (a few seconds: three RSA keys).
 * Built in a sibling folder and renamed into place, so a crash never leaves half a PKI.
 */
export async function ensureDemoPki(dir: string): Promise<DemoPki> {
  if (await exists(path.join(dir, 'trust', 'demo-root.crl'))) return load(dir);
  const work = `${dir}.tmp-${process.pid}`;
  await rm(work, { recursive: true, force: true });
  await mkdir(path.join(work, 'newcerts'), { recursive: true });
  await writeFile(path.join(work, 'index.txt'), '');
  await writeFile(path.join(work, 'serial'), '1001\n');
  await writeFile(path.join(work, 'crlnumber'), '01\n');
  const cnf = path.join(work, 'ca.cnf');
  await writeFile(cnf, caConfig(work));
  const genKey = (name: string) => openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', `${name}.key`], work);
  await genKey('root');
  // Self-signed through `openssl ca` to backdate it: signatures of last year's documents
  // must fall inside the root's validity too.
  await openssl(['req', '-new', '-utf8', '-config', cnf, '-key', 'root.key', '-subj', SUBJECTS.root, '-out', 'root.csr'], work);
  await openssl(['ca', '-batch', '-utf8', '-notext', '-selfsign', '-config', cnf, '-extensions', 'v3_ca', '-keyfile', 'root.key', '-in', 'root.csr', '-out', 'root.pem',
    '-startdate', '20190101000000Z', '-enddate', '20451231000000Z'], work);
  for (const name of ['head', 'archivist'] as const) {
    await genKey(name);
    await openssl(['req', '-new', '-utf8', '-config', cnf, '-key', `${name}.key`, '-subj', SUBJECTS[name], '-out', `${name}.csr`], work);
    // Valid from well before the demo documents' dates, so signatures of last year's documents verify.
    await openssl(['ca', '-batch', '-utf8', '-notext', '-config', cnf, '-extensions', 'v3_signer', '-cert', 'root.pem', '-keyfile', 'root.key', '-in', `${name}.csr`, '-out', `${name}.pem`,
      '-startdate', '20200101000000Z', '-enddate', '20401231000000Z'], work);
    await openssl(['pkcs12', '-export', '-inkey', `${name}.key`, '-in', `${name}.pem`, '-certfile', 'root.pem', '-name', `${name} (DEMO)`, '-passout', `pass:${DEMO_PKI_PASSWORD}`, '-out', `${name}.p12`], work);
  }
  await openssl(['ca', '-config', cnf, '-gencrl', '-cert', 'root.pem', '-keyfile', 'root.key', '-out', 'root.crl.pem'], work);
  await mkdir(path.join(work, 'trust'), { recursive: true });
  await copyFile(path.join(work, 'root.pem'), path.join(work, 'trust', 'demo-root.pem'));
  await copyFile(path.join(work, 'root.crl.pem'), path.join(work, 'trust', 'demo-root.crl'));
  await writeFile(path.join(work, 'README.txt'), 'DEMO PKI of Muragat: made for the demo installation only. Not a real certification authority; never trust it elsewhere.\n');
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.dirname(dir), { recursive: true });
  await rename(work, dir);
  return load(dir);
}
