import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, PDFDict, PDFName, PDFRawStream, StandardFonts } from 'pdf-lib';
import { createPdfaDocument, savePdfA, sharedFontkit } from './pdfa-writer';
import { renderPdfA, textToPdfA, wrapText } from './index';
import { expectPdfA1b, pdfText, KAZAKH_LETTERS, KAZAKH_SAMPLE } from './test-helpers';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-pdfa-writer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('wrapText', () => {
  it('wraps on spaces, splits over-long words and keeps empty lines', async () => {
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    const lines = wrapText(font, 10, 'aaa bbb ccc\n\n' + 'x'.repeat(100), 60);
    for (const l of lines) expect(font.widthOfTextAtSize(l, 10)).toBeLessThanOrEqual(60);
    expect(lines[0]).toBe('aaa bbb ccc'.slice(0, lines[0]!.length));
    expect(lines).toContain('');
    expect(lines.join('').replace(/\s/g, '')).toBe(('aaabbbccc' + 'x'.repeat(100)));
  });
});

describe('fonts parsed once per process', () => {
  async function page(kit: typeof sharedFontkit, lines: string[]): Promise<Buffer> {
    const { doc, regular, bold } = await createPdfaDocument({ fontkit: kit });
    const p = doc.addPage([595, 842]);
    lines.forEach((line, i) => {
      p.drawText(line, { x: 50, y: 780 - 40 * i, size: 11, font: regular });
      p.drawText(line.toUpperCase(), { x: 50, y: 760 - 40 * i, size: 11, font: bold });
    });
    return Buffer.from(await savePdfA(doc, { title: 'fonts', date: new Date('2026-01-15T10:00:00Z') }));
  }

  it('writes the same bytes as a fresh parse, and no glyph state leaks between documents', async () => {
    // Latin script, so fontkit forms the "fi" ligature; Kazakh in its own run.
    const lines = ['Archive file fi ffi fl', 'Мұрағат құжаты — Архив 2025'];
    const fresh = await page(fontkit, lines);
    // Another document first reaches the "fi" ligature glyph through U+FB01: with a shared
    // glyph cache that code point would leak into the next document's ToUnicode map.
    await page(sharedFontkit, ['a \ufb01 b', 'ӘӨ']);
    expect((await page(sharedFontkit, lines)).equals(fresh)).toBe(true);
    expect((await page(sharedFontkit, lines)).equals(fresh)).toBe(true);
  });
});

describe('PDF/A-1b writer', () => {
  it('writes Kazakh text as PDF/A-1b with XMP matching Info, OutputIntent, ID and CIDSet', async () => {
    const file = path.join(dir, 'kk.pdf');
    const date = new Date('2026-01-15T10:00:00Z');
    await writeFile(file, await textToPdfA(KAZAKH_SAMPLE + 'сөз '.repeat(3000), { title: 'Бұйрық № 12', date }));
    await expectPdfA1b(file);
    const text = await pdfText(file);
    for (const letter of KAZAKH_LETTERS) expect(text).toContain(letter);
    expect(text).toContain('Ведомственный архив');

    const doc = await PDFDocument.load(await readFile(file), { updateMetadata: false });
    expect(doc.getPageCount()).toBeGreaterThan(1); // 3000 words paginate
    expect(doc.getTitle()).toBe('Бұйрық № 12');
    expect(doc.getProducer()).toBe('Muragat');
    expect(doc.getCreationDate()?.toISOString()).toBe(date.toISOString());
    const xmpRef = doc.catalog.get(PDFName.of('Metadata'));
    const xmp = Buffer.from((doc.context.lookup(xmpRef) as PDFRawStream).contents).toString('utf8');
    expect(xmp).toContain('<rdf:li xml:lang="x-default">Бұйрық № 12</rdf:li>');
    expect(xmp).toContain('<xmp:CreateDate>2026-01-15T10:00:00Z</xmp:CreateDate>');
    expect(xmp).toContain('<pdf:Producer>Muragat</pdf:Producer>');
    // Every embedded TrueType subset carries a CIDSet covering exactly its glyphs.
    let descriptors = 0;
    for (const [, obj] of doc.context.enumerateIndirectObjects()) {
      if (!(obj instanceof PDFDict) || obj.get(PDFName.of('Type')) !== PDFName.of('FontDescriptor')) continue;
      descriptors++;
      const cidset = doc.context.lookup(obj.get(PDFName.of('CIDSet'))) as PDFRawStream;
      const bits = inflateSync(cidset.contents);
      expect(bits[0]! & 0x80).toBe(0x80); // .notdef (CID 0) present
    }
    expect(descriptors).toBeGreaterThan(0);
  });

  it('renders an internal inventory with a table spanning pages, headings and signature lines', async () => {
    const file = path.join(dir, 'inventory.pdf');
    const rows = Array.from({ length: 70 }, (_, i) => [String(i + 1), `12-${i}`, `Бұйрық №${i} құжаттарды қабылдау туралы ${'ұзақ мәтін '.repeat(i % 5)}`, '2025-03-01', String(i + 2)]);
    const bytes = await renderPdfA({
      title: 'Істің ішкі тізімдемесі',
      language: 'kk',
      blocks: [
        { kind: 'heading', text: 'ІСТІҢ ІШКІ ТІЗІМДЕМЕСІ' },
        { kind: 'paragraph', text: '№ 03-12 іс, 1-том', align: 'center' },
        { kind: 'heading', text: 'Құжаттар', level: 2 },
        {
          kind: 'table',
          columns: [
            { title: '№', width: 1, align: 'right' },
            { title: 'Құжаттың индексі', width: 2 },
            { title: 'Құжаттың атауы', width: 7 },
            { title: 'Күні', width: 2 },
            { title: 'Парақтар', width: 1.5, align: 'right' },
          ],
          rows,
        },
        { kind: 'spacer', height: 12 },
        { kind: 'signatures', lines: [{ role: 'Іс жүргізуші', name: 'Ә. Сәрсенбаев' }, { role: 'Бөлім басшысы' }] },
      ],
    });
    await writeFile(file, bytes);
    await expectPdfA1b(file);
    const doc = await PDFDocument.load(bytes);
    expect(doc.getPageCount()).toBeGreaterThan(1);
    const text = await pdfText(file);
    expect(text).toContain('ІСТІҢ ІШКІ ТІЗІМДЕМЕСІ');
    expect(text).toContain('Бұйрық №69');
    expect(text).toContain('Ә. Сәрсенбаев');
    // The header row repeats on the continuation pages.
    const headers = text.split('Құжаттың атауы').length - 1;
    expect(headers).toBeGreaterThanOrEqual(2);
    expect(headers).toBeLessThanOrEqual(doc.getPageCount());
  });

  it('writes Russian documents too and replaces glyphs the font lacks', async () => {
    const file = path.join(dir, 'ru.pdf');
    await writeFile(file, await renderPdfA({ title: 'Опись', language: 'ru', blocks: [{ kind: 'paragraph', text: 'Опись дел постоянного хранения 漢字' }] }));
    await expectPdfA1b(file);
    const text = await pdfText(file);
    expect(text).toContain('Опись дел постоянного хранения ??');
  });
});
