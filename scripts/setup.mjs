#!/usr/bin/env node
// Installs what `npm start` / `npm test` need and is missing, then gets out of the way.
// Plain Node (no dependencies): it runs before node_modules exists on a fresh machine.
//   node scripts/setup.mjs --start   system packages for running + npm deps + UI build
//   node scripts/setup.mjs --test    the same + Chromium for the browser tests + veraPDF
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv.includes('--test') ? 'test' : 'start';

// Debian packages the system uses (see docs/ARCHITECTURE.md "External tools").
const RUNTIME_PACKAGES = [
  'openssl', // the demo installation makes its DEMO PKI with it
  'libreoffice-writer-nogui', 'libreoffice-calc-nogui', 'libreoffice-impress-nogui',
  'ghostscript', 'poppler-utils', 'qpdf', 'clamav', 'libarchive-tools', 'file',
  'fonts-dejavu-core', 'fonts-noto-core', 'fonts-noto-cjk', 'fonts-liberation2', 'icc-profiles-free',
];
const TEST_PACKAGES = ['chromium'];

function log(message) {
  process.stderr.write(`[setup] ${message}\n`);
}

function fail(message) {
  process.stderr.write(`\n[setup] ${message}\n\n`);
  process.exit(1);
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    fail(`Node ${process.versions.node} is too old: Muragat needs Node 20.19 or newer.`);
  }
}

