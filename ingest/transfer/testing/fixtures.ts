// Test fixtures for transfer packages: a department's folder tree with Kazakh and Russian
// documents (txt, docx, odt, PDF), metadata files and detached signatures, plus a raw tar
// writer for hostile packages. Used by the transfer tests and the ingest pipeline tests.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { strToU8, zipSync } from 'fflate';
import { PDFDocument, StandardFonts } from 'pdf-lib';

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// Fixed zip timestamps keep the fixtures byte-identical between runs.
const ZIP_MTIME = new Date(Date.UTC(2025, 0, 1));

export interface OfficeContent {
  title?: string;
  author?: string;
  /** ISO date-time stored as the creation date. */
  created?: string;
  paragraphs: string[];
  pages?: number;
}

/** A minimal but well-formed WordprocessingML document with core and app properties. */
export function makeDocx(c: OfficeContent): Uint8Array {
  const body = c.paragraphs.map((p) => `<w:p><w:r><w:t xml:space="preserve">${xmlEscape(p)}</w:t></w:r></w:p>`).join('');
  const files = {
    '[Content_Types].xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>',
    ),
    '_rels/.rels': strToU8(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>',
    ),
    'word/document.xml': strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
    ),
    'docProps/core.xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
        (c.title ? `<dc:title>${xmlEscape(c.title)}</dc:title>` : '') +
        (c.author ? `<dc:creator>${xmlEscape(c.author)}</dc:creator>` : '') +
        (c.created ? `<dcterms:created xsi:type="dcterms:W3CDTF">${c.created}</dcterms:created>` : '') +
        '</cp:coreProperties>',
    ),
    'docProps/app.xml': strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Muragat fixtures</Application>${c.pages ? `<Pages>${c.pages}</Pages>` : ''}</Properties>`,
    ),
  };
  return zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, [v, { mtime: ZIP_MTIME }]])));
}

/** A minimal OpenDocument text: `mimetype` first and stored, as ODF requires. */
export function makeOdt(c: OfficeContent): Uint8Array {
  const ns =
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"';
  const body = c.paragraphs.map((p) => `<text:p>${xmlEscape(p)}</text:p>`).join('');
  return zipSync({
    mimetype: [strToU8('application/vnd.oasis.opendocument.text'), { level: 0, mtime: ZIP_MTIME }],
    'META-INF/manifest.xml': [
      strToU8(
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/></manifest:manifest>',
      ),
      { mtime: ZIP_MTIME },
    ],
    'content.xml': [strToU8(`<?xml version="1.0" encoding="UTF-8"?><office:document-content ${ns} office:version="1.2"><office:body><office:text>${body}</office:text></office:body></office:document-content>`), { mtime: ZIP_MTIME }],
    'meta.xml': [
      strToU8(
        `<?xml version="1.0" encoding="UTF-8"?><office:document-meta ${ns} office:version="1.2"><office:meta>` +
          (c.title ? `<dc:title>${xmlEscape(c.title)}</dc:title>` : '') +
          (c.author ? `<meta:initial-creator>${xmlEscape(c.author)}</meta:initial-creator>` : '') +
          (c.created ? `<meta:creation-date>${c.created}</meta:creation-date>` : '') +
          (c.pages ? `<meta:document-statistic meta:page-count="${c.pages}"/>` : '') +
          '</office:meta></office:document-meta>',
      ),
      { mtime: ZIP_MTIME },
    ],
  });
}

/** A PDF with document information (title, author, creation date) and `pages` pages. */
export async function makePdf(c: { title?: string; author?: string; created?: Date; pages?: number; text?: string }): Promise<Uint8Array> {
  const pdf = await PDFDocument.create({ updateMetadata: false });
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < (c.pages ?? 1); i++) {
    const page = pdf.addPage([595, 842]);
    page.drawText(`${c.text ?? 'Muragat test document'} - ${i + 1}`, { x: 50, y: 780, size: 12, font });
  }
  if (c.title) pdf.setTitle(c.title);
  if (c.author) pdf.setAuthor(c.author);
  if (c.created) pdf.setCreationDate(c.created);
  pdf.setModificationDate(c.created ?? new Date(Date.UTC(2025, 0, 1)));
  return pdf.save({ useObjectStreams: false });
}

/**
 * Stand-in for a detached CMS signature when a test only needs a signature *file*. Tests of
 * verification pass `sign` (e.g. signDetached from validators/signature) instead.
 */
export function fakeSignature(content: Uint8Array): Uint8Array {
  return strToU8(`MURAGAT TEST SIGNATURE (not CMS) sha256=${createHash('sha256').update(content).digest('hex')}\n`);
}

export const KAZAKH_TEXT = [
  'Қазақстан Республикасының Еңбек кодексіне сәйкес БҰЙЫРАМЫН:',
  'Әбенова Гүлнар Серікқызы 2025 жылғы 1 наурыздан бастап кадр бөлімінің бас маманы лауазымына қабылдансын.',
  'Негіздеме: қызметкердің өтініші және еңбек шарты.',
];
export const RUSSIAN_TEXT = [
  'В соответствии с Трудовым кодексом Республики Казахстан ПРИКАЗЫВАЮ:',
  'Предоставить ежегодный оплачиваемый трудовой отпуск сотруднику отдела кадров сроком на двадцать четыре календарных дня.',
  'Основание: заявление работника.',
];

export interface FixtureDocument {
  /** Path inside the tree and the tar, e.g. `03-12/2025-03-01 Бұйрық №12-н.txt`. */
  path: string;
  language: 'kk' | 'ru';
  /** What packing should find: the given or inferred title, date and number. */
  title: string;
  date?: string;
  number?: string;
  signed: boolean;
}

export interface FixtureTree {
  dir: string;
  dossiers: string[];
  documents: FixtureDocument[];
}

export interface FixtureOptions {
  /** Write transfer.json (organisation, department, fonds, people). Default true. */
  transferJson?: boolean;
  /** Write dossier.json for each dossier. Default true. */
  dossierJson?: boolean;
  /** Makes the detached signature of a file; default fakeSignature. */
  sign?: (content: Uint8Array, file: string) => Uint8Array | Promise<Uint8Array>;
}

/**
 * Builds a department's transfer folder: dossiers 03-12 (Kazakh orders, signed) and 03-15
 * (Russian correspondence, one multi-file document with no date to infer).
 */
export async function buildTransferTree(dir: string, options: FixtureOptions = {}): Promise<FixtureTree> {
  const sign = options.sign ?? fakeSignature;
  const documents: FixtureDocument[] = [];
  const put = async (rel: string, bytes: Uint8Array | string) => {
    const abs = path.join(dir, rel);
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, bytes);
    return typeof bytes === 'string' ? strToU8(bytes) : bytes;
  };
  const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';

  if (options.transferJson !== false) {
    await put(
      'transfer.json',
      json({
        organisation: { bin: '123456789012', name: '«Мұрағат Үлгі» ЖШС' },
        department: { code: '03', name: 'Кадр бөлімі' },
        year: 2025,
        fonds: '12',
        people: {
          compiledBy: { name: 'Әбенова Г. С.', position: 'іс жүргізуші' },
          headOfDepartment: { name: 'Сейітов Н. Қ.', position: 'кадр бөлімінің басшысы' },
        },
      }),
    );
  }
  if (options.dossierJson !== false) {
    await put('03-12/dossier.json', json({ title: 'Жеке құрам бойынша бұйрықтар', retention: { kind: 'years', years: 75, article: '597' } }));
    await put('03-15/dossier.json', json({ title: 'Ұйымдармен хат алмасу (Переписка с организациями)', retention: { kind: 'years', years: 5, article: '23' } }));
  }

  // 03-12: a Kazakh text order whose date and number are in the file name, signed.
  const order = await put('03-12/2025-03-01 Бұйрық №12-н.txt', KAZAKH_TEXT.join('\n') + '\n');
  await put('03-12/2025-03-01 Бұйрық №12-н.txt.p7s', await sign(order, '03-12/2025-03-01 Бұйрық №12-н.txt'));
  documents.push({ path: '03-12/2025-03-01 Бұйрық №12-н.txt', language: 'kk', title: 'Бұйрық', date: '2025-03-01', number: '12-н', signed: true });

  // 03-12: a Kazakh docx whose title, author and date come from its core properties.
  const docx = await put(
    '03-12/qabyldau-buiryq.docx',
    makeDocx({ title: 'Жұмысқа қабылдау туралы бұйрық', author: 'Сейітова А. Б.', created: '2025-04-02T09:30:00Z', paragraphs: KAZAKH_TEXT, pages: 1 }),
  );
  await put('03-12/qabyldau-buiryq.docx.cms', await sign(docx, '03-12/qabyldau-buiryq.docx'));
  documents.push({ path: '03-12/qabyldau-buiryq.docx', language: 'kk', title: 'Жұмысқа қабылдау туралы бұйрық', date: '2025-04-02', signed: true });

  // 03-12: a Russian odt order.
  await put('03-12/Приказ об отпуске.odt', makeOdt({ title: 'Приказ об отпуске', author: 'Отдел кадров', created: '2025-06-15T11:00:00', paragraphs: RUSSIAN_TEXT, pages: 1 }));
  documents.push({ path: '03-12/Приказ об отпуске.odt', language: 'ru', title: 'Приказ об отпуске', date: '2025-06-15', signed: false });

  // 03-15: a PDF with explicit metadata in a .meta.json and a .sig signature.
  const pdf = await put('03-15/akt-proverki.pdf', await makePdf({ title: 'Akt', created: new Date(Date.UTC(2025, 4, 19)), pages: 2 }));
  await put('03-15/akt-proverki.pdf.sig', await sign(pdf, '03-15/akt-proverki.pdf'));
  await put('03-15/akt-proverki.pdf.meta.json', json({ title: 'Акт проверки архива', kind: 'акт', date: '2025-05-20', number: '7', language: 'ru', author: 'Отдел кадров' }));
  documents.push({ path: '03-15/akt-proverki.pdf', language: 'ru', title: 'Акт проверки архива', date: '2025-05-20', number: '7', signed: true });

  // 03-15: a Russian letter, date and number in the name.
  await put('03-15/15.09.2025_Письмо_№45.txt', RUSSIAN_TEXT.join('\n') + '\n');
  documents.push({ path: '03-15/15.09.2025_Письмо_№45.txt', language: 'ru', title: 'Письмо', date: '2025-09-15', number: '45', signed: false });

  // 03-15: a document of two files (a folder); no date anywhere, so packing reports it missing.
  await put('03-15/Справка/1-бет.txt', 'Справка о работе. Настоящая справка выдана сотруднику в том, что он работает в организации.\n');
  await put('03-15/Справка/2-бет.txt', 'Продолжение справки, страница вторая.\n');
  documents.push({ path: '03-15/Справка/1-бет.txt', language: 'ru', title: 'Справка', signed: false });

  return { dir, dossiers: ['03-12', '03-15'], documents };
}

export interface RawTarEntry {
  name: string;
  /** ustar type flag: '0' file, '1' hard link, '2' symlink, '3' char device, '4' block device, '5' directory, '6' FIFO. */
  type?: '0' | '1' | '2' | '3' | '4' | '5' | '6';
  content?: Uint8Array | string;
  /** Declared size, when a test wants it to differ from the content. */
  size?: number;
  linkname?: string;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/**
 * Writes a tar byte by byte, so tests can make what well-behaved writers refuse: `../` and
 * absolute names, links, devices, duplicates, control characters, lying sizes. Names longer
 * than 100 bytes get a pax `path` record, as GNU and BSD tar do.
 */
export function rawTar(entries: RawTarEntry[], options: { gzip?: boolean } = {}): Buffer {
  const blocks: Buffer[] = [];
  const header = (name: string, type: string, size: number, linkname = '') => {
    const h = Buffer.alloc(512);
    h.write(name, 0, 100, 'utf8');
    h.write(octal(0o644, 8), 100, 'ascii');
    h.write(octal(0, 8), 108, 'ascii');
    h.write(octal(0, 8), 116, 'ascii');
    h.write(octal(size, 12), 124, 'ascii');
    h.write(octal(1735689600, 12), 136, 'ascii');
    h.write('        ', 148, 'ascii');
    h.write(type, 156, 'ascii');
    h.write(linkname, 157, 100, 'utf8');
    h.write('ustar\u000000', 257, 'binary');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(octal(sum, 7) + ' ', 148, 'ascii');
    return h;
  };
  const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);
  for (const e of entries) {
    const content = typeof e.content === 'string' ? Buffer.from(e.content, 'utf8') : Buffer.from(e.content ?? new Uint8Array());
    if (Buffer.byteLength(e.name) > 100) {
      const rec = (len: number) => `${len} path=${e.name}\n`;
      let len = Buffer.byteLength(rec(0));
      while (Buffer.byteLength(rec(len)) !== len) len = Buffer.byteLength(rec(len));
      const pax = Buffer.from(rec(len), 'utf8');
      blocks.push(header('PaxHeader', 'x', pax.length), pax, pad(pax.length));
    }
    blocks.push(header(e.name.slice(0, 100), e.type ?? '0', e.size ?? content.length, e.linkname ?? ''));
    if (content.length) blocks.push(content, pad(content.length));
  }
  blocks.push(Buffer.alloc(1024));
  const tar = Buffer.concat(blocks);
  return options.gzip ? gzipSync(tar) : tar;
}

export interface ManifestTarFile {
  /** File name inside its dossier's folder. */
  name: string;
  content: Uint8Array;
  title: string;
  language: 'kk' | 'ru';
}

export interface ManifestTarDossier {
  index: string;
  title: string;
  retention: Record<string, unknown>;
  files: ManifestTarFile[];
}

export interface ManifestTarTransfer {
  organisation: { bin: string; name: string };
  department: { code: string; name: string };
  compiledBy: { name: string; position: string };
}

/**
 * A ready transfer package: manifest.json (muragat.transfer/1; year 2025, fonds 12, every
 * document dated 2025-01-10) and each dossier's files under `<index>/`. For the job tests, the
 * fault suites and bench/scale, which need a small valid package of known bytes fast, without
 * building a folder and packing it (buildTransferTree, the packer).
 */
export function manifestTransferTar(transfer: ManifestTarTransfer, dossiers: ManifestTarDossier[]): Buffer {
  const manifest = {
    schemaVersion: 'muragat.transfer/1',
    transfer: {
      organisation: transfer.organisation,
      department: transfer.department,
      year: 2025,
      fonds: '12',
      compiledBy: transfer.compiledBy,
      createdAt: '2026-01-15T10:00:00Z',
    },
    dossiers: dossiers.map((d) => ({
      index: d.index,
      title: d.title,
      retention: d.retention,
      documents: d.files.map((f) => ({
        path: `${d.index}/${f.name}`,
        sha256: createHash('sha256').update(f.content).digest('hex'),
        size: f.content.length,
        title: f.title,
        date: '2025-01-10',
        language: f.language,
      })),
    })),
  };
  return rawTar([
    { name: 'manifest.json', content: JSON.stringify(manifest) },
    ...dossiers.flatMap((d) => d.files.map((f) => ({ name: `${d.index}/${f.name}`, content: f.content }))),
  ]);
}
