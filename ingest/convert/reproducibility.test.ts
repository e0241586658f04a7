// The reproducibility check itself: a rendition that does not render fails whatever its text,
// one that renders passes only when the source's words are found in it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findTool } from '../../common/process';
import type { FormatId } from '../scan/index';
import { checkReproducibility, textToPdfA } from './index';
import { wordprocessingText, spreadsheetText, slideText, parseBboxLayout, odfBodyText } from './reproducibility';

const havePoppler = !!(await findTool('pdftoppm')) && !!(await findTool('pdftotext'));
const txt: FormatId = { mime: 'text/plain', name: 'TXT', version: 'UTF-8', family: 'text', extensionMatches: true, encrypted: false, problems: [] };
const png: FormatId = { mime: 'image/png', name: 'PNG', family: 'image', extensionMatches: true, encrypted: false, problems: [] };
const SOURCE = 'Мұрағат қорына қабылданған құжаттардың тізімдемесі. Жеке құрам бойынша бұйрықтар жиынтығы 2025 жыл.\n';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-repro-'));
  await writeFile(path.join(dir, 'source.txt'), SOURCE);
  await writeFile(path.join(dir, 'other.txt'), 'Совершенно другой документ о поставке канцелярских товаров.\n');
  await writeFile(path.join(dir, 'good.pdf'), await textToPdfA(SOURCE, { title: 'source' }));
  await writeFile(path.join(dir, 'broken.pdf'), '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!havePoppler)('checkReproducibility', () => {
  it('accepts a rendition that renders and contains the source text', async () => {
    expect(await checkReproducibility(path.join(dir, 'source.txt'), txt, path.join(dir, 'good.pdf'))).toMatchObject({ ok: true, renders: true, textMatches: true, problems: [], comparison: { missingWords: 0 } });
  });

  it('rejects a rendition of another text', async () => {
    const r = await checkReproducibility(path.join(dir, 'other.txt'), txt, path.join(dir, 'good.pdf'));
    expect(r).toMatchObject({ ok: false, renders: true, textMatches: false });
    expect(r.problems.map((p) => p.code)).toEqual(['repro_passage_missing']);
  });

  it('gives only the verdict when asked: a rendition that lost the text is not rendered as well', async () => {
    // A further route's check (the converter's verdictOnly): same verdict, no render, renders unknown.
    const r = await checkReproducibility(path.join(dir, 'other.txt'), txt, path.join(dir, 'good.pdf'), { renderWhenTextDiffers: false });
    expect(r).toMatchObject({ ok: false, renders: null, textMatches: false });
    expect(r.problems.map((p) => p.code)).toEqual(['repro_passage_missing']);
    // A rendition with the text still passes, and one with no text to compare is still rendered.
    expect(await checkReproducibility(path.join(dir, 'source.txt'), txt, path.join(dir, 'good.pdf'), { renderWhenTextDiffers: false })).toMatchObject({ ok: true, renders: true, textMatches: true });
    expect(await checkReproducibility(path.join(dir, 'nothing.png'), png, path.join(dir, 'broken.pdf'), { renderWhenTextDiffers: false })).toMatchObject({ ok: false, renders: false });
  });

  it('rejects a rendition whose first page does not render', async () => {
    const r = await checkReproducibility(path.join(dir, 'source.txt'), txt, path.join(dir, 'broken.pdf'));
    expect(r.ok).toBe(false);
    expect(r.renders).toBe(false);
    expect(r.problems[0]?.code).toBe('repro_not_rendered');
  });

  it('checks only the render for sources without text (images)', async () => {
    expect(await checkReproducibility(path.join(dir, 'nothing.png'), png, path.join(dir, 'good.pdf'))).toEqual({ ok: true, renders: true, textMatches: null, problems: [] });
    expect(await checkReproducibility(path.join(dir, 'nothing.png'), png, path.join(dir, 'broken.pdf'))).toMatchObject({ ok: false, renders: false });
  });
});

