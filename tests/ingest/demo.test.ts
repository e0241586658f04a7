// The demo transfer of `npm start`: generated (DEMO PKI, cached package), ingested once as the
// demo clerk, every document accepted with a PDF/A rendition, the DEMO-signed order verified,
// dossiers partly signed by the demo archivist, and a second call ingests nothing.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../common/config';
import { runProcess } from '../../common/process';
import { openStorage } from '../../storage';
import { seedDemo } from '../../demo/seed';
import { ensureDemoTransfer, type DemoTransferResult, type DemoPhase } from '../../ingest/demo';
import { getDossier, openAipFile, type IngestDeps } from '../../ingest';
import { createTestDatabase } from '../helpers/db';

describe('demo transfer', () => {
  let root: string;
  let deps: IngestDeps;
  let close: () => Promise<void>;
  let first: DemoTransferResult;
  const phases: DemoPhase[] = [];
  const started = Date.now();

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'muragat-demo-'));
    const config = parseConfig({
      MURAGAT_DATA_DIR: path.join(root, 'data'),
      MURAGAT_STORAGE: `file:${path.join(root, 'primary')},file:${path.join(root, 'replica')}`,
      LOG_LEVEL: 'silent',
    });
    const database = await createTestDatabase('pglite');
    close = database.close;
    await seedDemo(database.db);
    deps = { db: database.db, storage: openStorage(config), config };
    first = await ensureDemoTransfer(deps, { year: 2025, onProgress: (p) => void (phases.at(-1) !== p.phase && phases.push(p.phase)) });
  }, 400_000);
  afterAll(async () => {
    await close?.();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('accepts every document of three dossiers in nine formats, each with a rendition', () => {
    expect(first.ingested).toBe(true);
    expect(phases).toEqual(['pki', 'generate', 'ingest', 'sign', 'done']);
    const report = first.report!;
    expect(report.problems ?? []).toEqual([]);
    expect(report.dossiers.map((d) => d.index)).toEqual(['02-1', '02-2', '02-3']);
    const docs = report.dossiers.flatMap((d) => d.documents);
    expect(docs).toHaveLength(12);
    const notAccepted = docs.filter((d) => d.status !== 'accepted').map((d) => ({ source: d.source, status: d.status, problems: d.problems.map((p) => p.message) }));
    expect(notAccepted).toEqual([]);
    for (const doc of docs) expect(doc.rendition, doc.source).toBeTruthy();
    expect(new Set(docs.map((d) => d.format))).toEqual(new Set(['TXT', 'DOCX', 'ODT', 'PDF/A-1b', 'ODS', 'PNG', 'JPEG', 'XLSX', 'RTF']));
    const signed = docs.find((d) => d.source.endsWith('Бұйрық №1-ж.txt'))!;
    expect(signed.signature).toBe('valid');
    // eslint-disable-next-line no-console
    console.info(`demo transfer generated and ingested in ${Math.round((Date.now() - started) / 1000)} s`);
  });

  it('keeps the Kazakh letters in the text of the Kazakh order', async () => {
    const dossier = await getDossier(deps, '02-1');
    const doc = dossier.documents.find((d) => String(d.source).endsWith('Бұйрық №1-ж.txt'));
    expect(doc, JSON.stringify(dossier.documents.map((d) => [d.source, d.original, d.rendition]))).toBeTruthy();
    const file = await openAipFile(deps, dossier.id, doc!.rendition!);
    const chunks: Buffer[] = [];
    for await (const c of file.stream) chunks.push(c as Buffer);
    const pdf = path.join(root, 'order.pdf');
    await writeFile(pdf, Buffer.concat(chunks));
    const r = await runProcess('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { timeoutMs: 60_000 });
    const text = r.stdout.toString('utf8');
    expect(text).toContain('БҰЙРЫҚ');
    for (const letter of 'әғқңөұүі') expect(text.toLowerCase(), letter).toContain(letter);
  });

  it('shows a signed dossier and dossiers awaiting signatures', async () => {
    expect(first.signed.sort()).toEqual(['02-1:integrity', '02-1:inventory', '02-2:inventory']);
    const status = async (index: string) => (await getDossier(deps, index)).status;
    expect(await status('02-1')).toBe('stored');
    expect(await status('02-2')).toBe('awaiting-signature');
    expect(await status('02-3')).toBe('awaiting-signature');
    const trusted = await readFile(path.join(deps.config.trustDir, 'demo-root.pem'), 'utf8');
    expect(trusted).toContain('BEGIN CERTIFICATE');
  });

  it('ingests nothing the second time', async () => {
    const second = await ensureDemoTransfer(deps, { year: 2025 });
    expect(second).toMatchObject({ ingested: false, transferId: first.transferId, sha256: first.sha256, signed: [] });
    const n = await deps.db.selectFrom('transfers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1);
  }, 60_000);
});
