// Files embedded in a PDF original are stored as further originals of its e-document: an
// attachment in the AIP with its name, size, SHA-256 and the original it was embedded in,
// listed in the internal inventory, byte for byte what the PDF holds (read back independently
// with `qpdf --show-attachment`). A generated PDF always; a real one of the realworld-dev corpus
// when /work/shared is there.
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIngest, exportAip, verifyStoredDossiers, loadTools, type IngestReport } from '../../ingest';
import { runProcess } from '../../common/process';
import { rawTar } from '../../ingest/transfer/testing/fixtures';
import { inspectPdf } from '../../ingest/convert/pdf-prepare';
import type { DocumentMetadata, InternalInventory } from '../../validators/schemas/types';
import { createIngestEnv, type IngestEnv } from './helpers';

const CORPUS = process.env.MURAGAT_REALWORLD_DIR ?? '/work/shared/corpus/realworld-dev';
const REAL = path.join(CORPUS, 'pdf/bug1937438_af_from_latex.pdf');
const haveReal = existsSync(REAL);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const EMBEDDED_TEXT = 'Тізімдеме: 1) бұйрық, 2) хат.\nОпись: 1) приказ, 2) письмо.\n';

/** A one-page letter carrying an embedded inventory file (pdf-lib writes it under /EmbeddedFiles). */
async function pdfWithAttachment(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([595, 842]).drawText('Covering letter with an attached inventory', { x: 50, y: 780, size: 14, font });
  await doc.attach(Buffer.from(EMBEDDED_TEXT, 'utf8'), 'inventory.txt', { mimeType: 'text/plain', description: 'Inventory' });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** The attachments of a PDF as qpdf decodes them, independently of the pipeline's extraction. */
async function qpdfAttachments(file: string): Promise<string[]> {
  const list = await runProcess('qpdf', ['--list-attachments', file]);
  const keys = list.stdout.toString().split('\n').map((l) => l.split(' -> ')[0]!.trim()).filter(Boolean);
  const hashes: string[] = [];
  for (const key of keys) {
    const r = await runProcess('qpdf', [`--show-attachment=${key}`, file]);
    expect(r.code).toBe(0);
    hashes.push(sha256(r.stdout));
  }
  return hashes.sort();
}

describe('ingest of PDFs with embedded files', () => {
  let env: IngestEnv;
  let report: IngestReport;
  let out: string;
  const files: { name: string; content: Buffer }[] = [];

  beforeAll(async () => {
    env = await createIngestEnv({ MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    files.push({ name: 'хат-тіркемемен.pdf', content: await pdfWithAttachment() });
    if (haveReal) files.push({ name: 'af_from_latex.pdf', content: await readFile(REAL) });
    const manifest = {
      schemaVersion: 'muragat.transfer/1',
      transfer: { organisation: { bin: '123456789012', name: 'Ұйым' }, department: { code: '03', name: 'Кадр' }, year: 2025, fonds: '12', compiledBy: { name: 'Әбенова Г. С.', position: 'іс жүргізуші' }, createdAt: '2026-01-15T10:00:00Z' },
      dossiers: [{ index: '03-30', title: 'Хаттар', retention: { kind: 'permanent' }, documents: files.map((f, i) => ({
        path: `03-30/${f.name}`, sha256: sha256(f.content), size: f.content.length, title: `Хат ${i + 1}`, date: `2025-01-1${i}`, language: 'kk',
      })) }],
    };
    const tar = path.join(env.root, 'embedded.tar');
    await writeFile(tar, rawTar([{ name: 'manifest.json', content: JSON.stringify(manifest) }, ...files.map((f) => ({ name: `03-30/${f.name}`, content: f.content }))]));
    report = await runIngest(env.deps, { tarPath: tar });
    out = await mkdtemp(path.join(env.root, 'export-'));
    const { sha } = await env.db.selectFrom('dossiers').select('aip_manifest_sha256 as sha').where('id', '=', report.dossiers[0]!.id!).executeTakeFirstOrThrow();
    await exportAip(env.storage, sha, out);
  }, 600_000);
  afterAll(async () => env?.close());

  const metadataOf = async (position: number) => JSON.parse(await readFile(path.join(out, `documents/00${position}/metadata.json`), 'utf8')) as DocumentMetadata;

  it('stores each embedded file as an attachment of its document, byte for byte', async () => {
    for (const [i, f] of files.entries()) {
      const doc = report.dossiers[0]!.documents.find((d) => d.source === `03-30/${f.name}`)!;
      expect(doc.status, JSON.stringify(doc.problems)).toBe('accepted');
      const m = await metadataOf(i + 1);
      const attachments = m.files.filter((x) => x.role === 'attachment');
      await writeFile(path.join(env.root, `check-${i}.pdf`), f.content);
      const expected = await qpdfAttachments(path.join(env.root, `check-${i}.pdf`));
      expect(expected.length).toBeGreaterThan(0);
      // Every file of the document's /EmbeddedFiles name tree is kept, and as many files as the
      // inspection finds in all (associated files of pages and structure elements included).
      expect(attachments.map((a) => a.sha256)).toEqual(expect.arrayContaining(expected));
      const inspection = (await inspectPdf(path.join(env.root, `check-${i}.pdf`)))!;
      expect(attachments).toHaveLength(inspection.embedded.size);
      for (const a of attachments) {
        expect(a.embeddedIn).toBe(f.name);
        const bytes = await readFile(path.join(out, `documents/00${i + 1}/attachments/${a.name}`));
        expect(sha256(bytes)).toBe(a.sha256);
        expect(bytes.length).toBe(a.size);
      }
      // The original is kept as sent, its embedded files still inside.
      expect(sha256(await readFile(path.join(out, `documents/00${i + 1}/original/${f.name}`)))).toBe(sha256(f.content));
    }
  });

  it('names the embedded file of the generated PDF and lists it in the internal inventory', async () => {
    const m = await metadataOf(1);
    const [a] = m.files.filter((x) => x.role === 'attachment');
    expect(a!.name).toMatch(/inventory\.txt$/);
    expect(a!.sha256).toBe(sha256(Buffer.from(EMBEDDED_TEXT, 'utf8')));
    const inventory = JSON.parse(await readFile(path.join(out, 'inventory/internal-inventory.json'), 'utf8')) as InternalInventory;
    // Original, embedded file and rendition.
    expect(inventory.rows[0]!.files).toBe(3);
    expect(inventory.rows[0]!.bytes).toBe(files[0]!.content.length + a!.size + m.rendition!.size);
  });

  it.skipIf(!haveReal)('keeps the LaTeX associated files of the real PDF, beyond its name tree', async () => {
    const m = await metadataOf(2);
    const names = m.files.filter((x) => x.role === 'attachment').map((x) => x.name);
    expect(names.length).toBeGreaterThan(4);
    expect(names.some((n) => n.endsWith('tag-AFfile4.tex'))).toBe(true);
  });

  it('passes the stored dossier verification (attachments named by the metadata are the AIP objects)', async () => {
    const r = await verifyStoredDossiers({ db: env.db, storage: env.storage, trustDir: env.config.trustDir, tools: await loadTools() }, { dossierId: report.dossiers[0]!.id! });
    expect(r.dossiers).toHaveLength(1);
    expect(r.dossiers.flatMap((d) => d.failures)).toEqual([]);
  });
});
