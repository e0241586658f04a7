// The copy Poppler reads for text: the catalog without OutputIntents, appended as an incremental
// update; every word and box as in the original, and files it does not read simply left alone.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PDFDocument, PDFName } from 'pdf-lib';
import { findTool } from '../../common/process';
import { runTool } from './tool-runner';
import { textToPdfA } from './layout';
import { copyWithoutOutputIntents, withoutOutputIntents } from './poppler-input';

const pdftotext = await findTool('pdftotext');
const TEXT = 'Мұрағат қорына қабылданған құжаттардың тізімдемесі.\nОпись дел постоянного хранения за 2025 год.\n';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-poppler-input-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function words(file: string): Promise<string> {
  const out = path.join(dir, `${path.basename(file)}.html`);
  const r = await runTool(pdftotext!, ['-bbox-layout', '-enc', 'UTF-8', file, out], { timeoutMs: 60_000 });
  expect(r.code).toBe(0);
  expect(r.stderr).not.toMatch(/error/i); // no cross-reference repair
  return readFile(out, 'utf8');
}

describe('withoutOutputIntents', () => {
  it('cuts a reference or an array of references and nothing else', () => {
    expect(withoutOutputIntents('<< /Type /Catalog /OutputIntents [ 5 0 R 6 0 R ] /Pages 3 0 R >>')).toBe('<< /Type /Catalog  /Pages 3 0 R >>');
    expect(withoutOutputIntents('<</Type/Catalog/OutputIntents 7 0 R/Pages 3 0 R>>')).toBe('<</Type/Catalog/Pages 3 0 R>>');
  });

  it('leaves a catalog without the entry, or with an inline intent, to be read as it is', () => {
    expect(withoutOutputIntents('<< /Type /Catalog /Pages 3 0 R >>')).toBeNull();
    expect(withoutOutputIntents('<< /Type /Catalog /OutputIntents [ << /S /GTS_PDFA1 /Info (sRGB ]) >> ] >>')).toBeNull();
  });
});

describe.skipIf(!pdftotext)('copyWithoutOutputIntents', () => {
  it('gives Poppler the same words and boxes from a PDF/A rendition without its OutputIntent', async () => {
    const file = path.join(dir, 'rendition.pdf');
    await writeFile(file, await textToPdfA(TEXT.repeat(40), { title: 'опись' }));
    const lean = path.join(dir, 'lean.pdf');
    expect(await copyWithoutOutputIntents(file, lean)).toBe(true);
    // The original bytes come first, unchanged: an incremental update.
    const [before, after] = [await readFile(file), await readFile(lean)];
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    const doc = await PDFDocument.load(after, { updateMetadata: false });
    expect(doc.catalog.has(PDFName.of('OutputIntents'))).toBe(false);
    expect((await PDFDocument.load(before, { updateMetadata: false })).catalog.has(PDFName.of('OutputIntents'))).toBe(true);
    expect(await words(lean)).toBe(await words(file));
  });

  it('leaves alone a file with a cross-reference stream or without an OutputIntent', async () => {
    const plain = await PDFDocument.create();
    plain.addPage();
    const streams = path.join(dir, 'xref-stream.pdf');
    await writeFile(streams, await plain.save({ useObjectStreams: true }));
    expect(await copyWithoutOutputIntents(streams, path.join(dir, 'x.pdf'))).toBe(false);
    const classic = path.join(dir, 'classic.pdf');
    await writeFile(classic, await plain.save({ useObjectStreams: false }));
    expect(await copyWithoutOutputIntents(classic, path.join(dir, 'y.pdf'))).toBe(false);
    await writeFile(path.join(dir, 'junk.pdf'), 'not a pdf');
    expect(await copyWithoutOutputIntents(path.join(dir, 'junk.pdf'), path.join(dir, 'z.pdf'))).toBe(false);
  });
});
