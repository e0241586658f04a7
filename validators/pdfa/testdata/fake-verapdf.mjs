#!/usr/bin/env node
// Stand-in for the veraPDF CLI in tests (VERAPDF_BIN points here): prints a recorded
// machine-readable report. FAKE_VERAPDF_MODE selects pass, fail, garbage or hang.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
if (args.includes('--version')) {
  process.stdout.write('veraPDF 1.26.2 (stand-in)\n');
  process.exit(0);
}
const mode = process.env.FAKE_VERAPDF_MODE ?? 'fail';
const file = args[args.length - 1] ?? '';
if (!args.includes('--format') || !args.includes('mrr') || !args.includes('--flavour') || !args.includes('1b')) {
  process.stderr.write(`unexpected arguments: ${args.join(' ')}\n`);
  process.exit(3);
}
if (mode === 'hang') setInterval(() => {}, 1000);
else if (mode === 'garbage') {
  process.stderr.write('java.lang.OutOfMemoryError\n');
  process.exit(7);
} else {
  const report = readFileSync(path.join(here, `verapdf-${mode}.mrr.xml`), 'utf8').replace('FILE', file);
  process.stdout.write(report);
  // veraPDF exits 1 when a file does not comply.
  process.exit(mode === 'fail' ? 1 : 0);
}
