// Demo PKI for `npm start`: a DEMO root CA (not a real authority) and two DEMO signers — the
// head of the personnel department (signs an order in the demo transfer) and the archivist
// (signs dossier inventories and integrity statements). Made once with the openssl command
// line under $MURAGAT_DATA_DIR/demo-pki and reused, so the demo transfer's signatures are
// the same bytes on every start. Nothing here is trusted outside a demo installation.
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createCaFolder, openssl } from '../../validators/signature/openssl-ca';

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
  const cnf = await createCaFolder(work, { days: 7300, serial: '1001' });
  const genKey = (name: string) => openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', `${name}.key`], work);
  await genKey('root');
  // Self-signed through `openssl ca` to backdate it: signatures of the demo documents (last
  // year's, or older years' ones bench/load ingests beside its load) must fall inside the root's validity too.
  await openssl(['req', '-new', '-utf8', '-config', cnf, '-key', 'root.key', '-subj', SUBJECTS.root, '-out', 'root.csr'], work);
  await openssl(['ca', '-batch', '-utf8', '-notext', '-selfsign', '-config', cnf, '-extensions', 'v3_ca', '-keyfile', 'root.key', '-in', 'root.csr', '-out', 'root.pem',
    '-startdate', '20000101000000Z', '-enddate', '20451231000000Z'], work);
  for (const name of ['head', 'archivist'] as const) {
    await genKey(name);
    await openssl(['req', '-new', '-utf8', '-config', cnf, '-key', `${name}.key`, '-subj', SUBJECTS[name], '-out', `${name}.csr`], work);
    // Valid from well before the demo documents' dates, so signatures of any demo year since 2000 verify.
    await openssl(['ca', '-batch', '-utf8', '-notext', '-config', cnf, '-extensions', 'v3_signer', '-cert', 'root.pem', '-keyfile', 'root.key', '-in', `${name}.csr`, '-out', `${name}.pem`,
      '-startdate', '20000101000000Z', '-enddate', '20401231000000Z'], work);
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
