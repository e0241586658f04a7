import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PDFDocument, PDFName } from 'pdf-lib';
import { zipSync, strToU8 } from 'fflate';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { GifWriter } from 'omggif';
import { runProcess, findTool } from '../../common/process';
import { identifyFormat, detectTextEncoding } from './index';
import { buildCfb, buildDoc, buildOdt, buildOoxml, buildXls, markZipEncrypted } from './fixtures';

let dir: string;
const file = async (name: string, data: string | Uint8Array) => {
  const p = path.join(dir, name);
  await writeFile(p, data);
  return p;
};

async function simplePdf(xmp?: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.addPage([200, 200]).drawText('hello');
  if (xmp) {
    const stream = doc.context.stream(xmp, { Type: 'Metadata', Subtype: 'XML' });
    doc.catalog.set(PDFName.of('Metadata'), doc.context.register(stream));
  }
  return doc.save({ useObjectStreams: false });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-identify-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('identifyFormat', () => {
  it('reports a zero-byte file as unknown with a problem', async () => {
    const id = await identifyFormat(await file('empty.pdf', ''));
    expect(id).toMatchObject({ name: 'unknown', family: 'unknown', extensionMatches: false, encrypted: false });
    expect(id.problems).toContain('empty_file');
  });

  it('identifies OOXML by [Content_Types].xml, not by extension', async () => {
    const docx = await identifyFormat(await file('a.docx', buildOoxml('docx')));
    expect(docx).toMatchObject({ name: 'DOCX', family: 'office', extensionMatches: true, encrypted: false, problems: [] });
    const xlsx = await identifyFormat(await file('b.xlsx', buildOoxml('xlsx')));
    expect(xlsx.name).toBe('XLSX');
    const pptx = await identifyFormat(await file('c.pptx', buildOoxml('pptx')));
    expect(pptx.name).toBe('PPTX');
    const renamed = await identifyFormat(await file('upload.bin', buildOoxml('docx')), 'report.pdf');
    expect(renamed).toMatchObject({ name: 'DOCX', extensionMatches: false });
  });

  it('identifies ODF by its mimetype entry and sees manifest encryption', async () => {
    expect(await identifyFormat(await file('d.odt', buildOdt()))).toMatchObject({ name: 'ODT', family: 'office', encrypted: false });
    const enc = await identifyFormat(await file('e.odt', buildOdt(true)));
    expect(enc).toMatchObject({ name: 'ODT', encrypted: true });
    expect(enc.problems).toContain('encrypted');
  });

  it('identifies a plain ZIP as a container and its encryption flag', async () => {
    const zip = zipSync({ 'a.txt': strToU8('hello'), 'b/c.txt': strToU8('world') });
    expect(await identifyFormat(await file('f.zip', zip))).toMatchObject({ name: 'ZIP', family: 'container', encrypted: false, extensionMatches: true });
    expect(await identifyFormat(await file('g.zip', markZipEncrypted(zip)))).toMatchObject({ name: 'ZIP', encrypted: true });
  });

  it('tells DOC, XLS and encrypted OOXML apart by compound-file stream names', async () => {
    expect(await identifyFormat(await file('h.doc', buildDoc()))).toMatchObject({ name: 'DOC', family: 'office', encrypted: false, extensionMatches: true });
    expect(await identifyFormat(await file('i.doc', buildDoc(true)))).toMatchObject({ name: 'DOC', encrypted: true });
    expect(await identifyFormat(await file('j.xls', buildXls()))).toMatchObject({ name: 'XLS', encrypted: false });
    expect(await identifyFormat(await file('k.xls', buildXls(true)))).toMatchObject({ name: 'XLS', encrypted: true });
    const ppt = buildCfb([{ name: 'PowerPoint Document', data: Buffer.alloc(4096) }]);
    expect(await identifyFormat(await file('l.ppt', ppt))).toMatchObject({ name: 'PPT', encrypted: false });
    const encDocx = buildCfb([{ name: 'EncryptionInfo', data: Buffer.alloc(4096, 1) }, { name: 'EncryptedPackage', data: Buffer.alloc(8192, 2) }]);
    const id = await identifyFormat(await file('m.docx', encDocx));
    expect(id).toMatchObject({ name: 'DOCX', family: 'office', encrypted: true, extensionMatches: true });
  });

  it('identifies PDF, its version, a PDF/A claim and encryption', async () => {
    const plain = await identifyFormat(await file('n.pdf', await simplePdf()));
    expect(plain).toMatchObject({ name: 'PDF', family: 'pdf', version: '1.7', encrypted: false, problems: [] });
    const xmp = `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"><pdfaid:part>1</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
    expect(await identifyFormat(await file('o.pdf', await simplePdf(xmp)))).toMatchObject({ name: 'PDF/A-1b', family: 'pdf', extensionMatches: true });
    const qpdf = await findTool('qpdf');
    if (qpdf) {
      const out = path.join(dir, 'p.pdf');
      const r = await runProcess(qpdf, ['--encrypt', 'user', 'owner', '256', '--', path.join(dir, 'n.pdf'), out]);
      expect(r.code).toBe(0);
      const enc = await identifyFormat(out);
      expect(enc).toMatchObject({ name: 'PDF', encrypted: true });
      expect(enc.problems).toContain('encrypted');
    }
    const truncated = await identifyFormat(await file('q.pdf', (await simplePdf()).subarray(0, 300)));
    expect(truncated.problems).toContain('pdf_truncated');
  });

  it('identifies a PDF behind a BOM or leading bytes, and one whose header line is lost', async () => {
    const pdf = Buffer.from(await simplePdf());
    const bom = await identifyFormat(await file('bom.pdf', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), pdf])));
    expect(bom).toMatchObject({ name: 'PDF', family: 'pdf', version: '1.7', problems: [] });
    const junk = await identifyFormat(await file('junk.pdf', Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n\r\n'), pdf])));
    expect(junk).toMatchObject({ name: 'PDF', family: 'pdf', version: '1.7' });
    // The header line removed, as in bug1606566.pdf of the PDF.js suite: still a PDF, flagged.
    const body = pdf.subarray(pdf.indexOf('\n') + 1);
    const headless = await identifyFormat(await file('headless.pdf', Buffer.concat([Buffer.from('%\xe2\xe3\xcf\xd3\n', 'latin1'), body.subarray(body.indexOf('1 0 obj'))])));
    expect(headless).toMatchObject({ name: 'PDF', family: 'pdf', extensionMatches: true });
    expect(headless.problems).toContain('pdf_header_damaged');
    // Text that quotes an object but has no PDF trailer stays text; so does a PDF header beyond 1024 bytes.
    expect(await identifyFormat(await file('note.txt', '1 0 obj is how a PDF object starts.\nNothing else here.\n'))).toMatchObject({ name: 'TXT', family: 'text' });
    expect(await identifyFormat(await file('late.txt', `${'x'.repeat(1100)}\n%PDF-1.4 quoted late in a text\n`))).toMatchObject({ name: 'TXT' });
  });

  it('identifies images by magic bytes', async () => {
    const png = new PNG({ width: 2, height: 2 });
    png.data.fill(200);
    expect(await identifyFormat(await file('r.png', PNG.sync.write(png)))).toMatchObject({ name: 'PNG', family: 'image', extensionMatches: true });
    const jpg = jpeg.encode({ data: Buffer.alloc(16, 128), width: 2, height: 2 }, 90).data;
    expect(await identifyFormat(await file('s.jpg', jpg))).toMatchObject({ name: 'JPEG', family: 'image' });
    expect(await identifyFormat(await file('s.png', jpg))).toMatchObject({ name: 'JPEG', extensionMatches: false });
    const gifBuf = Buffer.alloc(256);
    const gw = new GifWriter(gifBuf, 2, 2, { palette: [0x000000, 0xffffff] });
    gw.addFrame(0, 0, 2, 2, [0, 1, 1, 0]);
    expect(await identifyFormat(await file('t.gif', gifBuf.subarray(0, gw.end())))).toMatchObject({ name: 'GIF', version: '89a' });
    expect(await identifyFormat(await file('u.tif', Buffer.from([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0, 0, 0])))).toMatchObject({ name: 'TIFF', family: 'image' });
  });

  it('identifies RTF, RAR and CMS signatures', async () => {
    expect(await identifyFormat(await file('v.rtf', '{\\rtf1\\ansi hello}'))).toMatchObject({ name: 'RTF', family: 'office' });
    expect(await identifyFormat(await file('w.rar', Buffer.from('Rar!\x1a\x07\x01\x00rest', 'latin1')))).toMatchObject({ name: 'RAR', version: '5', family: 'container' });
    const cms = Buffer.from([0x30, 0x82, 0x01, 0x00, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0]);
    expect(await identifyFormat(await file('x.p7s', cms))).toMatchObject({ name: 'CMS', family: 'signature', extensionMatches: true });
  });

  it('identifies plain text in UTF-8 and Windows-1251, and refuses binary as text', async () => {
    const kk = await identifyFormat(await file('y.txt', 'Қазақстан Республикасы — Әә Ғғ Ққ Ңң Өө Ұұ Үү Һһ Іі\n'));
    expect(kk).toMatchObject({ name: 'TXT', family: 'text', version: 'UTF-8', extensionMatches: true });
    const cp1251 = Buffer.from([0xcf, 0xf0, 0xe8, 0xea, 0xe0, 0xe7, 0x20, 0xb9, 0x20, 0x31, 0x32, 0x0a]); // "Приказ № 12"
    expect(await identifyFormat(await file('z.txt', cp1251))).toMatchObject({ name: 'TXT', version: 'windows-1251' });
    const binary = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0]);
    const elf = await identifyFormat(await file('virus.txt', binary));
    expect(elf).toMatchObject({ name: 'unknown', family: 'unknown', extensionMatches: false });
    expect(elf.problems).toContain('unrecognised_format');
    expect(detectTextEncoding(Buffer.from('a\u0000b'), true)).toBeNull();
  });
});
