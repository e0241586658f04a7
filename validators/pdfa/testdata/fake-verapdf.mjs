#!/usr/bin/env node
// Stand-in for the veraPDF CLI in the parser's unit tests (VERAPDF_BIN points here): prints a
// recorded machine-readable report with one job per file given. FAKE_VERAPDF_MODE selects pass,
// fail, garbage or hang. The real veraPDF runs in verapdf.integration.test.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
if (args.includes('--version')) {
  process.stdout.write('veraPDF 1.28.2 (stand-in)\n');
  process.exit(0);
}
const mode = process.env.FAKE_VERAPDF_MODE ?? 'fail';
const files = args.filter((a) => path.isAbsolute(a));
const at = (flag) => args[args.indexOf(flag) + 1];
if (at('--format') !== 'xml' || at('--flavour') !== '1b' || !files.length) {
  process.stderr.write(`unexpected arguments: ${args.join(' ')}\n`);
  process.exit(3);
}
if (!/-Xmx\d+[kmg]/.test(process.env.JAVA_OPTS ?? '')) {
  process.stderr.write('no heap limit in JAVA_OPTS\n');
  process.exit(3);
}
if (mode === 'hang') setInterval(() => {}, 1000);
else if (mode === 'garbage') {
  process.stderr.write('java.lang.OutOfMemoryError\n');
  process.exit(7);
} else {
  const recorded = readFileSync(path.join(here, `verapdf-${mode}.mrr.xml`), 'utf8');
  const job = /<job>[\s\S]*<\/job>/.exec(recorded)[0];
  const jobs = files.map((f) => job.replace('FILE', f)).join('\n    ');
  process.stdout.write(recorded.replace(job, jobs));
  // veraPDF exits 1 when a file does not comply.
  process.exit(mode === 'fail' ? 1 : 0);
}