function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function missingDebianPackages(packages) {
  if (!hasCommand('dpkg-query')) return null; // not Debian: cannot check by package
  return packages.filter((pkg) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

function installDebianPackages(packages) {
  const command = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  let prefix = null;
  if (isRoot) prefix = [];
  else if (hasCommand('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0) prefix = ['sudo', '-n'];
  if (!prefix) {
    fail(`These Debian packages are missing: ${packages.join(' ')}\nInstall them with:\n\n  sudo sh -c '${command}'\n\nthen run the npm command again.`);
  }
  log(`installing Debian packages: ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) => {
    const [cmd, ...rest] = [...prefix, ...args];
    const r = spawnSync(cmd, rest, { stdio: 'inherit', env });
    if (r.status !== 0) fail(`'${args.join(' ')}' failed (exit ${r.status}). Run this and retry:\n\n  sudo sh -c '${command}'`);
  };
  run(['apt-get', 'update']);
  run(['apt-get', 'install', '-y', '--no-install-recommends', ...packages]);
}

function ensureSystemPackages() {
  const wanted = mode === 'test' ? [...RUNTIME_PACKAGES, ...TEST_PACKAGES] : RUNTIME_PACKAGES;
  const missing = missingDebianPackages(wanted);
  if (missing === null) {
    const tools = ['soffice', 'gs', 'pdftoppm', 'pdftotext', 'qpdf', 'clamscan', ...(mode === 'test' ? ['chromium'] : [])];
    const absent = tools.filter((t) => !hasCommand(t));
    if (absent.length) log(`not a Debian system; these tools are missing and the features using them will report so: ${absent.join(', ')}`);
    return;
  }
  if (missing.length) installDebianPackages(missing);
}

function newestMtime(dir, filter = () => true) {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, filter));
    else if (filter(full)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function ensureNpmDependencies() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);
  if (!stale) return;
  log('installing npm dependencies');
  const args = existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  const r = spawnSync('npm', args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) fail(`npm ${args[0]} failed; see the output above.`);
}

function ensureUiBuilt() {
  const index = path.join(root, 'ui', 'dist', 'index.html');
  if (!existsSync(path.join(root, 'ui', 'index.html'))) return;
  const sources = Math.max(newestMtime(path.join(root, 'ui')), newestMtime(path.join(root, 'common', 'i18n'), (f) => f.endsWith('.json')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  log('building the UI');
  const r = spawnSync('npx', ['vite', 'build', '--config', 'ui/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) fail('the UI build failed; see the output above.');
}

// ClamAV ships without signatures; fetch them once (best effort: offline machines keep going,
// and ingest then applies MURAGAT_MALWARE_POLICY, recording the outcome per document).
function ensureMalwareSignatures() {
  const dbDir = '/var/lib/clamav';
  const hasDb = existsSync(dbDir) && readdirSync(dbDir).some((f) => /\.(cvd|cld)$/.test(f));
  if (hasDb || !hasCommand('freshclam')) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) return;
  log('fetching ClamAV signatures (freshclam)');
  const r = spawnSync('freshclam', ['--quiet'], { stdio: 'ignore', timeout: 120_000 });
  if (r.status !== 0) log('could not fetch ClamAV signatures (offline?); malware scanning reports "unavailable" until freshclam succeeds');
}

// veraPDF, the reference PDF/A validator, as a second engine (docs/ARCHITECTURE.md "veraPDF"):
// a Debian JRE and the pinned CLI from Maven Central (tools/verapdf/pom.xml), its jars resolved
// by Maven into the ignored .tools/verapdf/lib, started by the launcher .tools/verapdf/verapdf
// that common/config.ts finds when VERAPDF_BIN is unset. Installed for the tests only: the
// built-in validator is the default, so `npm start` does not need it.
const VERAPDF_DIR = path.join(root, '.tools', 'verapdf');
const VERAPDF_POM = path.join(root, 'tools', 'verapdf', 'pom.xml');
const VERAPDF_CLASS = 'org.verapdf.apps.GreenfieldCliWrapper';

function ensureVeraPdf() {
  if (process.env.VERAPDF_BIN) return; // the operator's own installation
  if (!existsSync(VERAPDF_POM)) return;
  const pom = readFileSync(VERAPDF_POM);
  const pomHash = createHash('sha256').update(pom).digest('hex');
  const version = /<verapdf\.version>([^<]+)<\/verapdf\.version>/.exec(pom.toString('utf8'))?.[1];
  const launcher = path.join(VERAPDF_DIR, 'verapdf');
  const markerFile = path.join(VERAPDF_DIR, 'installed.json');
  try {
    const marker = JSON.parse(readFileSync(markerFile, 'utf8'));
    if (marker.pomHash === pomHash && existsSync(launcher) && marker.classpath.every((jar) => existsSync(path.join(VERAPDF_DIR, 'lib', jar)))) return;
  } catch {
    // not installed yet, or from another pom: install below
  }
  const problem = (message) => {
    // CI must run the veraPDF integration tests; elsewhere they skip and say why.
    if (process.env.CI) fail(`veraPDF: ${message}`);
    log(`veraPDF not installed (${message}); its tests will be skipped`);
  };
  const missing = [];
  if (!hasCommand('java')) missing.push('default-jre-headless');
  if (!hasCommand('mvn')) missing.push('maven');
  if (missing.length) {
    if (missingDebianPackages(missing) === null) return problem(`install ${missing.join(' and ')} (Java 11 or newer, Maven)`);
    installDebianPackages(missing);
  }
  log(`installing veraPDF ${version} from Maven Central into .tools/verapdf`);
  const lib = path.join(VERAPDF_DIR, 'lib');
  const staging = path.join(VERAPDF_DIR, 'lib.new');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(VERAPDF_DIR, { recursive: true });
  const r = spawnSync('mvn', ['-q', '-B', '-Dstyle.color=never', '-f', VERAPDF_POM, 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`, '-DincludeScope=runtime'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 600_000,
  });
  if (r.status !== 0) return problem(`'mvn dependency:copy-dependencies' on tools/verapdf/pom.xml failed (exit ${r.status})`);
  rmSync(lib, { recursive: true, force: true });
  renameSync(staging, lib);
  // The CLI jar first: it carries the classes it was built with; the rest are its declared dependencies.
  const jars = readdirSync(lib).filter((f) => f.endsWith('.jar')).sort();
  const main = jars.find((f) => f.startsWith('greenfield-apps-'));
  if (!main) return problem('greenfield-apps was not among the resolved jars');
  const classpath = [main, ...jars.filter((f) => f !== main)];
  writeFileSync(
    launcher,
    [
      '#!/bin/sh',
      `# veraPDF ${version} command line, written by scripts/setup.mjs from tools/verapdf/pom.xml.`,
      '# JVM options come from JAVA_OPTS (Muragat passes the memory limit there); its settings',
      '# folder is kept beside it instead of ~/.verapdf.',
      'here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)',
      'java=java',
      'if [ -n "$JAVA_HOME" ] && [ -x "$JAVA_HOME/bin/java" ]; then java="$JAVA_HOME/bin/java"; fi',
      `exec "$java" \${JAVA_OPTS:--Xmx1g} -Duser.home="$here/home" -Dfile.encoding=UTF-8 -cp "${classpath.map((j) => `$here/lib/${j}`).join(':')}" ${VERAPDF_CLASS} "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(launcher, 0o755);
  const check = spawnSync(launcher, ['--version'], { encoding: 'utf8', timeout: 120_000 });
  if (check.status !== 0 || !/veraPDF/i.test(check.stdout)) return problem(`the launcher did not start: ${(check.stderr || check.stdout || '').trim().slice(0, 300)}`);
  writeFileSync(markerFile, JSON.stringify({ version, pomHash, classpath }, null, 2) + '\n');
  log(`veraPDF ready: ${check.stdout.split('\n')[0].trim()} (${path.relative(root, launcher)})`);
}

checkNode();
ensureSystemPackages();
if (mode === 'start') ensureMalwareSignatures();
ensureNpmDependencies();
ensureUiBuilt();
if (mode === 'test') ensureVeraPdf();
