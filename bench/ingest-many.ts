// Ingest of many small documents (issue #3): a transfer of N small Kazakh and Russian text
// files and PDFs (default 10,000) in dossiers of 50, timed for pack, receive (copy + hash into
// quarantine), unpack, every other step and the whole ingest, as documents per second.
// Run: node bin/run-ts.js bench/ingest-many.ts [--docs 10000] [--json] [--keep]
import { rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { packTransfer } from '../ingest/transfer';
import { loadTools, processTransfer, receiveTransfer } from '../ingest';
import {
  TITLES,
  benchRoot,
  dateFor,
  load,
  makeTextPdf,
  openBenchCatalog,
  parseFlags,
  prose,
  sampleProblems,
  secondsSince,
  statusCounts,
  stepTimings,
  table,
  writeDossierJson,
  writeTransferJson,
} from './ingest-common';

const DOCS_PER_DOSSIER = 50;

async function main(): Promise<void> {
  const flags = parseFlags();
  const n = Math.floor(flags.num('docs', 10_000));
  const pdfShare = flags.num('pdf-share', 0.5);
  const root = await benchRoot('many');
  const log = (s: string) => {
    if (!flags.json) process.stderr.write(s + '\n');
  };
  try {
    const tree = path.join(root, 'tree');
    log(`generating ${n} small documents … (load ${load()})`);
    const tg = performance.now();
    await writeTransferJson(tree);
    const dossiers = Math.max(1, Math.ceil(n / DOCS_PER_DOSSIER));
    for (let d = 0; d < dossiers; d++) await writeDossierJson(path.join(tree, `03-${d + 1}`), d % 2 ? 'Переписка с организациями' : 'Жеке құрам бойынша бұйрықтар');
    let pdfs = 0;
    let bytes = 0;
    const pdfEvery = pdfShare >= 1 ? 1 : Math.max(1, Math.round(1 / pdfShare));
    for (let i = 0; i < n; i++) {
      const language: 'kk' | 'ru' = i % 2 ? 'ru' : 'kk';
      const title = TITLES[language][i % TITLES[language].length];
      const date = dateFor(i);
      const isPdf = pdfShare > 0 && Math.floor(i / 2) % pdfEvery === 0;
      const file = path.join(tree, `03-${Math.floor(i / DOCS_PER_DOSSIER) + 1}`, `${date} ${title} №${i + 1}.${isPdf ? 'pdf' : 'txt'}`);
      const lines = prose(language, 6 + (i % 10), i);
      const content = isPdf ? await makeTextPdf({ title: `${title} №${i + 1}`, lines, created: new Date(`${date}T09:00:00Z`) }) : lines.join('\n') + '\n';
      await writeFile(file, content);
      bytes += typeof content === 'string' ? Buffer.byteLength(content) : content.length;
      if (isPdf) pdfs++;
      if (!flags.json && i % 1000 === 999) log(`  ${i + 1}/${n}`);
    }
    const generateSeconds = secondsSince(tg);

    const tar = path.join(root, 'transfer.tar');
    log(`packing … (load ${load()})`);
    const tp = performance.now();
    await packTransfer(tree, tar);
    const packSeconds = secondsSince(tp);
    const tarBytes = (await stat(tar)).size;
    await rm(tree, { recursive: true, force: true });

    log(`ingesting … (load ${load()})`);
    const loadBefore = load();
    const bench = await openBenchCatalog(root);
    const deps = { ...bench.deps, tools: await loadTools() };
    const t0 = performance.now();
    const transferId = await receiveTransfer(deps, { tarPath: tar });
    const receiveSeconds = secondsSince(t0);
    const report = await processTransfer(deps, transferId, {});
    const ingestSeconds = secondsSince(t0);
    const steps = await stepTimings(deps, transferId);
    await bench.catalog.close();
    const loadAfter = load();

    const perSecond = (s: number | null) => (s ? n / s : null);
    const unpack = steps.find((s) => s.step === 'unpack')?.seconds ?? null;
    const result = {
      bench: 'ingest-many',
      docs: n,
      pdfs,
      texts: n - pdfs,
      dossiers,
      sourceMB: bytes / 1024 / 1024,
      tarMB: tarBytes / 1024 / 1024,
      generateSeconds,
      pack: { seconds: packSeconds, docsPerSecond: perSecond(packSeconds) },
      receive: { seconds: receiveSeconds, docsPerSecond: perSecond(receiveSeconds) },
      unpack: { seconds: unpack, docsPerSecond: perSecond(unpack) },
      ingest: { seconds: ingestSeconds, docsPerSecond: perSecond(ingestSeconds) },
      steps: steps.map((s) => ({ ...s, docsPerSecond: perSecond(s.seconds) })),
      statuses: statusCounts(report),
      problems: sampleProblems(report),
      load: { before: loadBefore, after: loadAfter },
    };
    if (flags.json) {
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      return;
    }
    const out: string[] = [];
    out.push(`Ingest, many small documents: ${n} (${pdfs} PDF, ${n - pdfs} text) in ${dossiers} dossiers, ${result.tarMB.toFixed(1)} MB tar, load average ${loadBefore} → ${loadAfter}`);
    out.push(
      table([
        ['measure', 'seconds', 'docs/s'],
        ['generate tree', generateSeconds, perSecond(generateSeconds)],
        ['pack', packSeconds, result.pack.docsPerSecond],
        ['receive (copy + hash)', receiveSeconds, result.receive.docsPerSecond],
        ...steps.map((s) => [`  step ${s.step}${s.status === 'done' ? '' : ` (${s.status})`}`, s.seconds, perSecond(s.seconds)] as (string | number | null)[]),
        ['whole ingest (receive → complete)', ingestSeconds, result.ingest.docsPerSecond],
      ]),
    );
    out.push(`statuses: ${Object.entries(result.statuses).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    for (const p of result.problems) out.push(`  ${p.slice(0, 240)}`);
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    if (flags.keep) log(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}

await main();
