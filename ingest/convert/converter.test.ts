// Real conversions: one LibreOffice run makes the office inputs from a Kazakh text, one batched
// run converts them; images, text and PDF go through pdf-lib and Ghostscript.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile, rm, writeFile, mkdir, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PDFDocument, rgb } from 'pdf-lib';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { GifWriter } from 'omggif';
import UTIF from 'utif';
import { zipSync, strToU8 } from 'fflate';
import { findTool, runProcess } from '../../common/process';
import { identifyFormat } from '../scan/index';
import { createConverter, checkReproducibility, type Converter } from './index';
import { expectPdfA1b, pdfText, KAZAKH_LETTERS, KAZAKH_SAMPLE } from './test-helpers';

const haveSoffice = !!(await findTool('soffice'));
const haveGs = !!(await findTool('gs'));

let dir: string;
let converter: Converter;
const input = (name: string) => path.join(dir, 'in', name);
const output = (name: string) => path.join(dir, 'out', `${name}.pdf`);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-convert-'));
  await mkdir(path.join(dir, 'in'));
  converter = createConverter({ workDir: path.join(dir, 'work'), timeoutMs: 120_000 });
});
afterAll(async () => {
  await converter.close();
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!haveSoffice)('office documents through LibreOffice', () => {
  beforeAll(async () => {
    // Inputs made by LibreOffice itself from a Kazakh text and a CSV (one soffice run each).
    const src = path.join(dir, 'src');
    await mkdir(src);
    await writeFile(path.join(src, 'kazakh.txt'), KAZAKH_SAMPLE);
    await writeFile(path.join(src, 'table.csv'), 'Индекс,Атауы,Жылы\n03-12,Бұйрықтар жиынтығы,2025\n03-13,Хаттамалар,2025\n');
    const soffice = (await findTool('soffice'))!;
    const profile = `-env:UserInstallation=file://${path.join(dir, 'gen-profile')}`;
    for (const [target, file] of [['docx:MS Word 2007 XML', 'kazakh.txt'], ['odt', 'kazakh.txt'], ['xlsx:Calc MS Excel 2007 XML', 'table.csv']] as const) {
      const args = ['--headless', '--norestore', profile, '--convert-to', target, '--outdir', src, path.join(src, file)];
      if (file.endsWith('.csv')) args.splice(3, 0, '--infilter=CSV:44,34,76,1');
      const r = await runProcess(soffice, args, { timeoutMs: 180_000 });
      expect(r.code, r.stderr).toBe(0);
    }
    await copyFile(path.join(src, 'kazakh.docx'), input('приказ.docx'));
    await copyFile(path.join(src, 'kazakh.odt'), input('kazakh.odt'));
    await copyFile(path.join(src, 'table.xlsx'), input('table.xlsx'));
    // Same base name as the DOCX in another folder: batch staging must not mix them up.
    await mkdir(input('sub'));
    await copyFile(path.join(src, 'kazakh.docx'), input('sub/приказ.docx'));
    // RTF with Kazakh letters as \\u escapes, named .doc as a transferring office might.
    const rtfText = 'Мұрағат Әә Ғғ Ққ Ңң Өө Ұұ Үү Һһ Іі';
    await writeFile(input('letter.doc'), `{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 DejaVu Sans;}}\\f0 ${[...rtfText].map((c) => (c === ' ' ? ' ' : `\\u${c.codePointAt(0)}?`)).join('')}\\par}`);
    // A "DOCX" whose package parts are garbage.
    await writeFile(input('corrupt.docx'), zipSync({ '[Content_Types].xml': strToU8('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'), 'word/document.xml': strToU8('<<<not xml at all') }));
  }, 300_000);

  it('converts DOCX, ODT and XLSX in one batch to PDF/A-1b keeping the Kazakh text; a corrupt DOCX fails alone', async () => {
    const names = ['приказ.docx', 'kazakh.odt', 'table.xlsx', 'sub/приказ.docx', 'corrupt.docx', 'letter.doc'];
    const items = await Promise.all(names.map(async (n, i) => ({ path: input(n), format: await identifyFormat(input(n)), outPath: output(`office-${i}`) })));
    expect(items.map((i) => i.format.name)).toEqual(['DOCX', 'ODT', 'XLSX', 'DOCX', 'DOCX', 'RTF']);
    expect(items[5]!.format.extensionMatches).toBe(false);
    const done: number[] = [];
    const started = Date.now();
    const results = await converter.convertMany(items, (i) => done.push(i));
    console.log(`LibreOffice batch of ${items.length}: ${Date.now() - started} ms`);
    expect(done.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (const i of [0, 1, 2, 3, 5]) {
      const r = results[i]!;
      expect(r, JSON.stringify(r)).toMatchObject({ ok: true, method: 'libreoffice', output: items[i]!.outPath, problems: [] });
      expect(r.tool.name).toBe('LibreOffice');
      expect(r.tool.version).toMatch(/\d+\.\d+/);
      await expectPdfA1b(r.output!);
    }
    for (const i of [0, 1, 3, 5]) {
      const text = await pdfText(results[i]!.output!);
      for (const letter of KAZAKH_LETTERS) expect(text).toContain(letter);
    }
    expect(await pdfText(results[2]!.output!)).toContain('Бұйрықтар жиынтығы');
    const bad = results[4]!;
    expect(bad.ok).toBe(false);
    expect(bad.output).toBeUndefined();
    expect(['corrupt_input', 'conversion_failed']).toContain(bad.problems[0]?.code);
    expect(bad.problems[0]?.message).toMatch(/\S/);
    // The original is untouched.
    expect((await readFile(input('corrupt.docx'))).length).toBeGreaterThan(0);

    const repro = await checkReproducibility(items[0]!.path, items[0]!.format, results[0]!.output!);
    expect(repro).toMatchObject({ ok: true, renders: true, textMatches: true, problems: [] });
    const reproOdt = await checkReproducibility(items[1]!.path, items[1]!.format, results[1]!.output!);
    expect(reproOdt).toMatchObject({ ok: true, renders: true, textMatches: true });
    expect(await checkReproducibility(items[2]!.path, items[2]!.format, results[2]!.output!)).toMatchObject({ ok: true, textMatches: true });
    // A rendition of a different document does not match the source text.
    const wrong = await checkReproducibility(items[0]!.path, items[0]!.format, results[2]!.output!);
    expect(wrong).toMatchObject({ ok: false, renders: true, textMatches: false });
    expect(wrong.problems[0]?.code).toBe('repro_passage_missing');
  }, 600_000);
});

describe('text and images through pdf-lib', () => {
  it('converts Kazakh UTF-8 text and Windows-1251 Russian text', async () => {
    await writeFile(input('kk.txt'), KAZAKH_SAMPLE);
    await writeFile(input('ru.txt'), Buffer.from([0xcf, 0xf0, 0xe8, 0xea, 0xe0, 0xe7, 0x20, 0xb9, 0x20, 0x31, 0x32, 0x20, 0xee, 0x20, 0xe0, 0xf0, 0xf5, 0xe8, 0xe2, 0xe5, 0x0a]));
    for (const name of ['kk.txt', 'ru.txt']) {
      const format = await identifyFormat(input(name));
      const r = await converter.convert({ path: input(name), format }, output(name));
      expect(r).toMatchObject({ ok: true, method: 'pdf-lib', problems: [] });
      expect(r.tool).toMatchObject({ name: 'pdf-lib' });
      await expectPdfA1b(r.output!);
      const repro = await checkReproducibility(input(name), format, r.output!);
      expect(repro).toMatchObject({ ok: true, renders: true, textMatches: true });
    }
    const kk = await pdfText(output('kk.txt'));
    for (const letter of KAZAKH_LETTERS) expect(kk).toContain(letter);
    expect(await pdfText(output('ru.txt'))).toContain('Приказ № 12 о архиве');
  });

  it('converts PNG (with alpha), JPEG, TIFF and GIF without transparency', async () => {
    const w = 40, h = 30;
    const png = new PNG({ width: w, height: h });
    for (let i = 0; i < w * h; i++) png.data.set([200, 30, 30, i % 2 ? 255 : 80], i * 4);
    await writeFile(input('img.png'), PNG.sync.write(png));
    const rgba = Buffer.alloc(w * h * 4, 180);
    await writeFile(input('img.jpg'), jpeg.encode({ data: rgba, width: w, height: h }, 85).data);
    const tiff = UTIF.encodeImage(new Uint8Array(rgba).buffer, w, h);
    await writeFile(input('img.tif'), Buffer.from(tiff));
    const gif = Buffer.alloc(4096);
    const gw = new GifWriter(gif, w, h, { palette: [0x000000, 0xff0000] });
    gw.addFrame(0, 0, w, h, Array.from({ length: w * h }, (_, i) => i % 2));
    await writeFile(input('img.gif'), gif.subarray(0, gw.end()));
    for (const name of ['img.png', 'img.jpg', 'img.tif', 'img.gif']) {
      const format = await identifyFormat(input(name));
      expect(format.family).toBe('image');
      const r = await converter.convert({ path: input(name), format }, output(name));
      expect(r, name).toMatchObject({ ok: true, method: 'pdf-lib', problems: [] });
      await expectPdfA1b(r.output!);
      const bytes = (await readFile(r.output!)).toString('latin1');
      expect(bytes).not.toMatch(/\/SMask|\/CA\s|\/ca\s|\/Group/);
      const repro = await checkReproducibility(input(name), format, r.output!);
      expect(repro).toMatchObject({ ok: true, renders: true, textMatches: null });
    }
  });

  it('reports an undecodable image instead of throwing', async () => {
    await writeFile(input('broken.png'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(50, 7)]));
    const r = await converter.convert({ path: input('broken.png'), format: await identifyFormat(input('broken.png')) }, output('broken'));
    expect(r.ok).toBe(false);
    expect(r.problems[0]?.code).toBe('image_decode_failed');
  });
});

describe.skipIf(!haveGs)('PDF through Ghostscript', () => {
  it('converts a plain PDF to PDF/A-1b, keeps an existing PDF/A-1b and refuses an encrypted PDF', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage([595, 842]);
    page.drawText('Archive record 2025', { x: 50, y: 780, size: 18 });
    page.drawRectangle({ x: 50, y: 600, width: 200, height: 100, color: rgb(0.2, 0.4, 0.8) });
    await writeFile(input('plain.pdf'), await doc.save());
    const format = await identifyFormat(input('plain.pdf'));
    expect(format.name).toBe('PDF');
    const r = await converter.convert({ path: input('plain.pdf'), format }, output('plain'));
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true, method: 'ghostscript', problems: [] });
    expect(r.tool.name).toBe('Ghostscript');
    await expectPdfA1b(r.output!);
    expect(await checkReproducibility(input('plain.pdf'), format, r.output!)).toMatchObject({ ok: true, renders: true, textMatches: true });

    const pdfaFormat = await identifyFormat(r.output!);
    expect(pdfaFormat.name).toBe('PDF/A-1b');
    const kept = await converter.convert({ path: r.output!, format: pdfaFormat }, output('kept'));
    expect(kept).toMatchObject({ ok: true, method: 'kept-pdfa' });
    expect(Buffer.compare(await readFile(kept.output!), await readFile(r.output!))).toBe(0);

    const qpdf = await findTool('qpdf');
    if (qpdf) {
      await runProcess(qpdf, ['--encrypt', 'u', 'o', '256', '--', input('plain.pdf'), input('locked.pdf')]);
      const locked = await identifyFormat(input('locked.pdf'));
      const refused = await converter.convert({ path: input('locked.pdf'), format: locked }, output('locked'));
      expect(refused).toMatchObject({ ok: false, method: 'ghostscript' });
      expect(refused.problems.map((p) => p.code)).toEqual(['encrypted']);
    }
  }, 120_000);

  it('flags the text loss when Ghostscript has to flatten transparency (PDF/A-1 forbids it)', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage([595, 842]);
    page.drawText('Transparent record 2025', { x: 50, y: 780, size: 18 });
    page.drawRectangle({ x: 50, y: 600, width: 200, height: 100, color: rgb(0.2, 0.4, 0.8), opacity: 0.5 });
    await writeFile(input('transparent.pdf'), await doc.save());
    const format = await identifyFormat(input('transparent.pdf'));
    const r = await converter.convert({ path: input('transparent.pdf'), format }, output('transparent'));
    expect(r.ok).toBe(true);
    await expectPdfA1b(r.output!);
    // gs rasterises pages with transparency, so its rendition renders but its text is gone; the
    // reproducibility check notices, and the converter falls back to page images of the original
    // (recorded as such, the text check then not applicable).
    expect(r.attempts?.[0]?.route).toBe('ghostscript');
    expect(r.attempts?.[0]?.problems[0]?.code).toMatch(/^repro_/);
    expect(r).toMatchObject({ route: 'page-images', imageRendition: true, checks: { reproducibility: { ok: true, textMatches: null } } });
    const repro = await checkReproducibility(input('transparent.pdf'), format, r.output!);
    expect(repro).toMatchObject({ ok: false, renders: true, textMatches: false });
  }, 600_000);

  it('reports a damaged PDF as a failure with the reason', async () => {
    await writeFile(input('damaged.pdf'), '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\ngarbage\n%%EOF\n');
    const r = await converter.convert({ path: input('damaged.pdf'), format: await identifyFormat(input('damaged.pdf')) }, output('damaged'));
    expect(r.ok).toBe(false);
    expect(r.problems[0]?.code).toBe('conversion_failed');
  }, 60_000);
});

describe('refusals before any tool runs', () => {
  it('refuses encrypted office files and unsupported formats with a clear code', async () => {
    const { buildOdt, buildCfb } = await import('../scan/fixtures');
    await writeFile(input('secret.odt'), buildOdt(true));
    await writeFile(input('secret.docx'), buildCfb([{ name: 'EncryptionInfo', data: Buffer.alloc(4096, 1) }, { name: 'EncryptedPackage', data: Buffer.alloc(4096, 2) }]));
    await writeFile(input('a.zip'), zipSync({ 'a.txt': strToU8('x') }));
    const results = await converter.convertMany(
      await Promise.all(['secret.odt', 'secret.docx', 'a.zip'].map(async (n) => ({ path: input(n), format: await identifyFormat(input(n)), outPath: output(n) }))),
    );
    expect(results.map((r) => r.problems[0]?.code)).toEqual(['encrypted', 'encrypted', 'unsupported_format']);
    expect(results.every((r) => !r.ok)).toBe(true);
  });
});