describe('wordprocessingText (DOCX source text)', () => {
  it('joins the runs of a paragraph without a space, a word split over runs stays one word', () => {
    const xml = '<w:body><w:p><w:r><w:t>Мұра</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>ғат</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve"> қоры</w:t></w:r></w:p><w:p><w:r><w:t>2025</w:t></w:r></w:p></w:body>';
    expect(wordprocessingText(xml)).toBe('Мұрағат  қоры\n2025');
  });

  it('leaves out hidden runs and the VML fallback copy of a text box', () => {
    const xml = '<w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>hidden</w:t></w:r><w:r><w:t>shown</w:t></w:r>'
      + '<mc:AlternateContent><mc:Choice><w:r><w:t>box</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>box</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>';
    expect(wordprocessingText(xml)).toBe('shownbox');
  });

  it('decodes entities', () => {
    expect(wordprocessingText('<w:p><w:r><w:t>A &amp; B &#1178;&#x049B;</w:t></w:r></w:p>')).toBe('A & B Ққ');
  });
});

describe.skipIf(!havePoppler)('checkReproducibility of page-image renditions', () => {
  it('checks only the render and says so', async () => {
    const r = await checkReproducibility(path.join(dir, 'other.txt'), txt, path.join(dir, 'good.pdf'), { imageRendition: true });
    expect(r).toEqual({ ok: true, renders: true, textMatches: null, problems: [], imageRendition: true });
  });

  it('fails a page-image rendition that does not render', async () => {
    expect(await checkReproducibility(path.join(dir, 'other.txt'), txt, path.join(dir, 'broken.pdf'), { imageRendition: true })).toMatchObject({ ok: false, renders: false });
  });
});

describe('spreadsheetText (XLSX source text)', () => {
  it('takes the shared strings cells of visible sheets use, and inline strings', () => {
    const parts = new Map<string, string>([
      ['xl/workbook.xml', '<workbook><sheets><sheet name="A" sheetId="1" r:id="rId1"/><sheet name="B" sheetId="2" state="hidden" r:id="rId2"/></sheets></workbook>'],
      ['xl/_rels/workbook.xml.rels', '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Target="/xl/worksheets/sheet2.xml"/></Relationships>'],
      ['xl/sharedStrings.xml', '<sst><si><t>Бұйрықтар</t></si><si><t>unused &amp; never printed</t></si><si><r><t>Хатта</t></r><r><t>малар</t></r></si><si><t>on the hidden sheet</t></si></sst>'],
      ['xl/worksheets/sheet1.xml', '<sheetData><row><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>2</v></c><c r="C1" t="inlineStr"><is><t>inline 7</t></is></c><c r="D1"><v>2025</v></c></row></sheetData>'],
      ['xl/worksheets/sheet2.xml', '<sheetData><row><c r="A1" t="s"><v>3</v></c></row></sheetData>'],
    ]);
    expect(spreadsheetText(parts)).toBe('Бұйрықтар\nХаттамалар\ninline 7');
  });
});

describe('slideText (PPTX source text)', () => {
  it('takes the text runs only, not style ids', () => {
    const xml = '<p:sld><a:tbl><a:tblPr><a:tableStyleId>{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}</a:tableStyleId></a:tblPr>'
      + '<a:p><a:r><a:t>Қорытынды</a:t></a:r><a:br/><a:r><a:t>2025 &amp; 2026</a:t></a:r></a:p></a:tbl></p:sld>';
    expect(slideText(xml)).toBe('Қорытынды\n2025 & 2026\n');
  });
});

describe('spreadsheetText print areas', () => {
  it('leaves out cells outside the sheet\'s print area', () => {
    const parts = new Map<string, string>([
      ['xl/workbook.xml', '<workbook><sheets><sheet name="1" sheetId="18" r:id="rId1"/></sheets><definedNames><definedName name="_xlnm.Print_Area" localSheetId="0">\'1\'!$A$1:$J$78</definedName></definedNames></workbook>'],
      ['xl/_rels/workbook.xml.rels', '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'],
      ['xl/sharedStrings.xml', '<sst><si><t>Printed</t></si><si><t>YES</t></si></sst>'],
      ['xl/worksheets/sheet1.xml', '<sheetData><row r="5"><c r="F5" t="s"><v>0</v></c></row><row r="103"><c r="AD103" t="s"><v>1</v></c></row></sheetData>'],
    ]);
    expect(spreadsheetText(parts)).toBe('Printed');
  });
});

