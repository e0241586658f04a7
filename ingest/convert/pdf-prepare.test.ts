// PDF preparation: active content is found (also when hidden in object streams or behind name
// escapes), embedded files come out byte for byte, and the prepared copy has no JavaScript,
// actions, embedded files or interactive fields left. Generated counter-examples, and real files
// of the realworld-dev corpus when /work/shared is there.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PDFDocument, PDFName, PDFString, StandardFonts } from 'pdf-lib';
import { findTool } from '../../common/process';
import { inspectPdf, preparePdf, extractEmbeddedFiles } from './pdf-prepare';
import { pdfText } from './test-helpers';

const haveQpdf = !!(await findTool('qpdf'));
const CORPUS = process.env.MURAGAT_REALWORLD_DIR ?? '/work/shared/corpus/realworld-dev';
const haveCorpus = existsSync(path.join(CORPUS, 'pdf'));

let dir: string;
const ATTACHMENT = Buffer.from('Қосымша: тізімдеме, 12 парақ.\n');

/** A PDF with everything an archive must not keep live: JavaScript, a launch action, an attachment, a filled form field. */
async function activePdf(options: { objectStreams: boolean }): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([400, 300]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  page.drawText('Visible body text of the letter', { x: 30, y: 250, size: 12, font });
  await doc.attach(ATTACHMENT, 'inventory.txt', { mimeType: 'text/plain', description: 'inventory' });
  const ctx = doc.context;
  const js = ctx.obj({ S: 'JavaScript', JS: PDFString.of('app.alert("hi")') });
  doc.catalog.set(PDFName.of('OpenAction'), ctx.register(js));
  const launch = ctx.obj({ Type: 'Action', S: 'Launch', F: PDFString.of('cmd.exe') });
  page.node.set(PDFName.of('AA'), ctx.obj({ O: ctx.register(launch) }));
  const form = doc.getForm();
  const field = form.createTextField('case_number');
  field.setText('Case 47');
  field.addToPage(page, { x: 30, y: 150, width: 200, height: 24, font });
  return doc.save({ useObjectStreams: options.objectStreams });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-prepare-'));
  await writeFile(path.join(dir, 'active.pdf'), await activePdf({ objectStreams: false }));
  await writeFile(path.join(dir, 'active-objstm.pdf'), await activePdf({ objectStreams: true }));
  // The same names spelled with #xx escapes, which a byte search would miss.
  const plain = Buffer.from(await activePdf({ objectStreams: false })).toString('latin1');
  await writeFile(path.join(dir, 'escaped.pdf'), Buffer.from(plain.replace('/JavaScript', '/J#61vaScript').replace('/Launch', '/L#61unch'), 'latin1'));
  const quiet = await PDFDocument.create();
  quiet.addPage([200, 200]).drawText('Nothing active here', { x: 10, y: 100, font: await quiet.embedFont(StandardFonts.Helvetica) });
  await writeFile(path.join(dir, 'quiet.pdf'), await quiet.save());
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!haveQpdf)('inspectPdf and preparePdf on generated files', () => {
  for (const name of ['active.pdf', 'active-objstm.pdf', 'escaped.pdf']) {
    it(`lists the active content of ${name}`, async () => {
      const i = await inspectPdf(path.join(dir, name));
      expect(i).not.toBeNull();
      const kinds = Object.fromEntries(i!.activeContent.map((a) => [a.kind, a]));
      expect(kinds.javascript?.count).toBeGreaterThanOrEqual(1);
      expect(kinds['launch-action']?.names).toEqual(['cmd.exe']);
      expect(kinds['embedded-file']?.names).toEqual(['inventory.txt']);
      expect(kinds.form?.count).toBe(1);
      expect(i!.needsPreparation).toBe(true);
    });
  }

  it('reports nothing for a PDF without active content', async () => {
    const i = await inspectPdf(path.join(dir, 'quiet.pdf'));
    expect(i).toMatchObject({ activeContent: [], needsPreparation: false });
  });

  it('extracts embedded files byte for byte under a safe name', async () => {
    const i = (await inspectPdf(path.join(dir, 'active-objstm.pdf')))!;
    const files = await extractEmbeddedFiles(path.join(dir, 'active-objstm.pdf'), i, path.join(dir, 'embedded'));
    expect(files.map((f) => ({ name: f.name, base: path.basename(f.path), size: f.size }))).toEqual([{ name: 'inventory.txt', base: '1-inventory.txt', size: ATTACHMENT.length }]);
    expect(await readFile(files[0]!.path)).toEqual(ATTACHMENT);
  });

  it('writes a prepared copy without active content, the form value flattened into the page, the original untouched', async () => {
    const original = await readFile(path.join(dir, 'escaped.pdf'));
    const i = (await inspectPdf(path.join(dir, 'escaped.pdf')))!;
    const out = path.join(dir, 'prepared.pdf');
    expect(await preparePdf(path.join(dir, 'escaped.pdf'), i, out)).toEqual({ ok: true });
    expect(await readFile(path.join(dir, 'escaped.pdf'))).toEqual(original);
    const after = (await inspectPdf(out))!;
    expect(after.activeContent).toEqual([]);
    const text = await pdfText(out);
    expect(text).toContain('Visible body text of the letter');
    expect(text).toContain('47');
  });

  it('returns null for a file qpdf cannot read at all', async () => {
    await writeFile(path.join(dir, 'garbage.pdf'), 'not a pdf at all');
    expect(await inspectPdf(path.join(dir, 'garbage.pdf'))).toBeNull();
  });
});

describe.skipIf(!haveQpdf || !haveCorpus)(`real files (${CORPUS})`, () => {
  it('finds the LaTeX associated files of bug1937438_af_from_latex.pdf and removes them', async () => {
    const file = path.join(CORPUS, 'pdf/bug1937438_af_from_latex.pdf');
    const i = (await inspectPdf(file))!;
    const embedded = i.activeContent.find((a) => a.kind === 'embedded-file');
    expect(embedded?.count).toBeGreaterThanOrEqual(4);
    expect(embedded?.names).toContain('tag-AFfile4.tex');
    const files = await extractEmbeddedFiles(file, i, path.join(dir, 'af'));
    expect(files.length).toBe(embedded!.count);
    expect(await preparePdf(file, i, path.join(dir, 'af.pdf'))).toEqual({ ok: true });
    expect((await inspectPdf(path.join(dir, 'af.pdf')))!.activeContent).toEqual([]);
  });

  it('finds the JavaScript and XFA form of xfa_issue14315.pdf', async () => {
    const i = (await inspectPdf(path.join(CORPUS, 'pdf/xfa_issue14315.pdf')))!;
    expect(i.activeContent.map((a) => a.kind).sort()).toEqual(['form', 'javascript']);
    expect(i.activeContent.find((a) => a.kind === 'form')?.names).toEqual(['XFA']);
  });
}, 120_000);

describe.skipIf(haveCorpus)('real files', () => {
  it.skip(`skipped: the realworld-dev corpus is not at ${CORPUS} (set MURAGAT_REALWORLD_DIR)`, () => {});
});
