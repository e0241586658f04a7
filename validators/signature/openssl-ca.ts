// A small certification authority driven by the `openssl` command line: the demo installation's
// DEMO PKI (ingest/demo/pki.ts) and the tests' throw-away PKI (testing/test-pki.ts) both build
// their CAs with it. Never used to sign anything the archive attests: users sign with their own keys.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runProcess } from '../../common/process';

/** Runs openssl in cwd; its stdout, or an error naming the command and openssl's message. */
export async function openssl(args: string[], cwd: string, timeoutMs = 120_000): Promise<Buffer> {
  const result = await runProcess('openssl', args, { cwd, timeoutMs });
  if (result.code !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr.toString()}`);
  return result.stdout;
}

/**
 * `openssl ca` configuration for a CA kept in dir: any subject (Kazakh NCA certificates carry
 * serialNumber = IIN, SN and GN), CA and signer extensions; extraSections adds more.
 */
export function opensslCaConfig(dir: string, options: { days: number; extraSections?: string }): string {
  return `[ ca ]
default_ca = CA_default
[ CA_default ]
dir = ${dir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_days = ${options.days}
default_crl_days = ${options.days}
policy = policy_any
unique_subject = no
copy_extensions = none
preserve = yes
string_mask = utf8only
[ policy_any ]
countryName = optional
stateOrProvinceName = optional
localityName = optional
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
${options.extraSections ?? ''}`;
}

/** Lays out an empty CA folder (database, serial, CRL number, config); returns the config path. */
export async function createCaFolder(dir: string, options: { days: number; serial: string; extraSections?: string }): Promise<string> {
  await mkdir(path.join(dir, 'newcerts'), { recursive: true });
  await writeFile(path.join(dir, 'index.txt'), '');
  await writeFile(path.join(dir, 'serial'), `${options.serial}\n`);
  await writeFile(path.join(dir, 'crlnumber'), '01\n');
  const cnf = path.join(dir, 'ca.cnf');
  await writeFile(cnf, opensslCaConfig(dir, options));
  return cnf;
}