describe('parseBboxLayout: text and the words a cell broke at its edge', () => {
  const word = (x1: number, y1: number, x2: number, text: string) => `<word xMin="${x1}" yMin="${y1}" xMax="${x2}" yMax="${y1 + 14}">${text}</word>`;
  const line = (...words: string[]) => `<line>${words.join('')}</line>`;
  // Two cells side by side: "0,048*24" | "окрашивае" on one line, their continuations below.
  const page = `<page width="595" height="842"><flow><block>${line(word(150, 100, 260, '0,048*24'), word(374, 100, 425, 'окрашивае'))}${line(word(150, 114, 190, '0))/100;'), word(200, 114, 250, 'Изп=17,362;'))}${line(word(384, 128, 409, 'мой'))}${line(word(384, 116, 409, 'мой'))}${line(word(40, 200, 90, 'Tom'), word(93, 200, 130, '&amp;'), word(133, 200, 170, 'Jerry'))}</block></flow></page>`;
  const parsed = parseBboxLayout(`<doc>${page}</doc>`);

  it('keeps the words in reading order, one line each, entities decoded', () => {
    expect(parsed.text.split('\n').filter(Boolean)).toEqual(['0,048*24 окрашивае', '0))/100; Изп=17,362;', 'мой', 'мой', 'Tom & Jerry']);
  });

  it('pairs a segment end with the start of the next line below it in the same column only', () => {
    expect(parsed.breaks).toContainEqual({ head: '0,048*24', tail: '0))/100;' });
    expect(parsed.breaks).toContainEqual({ head: 'окрашивае', tail: 'мой' });
    // Not across columns, not with a word on the same line, not with a line far below.
    expect(parsed.breaks).not.toContainEqual({ head: '0,048*24', tail: 'мой' });
    expect(parsed.breaks).not.toContainEqual({ head: 'окрашивае', tail: '0))/100;' });
    expect(parsed.breaks!.some((b) => b.tail === 'Tom' || b.head === 'Tom')).toBe(false);
  });
});

describe('odfBodyText', () => {
  const sheet = '<office:document-content><office:body><office:spreadsheet><table:table><table:table-row>'
    + '<table:table-cell office:value-type="string"><text:p>Тізімдеме</text:p></table:table-cell>'
    + '<table:table-cell table:formula="of:=PI()/3.5" office:value-type="float" office:value="0.897597901025655"><text:p>0,897597901025655</text:p></table:table-cell>'
    + '<table:table-cell office:value-type="date" office:date-value="2025-03-14"><text:p>14.03.2025</text:p></table:table-cell>'
    + '<table:table-cell table:style-name="ce1"/><table:table-cell><text:p>no type</text:p></table:table-cell>'
    + '<table:table-cell/><table:table-cell office:value-type="float" office:value="12.5"><text:p>12,5</text:p></table:table-cell>'
    + '<table:table-cell table:formula="of:=1/0" office:value-type="string"><text:p>#NUM!</text:p></table:table-cell>'
    + '</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>';

  it('keeps text cells of a spreadsheet and leaves out numbers, dates and formula results (their display depends on the cell and the recalculation)', () => {
    const text = odfBodyText(sheet, true);
    expect(text).toContain('Тізімдеме');
    expect(text).toContain('no type');
    expect(text).not.toContain('0,897597901025655');
    expect(text).not.toContain('14.03.2025');
    expect(text).not.toContain('#NUM!');
    expect(text).not.toContain('12,5'); // after an empty, self-closing cell
  });

  it('keeps everything of a text document', () => {
    expect(odfBodyText(sheet, false)).toContain('0,897597901025655');
  });
});
