// The demo transfer's folder: last year's e-dossiers of the demo organisation's personnel
// department (02 Кадр бөлімі / Отдел кадров), named by the demo nomenclature's case indices,
// with Kazakh and Russian documents as departments really send them — orders in plain text,
// DOCX, ODT and PDF, a staff schedule in ODS, a leave schedule in XLSX, a memo in RTF,
// scans (PNG, JPEG) of paper documents, one order with a detached CMS signature made with
// the DEMO key. Everything is fixed (dates, text, zip times), so the same year and key give
// the same bytes.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { strToU8, zipSync, type Zippable } from 'fflate';
import { rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { PNG } from 'pngjs';
import { runProcess } from '../../common/process';
import { DEMO_DEPARTMENTS, DEMO_NOMENCLATURE_ITEMS, DEMO_ORGANISATION, DEMO_USERS } from '../../demo/seed';
import { createPdfaDocument, savePdfA } from '../convert/pdfa-writer';
import { makeDocx, makeOdt } from '../transfer/testing/fixtures';

export const DEMO_DEPARTMENT_CODE = '02';

export interface DemoTreeOptions {
  /** The year the dossiers were closed (default: last year). */
  year?: number;
  /** Detached CMS signature of a document (the DEMO head's key). */
  sign: (content: Uint8Array, signingTime: Date) => Promise<Uint8Array>;
}

export interface DemoTreeResult {
  year: number;
  /** Creation time of the package: fixed per year. */
  createdAt: Date;
  /** Case indices of the dossiers, in order. */
  dossiers: string[];
  /** Paths of the documents relative to the tree. */
  documents: string[];
}

const ZIP_MTIME = new Date(Date.UTC(2025, 0, 1));

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function json(v: unknown): string {
  return JSON.stringify(v, null, 2) + '\n';
}

function zip(files: Record<string, string>, stored?: string): Uint8Array {
  const entries: Zippable = {};
  for (const [k, v] of Object.entries(files)) entries[k] = [strToU8(v), { mtime: ZIP_MTIME, ...(k === stored ? { level: 0 as const } : {}) }];
  return zipSync(entries);
}

/** A spreadsheet (first row bold-less header) as minimal SpreadsheetML with inline strings. */
export function makeXlsx(c: { title: string; author: string; created: string; sheet: string; rows: (string | number)[][] }): Uint8Array {
  const col = (i: number) => String.fromCharCode(65 + i);
  const rows = c.rows
    .map((r, y) => `<row r="${y + 1}">${r.map((v, x) => (typeof v === 'number' ? `<c r="${col(x)}${y + 1}"><v>${v}</v></c>` : `<c r="${col(x)}${y + 1}" t="inlineStr"><is><t xml:space="preserve">${xml(v)}</t></is></c>`)).join('')}</row>`)
    .join('');
  const ct = 'application/vnd.openxmlformats-officedocument';
  return zip({
    '[Content_Types].xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="${ct}.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="${ct}.spreadsheetml.worksheet+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`,
    '_rels/.rels': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`,
    'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${xml(c.sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    'xl/worksheets/sheet1.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cols><col min="1" max="1" width="6" customWidth="1"/><col min="2" max="2" width="34" customWidth="1"/><col min="3" max="3" width="30" customWidth="1"/><col min="4" max="6" width="14" customWidth="1"/></cols><sheetData>${rows}</sheetData></worksheet>`,
    'docProps/core.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>${xml(c.title)}</dc:title><dc:creator>${xml(c.author)}</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">${c.created}</dcterms:created></cp:coreProperties>`,
  });
}

/** An OpenDocument spreadsheet: `mimetype` first and stored. */
export function makeOds(c: { title: string; author: string; created: string; sheet: string; rows: (string | number)[][] }): Uint8Array {
  const ns =
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"';
  const cell = (v: string | number) =>
    typeof v === 'number' ? `<table:table-cell office:value-type="float" office:value="${v}"><text:p>${v}</text:p></table:table-cell>` : `<table:table-cell office:value-type="string"><text:p>${xml(v)}</text:p></table:table-cell>`;
  const width = Math.max(...c.rows.map((r) => r.length));
  // Column widths from the longest value, so no text is cut off by the next cell.
  const cm = Array.from({ length: width }, (_, i) => Math.min(9, Math.max(1.2, 0.22 * Math.max(...c.rows.map((r) => String(r[i] ?? '').length)) + 0.4)));
  const styles = `<office:automatic-styles>${cm.map((w, i) => `<style:style style:name="co${i}" style:family="table-column"><style:table-column-properties style:column-width="${w.toFixed(2)}cm"/></style:style>`).join('')}<style:style style:name="ce0" style:family="table-cell"><style:table-cell-properties fo:wrap-option="wrap"/></style:style></office:automatic-styles>`;
  const columns = cm.map((_, i) => `<table:table-column table:style-name="co${i}" table:default-cell-style-name="ce0"/>`).join('');
  const rows = c.rows.map((r) => `<table:table-row>${r.map(cell).join('')}</table:table-row>`).join('');
  return zip(
    {
      mimetype: 'application/vnd.oasis.opendocument.spreadsheet',
      'META-INF/manifest.xml':
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/></manifest:manifest>',
      'content.xml': `<?xml version="1.0" encoding="UTF-8"?><office:document-content ${ns} office:version="1.2">${styles}<office:body><office:spreadsheet><table:table table:name="${xml(c.sheet)}">${columns}${rows}</table:table></office:spreadsheet></office:body></office:document-content>`,
      'meta.xml': `<?xml version="1.0" encoding="UTF-8"?><office:document-meta ${ns} office:version="1.2"><office:meta><dc:title>${xml(c.title)}</dc:title><meta:initial-creator>${xml(c.author)}</meta:initial-creator><meta:creation-date>${c.created}</meta:creation-date></office:meta></office:document-meta>`,
    },
    'mimetype',
  );
}

/** RTF with every non-ASCII character as \uN? (Kazakh letters are outside any ANSI code page). */
export function makeRtf(paragraphs: { text: string; bold?: boolean; center?: boolean }[]): Uint8Array {
  const esc = (s: string) =>
    [...s]
      .map((ch) => {
        const code = ch.codePointAt(0)!;
        if (ch === '\\' || ch === '{' || ch === '}') return `\\${ch}`;
        if (code < 128) return ch;
        const n = code > 0x7fff ? code - 0x10000 : code;
        return `\\u${n}?`;
      })
      .join('');
  const body = paragraphs.map((p) => `{\\pard${p.center ? '\\qc' : '\\qj'}\\sa120 ${p.bold ? '\\b ' : ''}${esc(p.text)}${p.bold ? '\\b0' : ''}\\par}`).join('\n');
  return strToU8(`{\\rtf1\\ansi\\ansicpg1251\\deff0\\uc1{\\fonttbl{\\f0\\froman\\fcharset204 Times New Roman;}}\n{\\info{\\title Memo}}\\f0\\fs26\n${body}\n}\n`);
}

interface PdfLine {
  text: string;
  bold?: boolean;
  size?: number;
  center?: boolean;
  gap?: number;
}

function wrap(font: PDFFont, text: string, size: number, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && font.widthOfTextAtSize(next, size) > width) {
      out.push(line);
      line = word;
    } else line = next;
  }
  if (line) out.push(line);
  return out;
}

/** An A4 PDF of the given lines with DejaVu Sans embedded (Kazakh and Russian Cyrillic). */
export async function makeTextPdf(c: { title: string; author: string; created: Date; lines: PdfLine[]; stamp?: string; language?: 'kk' | 'ru' }): Promise<Uint8Array> {
  // PDF/A-1b as a well-run office would send it: pdf-lib with DejaVu Sans subsets.
  const { doc: pdf, regular, bold } = await createPdfaDocument();
  const page: PDFPage = pdf.addPage([595, 842]);
  let y = 780;
  for (const l of c.lines) {
    const font = l.bold ? bold : regular;
    const size = l.size ?? 11.5;
    y -= l.gap ?? 0;
    for (const text of wrap(font, l.text, size, 475)) {
      const x = l.center ? (595 - font.widthOfTextAtSize(text, size)) / 2 : 60;
      page.drawText(text, { x, y, size, font, color: rgb(0.08, 0.08, 0.1) });
      y -= size * 1.5;
    }
  }
  if (c.stamp) {
    // A round "seal" near the signature, as on paper originals.
    page.drawEllipse({ x: 420, y: y - 20, xScale: 52, yScale: 52, borderColor: rgb(0.15, 0.25, 0.65), borderWidth: 2 });
    page.drawText(c.stamp, { x: 380, y: y - 24, size: 8, font: bold, color: rgb(0.15, 0.25, 0.65) });
  }
  return savePdfA(pdf, { title: c.title, author: c.author, language: c.language ?? 'ru', date: c.created });
}

/** Rasterises page 1 of a PDF with pdftoppm: a "scan" of a paper document. */
async function scan(pdf: Uint8Array, kind: 'png' | 'jpeg', dpi: number): Promise<Uint8Array> {
  const work = await mkdtemp(path.join(tmpdir(), 'muragat-demo-scan-'));
  try {
    await writeFile(path.join(work, 'in.pdf'), pdf);
    const args = kind === 'png' ? ['-png', '-gray'] : ['-jpeg', '-jpegopt', 'quality=82'];
    const r = await runProcess('pdftoppm', [...args, '-r', String(dpi), '-f', '1', '-l', '1', '-singlefile', 'in.pdf', 'out'], { cwd: work, timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`pdftoppm failed: ${r.stderr}`);
    const out = new Uint8Array(await readFile(path.join(work, kind === 'png' ? 'out.png' : 'out.jpg')));
    return kind === 'png' ? paperNoise(out) : out;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Greyish paper with deterministic speckles and a slight skew-free shadow at the left edge. */
function paperNoise(pngBytes: Uint8Array): Uint8Array {
  const png = PNG.sync.read(Buffer.from(pngBytes));
  let seed = 20250101;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const i = (y * png.width + x) * 4;
      const shade = x < 18 ? (18 - x) * 4 : 0;
      const speck = rnd() < 0.002 ? 120 : 0;
      const v = Math.max(0, Math.min(255, png.data[i]! - 10 - shade - speck));
      png.data[i] = v;
      png.data[i + 1] = v;
      png.data[i + 2] = v;
      png.data[i + 3] = 255;
    }
  }
  return new Uint8Array(PNG.sync.write(png, { colorType: 0 }));
}

/** Builds the demo transfer folder in dir (replacing it). */
export async function buildDemoTree(dir: string, options: DemoTreeOptions): Promise<DemoTreeResult> {
  const year = options.year ?? new Date().getFullYear() - 1;
  const createdAt = new Date(Date.UTC(year + 1, 0, 20, 9, 0, 0));
  const department = DEMO_DEPARTMENTS.find((d) => d.code === DEMO_DEPARTMENT_CODE)!;
  const items = DEMO_NOMENCLATURE_ITEMS.filter((i) => i.departmentCode === DEMO_DEPARTMENT_CODE);
  // Case indices as the nomenclature numbers them: department code and position in the department.
  const index = (n: number) => `${DEMO_DEPARTMENT_CODE}-${n}`;
  const person = (username: string) => DEMO_USERS.find((u) => u.username === username)!;
  const clerk = person('clerk');
  const head = person('head');
  const d = (month: number, day: number) => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const dmy = (month: number, day: number) => `${String(day).padStart(2, '0')}.${String(month).padStart(2, '0')}.${year}`;

  await rm(dir, { recursive: true, force: true });
  const documents: string[] = [];
  const put = async (rel: string, bytes: Uint8Array | string, isDocument = true) => {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), bytes);
    if (isDocument) documents.push(rel);
  };
  const meta = (rel: string, m: Record<string, unknown>) => put(`${rel}.meta.json`, json(m), false);

  await put(
    'transfer.json',
    json({
      organisation: { bin: DEMO_ORGANISATION.bin, name: DEMO_ORGANISATION.shortNameKk },
      department: { code: department.code, name: `${department.nameKk} / ${department.nameRu}` },
      year,
      fonds: DEMO_ORGANISATION.fondsNumber,
      people: {
        compiledBy: { name: clerk.fullName, position: clerk.position },
        headOfDepartment: { name: head.fullName, position: head.position },
      },
      note: 'ДЕМО / DEMO: Muragat демо-жинағы. Қолтаңбалар тек демо кілттерімен (Muragat DEMO PKI) қойылған, нақты күші жоқ. Подписи сделаны демонстрационными ключами (Muragat DEMO PKI) и юридической силы не имеют.',
    }),
    false,
  );
  for (const [i, item] of items.slice(0, 3).entries()) {
    await put(`${index(i + 1)}/dossier.json`, json({ title: item.heading, retention: item.retention }), false);
  }

  // 02-1 Жеке құрам бойынша бұйрықтар — personnel orders (75 years).
  const d1 = index(1);
  const order1 = [
    `${DEMO_ORGANISATION.shortNameKk}`,
    '',
    `БҰЙРЫҚ № 1-ж`,
    `Қонаев қ.                                         ${year} жылғы 10 қаңтар`,
    '',
    'Жұмысқа қабылдау туралы',
    '',
    'Қазақстан Республикасы Еңбек кодексінің 33-бабына сәйкес БҰЙЫРАМЫН:',
    `1. Ғалымжанова Әсем Құрманғазықызы ${year} жылғы 13 қаңтардан бастап кадр бөлімінің бас маманы лауазымына сынақ мерзімімен үш айға қабылдансын.`,
    '2. Лауазымдық айлықақы штаттық кестеге сәйкес белгіленсін.',
    '3. Бұйрықтың орындалуын бақылау кадр бөлімінің басшысы Н. Жақыповқа жүктелсін.',
    '',
    'Негіздеме: қызметкердің өтініші, еңбек шарты № 3, медициналық анықтама.',
    '',
    `Басшы                                                 Ө. Үсенұлы`,
    '',
    'Бұйрықпен таныстым: ________ Ә. Ғалымжанова',
    '',
  ].join('\n');
  const order1Path = `${d1}/${d(1, 10)} Бұйрық №1-ж.txt`;
  await put(order1Path, order1);
  await put(`${order1Path}.p7s`, await options.sign(strToU8(order1), new Date(Date.UTC(year, 0, 10, 6, 30))), false);
  await meta(order1Path, { title: 'Жұмысқа қабылдау туралы бұйрық (Ғалымжанова Ә. Қ.) — ДЕМО кілтімен қол қойылған', kind: 'бұйрық', author: head.fullName });

  const docx = `${d1}/${d(3, 3)} Бұйрық №24-ж.docx`;
  await put(
    docx,
    makeDocx({
      title: 'Қызметкерді басқа лауазымға ауыстыру туралы бұйрық',
      author: head.fullName,
      created: `${d(3, 3)}T09:30:00Z`,
      pages: 1,
      paragraphs: [
        `${DEMO_ORGANISATION.shortNameKk}`,
        `БҰЙРЫҚ № 24-ж, ${year} жылғы 3 наурыз, Қонаев қаласы`,
        'Қызметкерді басқа лауазымға ауыстыру туралы',
        'Қазақстан Республикасы Еңбек кодексінің 38-бабына сәйкес БҰЙЫРАМЫН:',
        `1. Өмірзақов Қанат Ұланұлы ${year} жылғы 4 наурыздан бастап жетекші маман лауазымынан бас маман лауазымына ауыстырылсын.`,
        '2. Бухгалтерия (М. Құдайбергенов) еңбекақыны жаңа лауазымға сәйкес есептесін.',
        'Негіздеме: қызметкердің келісімі, еңбек шартына № 11/1 қосымша келісім.',
        'Басшы                                   Ө. Үсенұлы',
      ],
    }),
  );

  const odt = `${d1}/${d(9, 1)} Приказ №58-к.odt`;
  await put(
    odt,
    makeOdt({
      title: 'Приказ о расторжении трудового договора',
      author: 'Отдел кадров',
      created: `${d(9, 1)}T11:00:00`,
      pages: 1,
      paragraphs: [
        `${DEMO_ORGANISATION.shortNameRu}`,
        `ПРИКАЗ № 58-к от 1 сентября ${year} года, г. Конаев`,
        'О расторжении трудового договора',
        'В соответствии с подпунктом 5) статьи 49 Трудового кодекса Республики Казахстан ПРИКАЗЫВАЮ:',
        `1. Расторгнуть трудовой договор с Ким Виктором Сергеевичем, ведущим специалистом, по инициативе работника ${dmy(9, 15)}.`,
        '2. Бухгалтерии произвести окончательный расчёт и выплатить компенсацию за неиспользованный трудовой отпуск.',
        'Основание: заявление работника от 25.08.' + year + '.',
        'Руководитель                                   О. Усенулы',
      ],
    }),
  );

  const pdfPath = `${d1}/prikaz-shtatnoe-raspisanie.pdf`;
  await put(
    pdfPath,
    await makeTextPdf({
      title: 'Приказ об утверждении штатного расписания',
      author: head.fullName,
      created: new Date(Date.UTC(year, 0, 3, 8, 0)),
      stamp: 'ДЕМО МӨР',
      lines: [
        { text: DEMO_ORGANISATION.nameRu, bold: true, center: true, size: 10.5 },
        { text: 'ПРИКАЗ', bold: true, center: true, size: 14, gap: 18 },
        { text: `№ 2-к                                                                                                    3 января ${year} года`, gap: 6 },
        { text: 'г. Конаев', center: true },
        { text: `Об утверждении штатного расписания на ${year} год`, bold: true, gap: 14 },
        { text: 'В соответствии с Бюджетным кодексом Республики Казахстан и постановлением акимата Алматинской области об утверждении лимитов штатной численности ПРИКАЗЫВАЮ:', gap: 10 },
        { text: `1. Утвердить штатное расписание государственного учреждения на ${year} год согласно приложению.` },
        { text: '2. Отделу кадров (Жакыпов Н. А.) ознакомить работников с изменениями штатного расписания.' },
        { text: '3. Контроль за исполнением настоящего приказа оставляю за собой.' },
        { text: 'Руководитель                                                                         О. Усенулы', gap: 30 },
      ],
    }),
  );
  await meta(pdfPath, { date: d(1, 3), number: '2-к', kind: 'приказ', language: 'ru' });

  const staff = [
    ['№', 'Құрылымдық бөлімше / лауазым', 'Санат', 'Бірлік саны', 'Лауазымдық айлықақы, теңге'],
    [1, 'Басшылық: басшы', 'C-O-1', 1, 612000],
    [2, 'Басшылық: басшының орынбасары', 'C-O-2', 2, 548000],
    [3, 'Кадр бөлімі: бөлім басшысы', 'C-O-3', 1, 452000],
    [4, 'Кадр бөлімі: бас маман', 'C-O-5', 3, 356000],
    [5, 'Бухгалтерия: бас бухгалтер', 'C-O-3', 1, 452000],
    [6, 'Бухгалтерия: жетекші маман', 'C-O-6', 2, 318000],
    [7, 'Мұрағат: мұрағатшы', 'C-O-6', 1, 318000],
    ['', 'Барлығы', '', 11, ''],
  ];
  const ods = `${d1}/${d(1, 3)} Штаттық кесте.ods`;
  await put(ods, makeOds({ title: `Штаттық кесте, ${year} жыл`, author: head.fullName, created: `${d(1, 3)}T08:30:00`, sheet: 'Штаттық кесте', rows: staff }));
  await meta(ods, { title: `${year} жылға арналған штаттық кесте (№ 2-к бұйрыққа қосымша)`, kind: 'штаттық кесте', language: 'kk' });

  // 02-2 Қызметкерлердің жеке істері — personal files: scans of paper documents and a reference.
  const d2 = index(2);
  const application = await makeTextPdf({
    language: 'kk',
    title: 'Өтініш',
    author: 'Ғалымжанова Ә. Қ.',
    created: new Date(Date.UTC(year, 0, 9)),
    lines: [
      { text: `${DEMO_ORGANISATION.shortNameKk}`, size: 11 },
      { text: 'басшысы Ө. Үсенұлыға', size: 11 },
      { text: 'Ғалымжанова Әсем Құрманғазықызынан', size: 11 },
      { text: 'Өтініш', bold: true, center: true, size: 15, gap: 30 },
      { text: `Мені ${year} жылғы 13 қаңтардан бастап кадр бөлімінің бас маманы лауазымына жұмысқа қабылдауыңызды сұраймын. Сынақ мерзімімен келісемін.`, gap: 14 },
      { text: 'Қосымша: жеке куәлік көшірмесі, дипломның көшірмесі, еңбек кітапшасы, медициналық анықтама (075/е нысаны).', gap: 6 },
      { text: `${dmy(1, 9)}                                                 Қолы: Ә. Ғалымжанова`, gap: 30 },
    ],
  });
  const png = `${d2}/${d(1, 9)} Өтініш (скан).png`;
  await put(png, await scan(application, 'png', 96));
  await meta(png, { title: 'Жұмысқа қабылдау туралы өтініш (Ғалымжанова Ә. Қ.), қағаз түпнұсқаның сканы', kind: 'өтініш', language: 'kk', author: 'Ғалымжанова Ә. Қ.' });

  const reference = await makeTextPdf({
    title: 'Справка с места работы',
    author: clerk.fullName,
    created: new Date(Date.UTC(year, 10, 12)),
    stamp: 'ДЕМО ПЕЧАТЬ',
    lines: [
      { text: DEMO_ORGANISATION.nameRu, bold: true, center: true, size: 10 },
      { text: 'СПРАВКА', bold: true, center: true, size: 15, gap: 24 },
      { text: `№ 214 от ${dmy(11, 12)}`, center: true },
      { text: `Дана Өмірзақову Қанату Ұлановичу в том, что он действительно работает в ${DEMO_ORGANISATION.shortNameRu} с 1 февраля ${year - 3} года по настоящее время в должности главного специалиста.`, gap: 16 },
      { text: 'Справка выдана для предъявления по месту требования.', gap: 6 },
      { text: 'Руководитель отдела кадров                                                      Н. Жакыпов', gap: 30 },
    ],
  });
  const jpg = `${d2}/spravka-214.jpg`;
  await put(jpg, await scan(reference, 'jpeg', 90));
  await meta(jpg, { title: 'Справка с места работы № 214 (Өмірзақов Қ. У.), скан', kind: 'справка', date: d(11, 12), number: '214', language: 'ru', author: head.fullName });

  const ruText = `${d2}/${dmy(6, 2)} Характеристика №31.txt`;
  await put(
    ruText,
    [
      'ХАРАКТЕРИСТИКА № 31',
      `г. Конаев, ${dmy(6, 2)}`,
      '',
      `Ахметова Айгерим Болатовна, ${year - 32} года рождения, работает в ${DEMO_ORGANISATION.shortNameRu} с 2019 года, в должности главного специалиста отдела кадров — с 2022 года.`,
      'За время работы зарекомендовала себя как ответственный и исполнительный работник. Своевременно ведёт личные дела, табель учёта рабочего времени и номенклатуру дел отдела.',
      'Дисциплинарных взысканий не имеет. Характеристика дана для представления в аттестационную комиссию.',
      '',
      'Руководитель отдела кадров            Н. Жакыпов',
      '',
    ].join('\n'),
  );

  // 02-3 Еңбек демалыстары туралы бұйрықтар — leave orders (5 years).
  const d3 = index(3);
  const leave = `${d3}/${d(6, 16)} Приказ №112-о.txt`;
  await put(
    leave,
    [
      `ПРИКАЗ № 112-о`,
      `г. Конаев                                     16 июня ${year} года`,
      '',
      'О предоставлении ежегодного оплачиваемого трудового отпуска',
      '',
      'В соответствии со статьями 88 и 89 Трудового кодекса Республики Казахстан ПРИКАЗЫВАЮ:',
      `1. Предоставить Ахметовой Айгерим Болатовне, главному специалисту отдела кадров, ежегодный оплачиваемый трудовой отпуск за период работы с 01.07.${year - 1} по 30.06.${year} продолжительностью 30 календарных дней с 01.07.${year} по 30.07.${year}.`,
      '2. Бухгалтерии выплатить пособие на оздоровление в размере должностного оклада.',
      '',
      'Основание: заявление работника, график отпусков.',
      '',
      'Руководитель                                   О. Усенулы',
      '',
    ].join('\n'),
  );

  const kkLeave = `${d3}/${d(8, 5)} Бұйрық №131-д.docx`;
  await put(
    kkLeave,
    makeDocx({
      title: 'Еңбек демалысынан кері шақыру туралы бұйрық',
      author: head.fullName,
      created: `${d(8, 5)}T10:15:00Z`,
      pages: 1,
      paragraphs: [
        `БҰЙРЫҚ № 131-д, ${year} жылғы 5 тамыз`,
        'Жыл сайынғы ақылы еңбек демалысынан кері шақыру туралы',
        'Қазақстан Республикасы Еңбек кодексінің 94-бабына сәйкес, өндірістік қажеттілікке байланысты БҰЙЫРАМЫН:',
        `1. Бас бухгалтер Құдайбергенов Асхат Ерланұлы ${year} жылғы 6 тамыздан бастап жыл сайынғы ақылы еңбек демалысынан кері шақырылсын.`,
        '2. Пайдаланылмаған 7 (жеті) күнтізбелік күн демалыс қызметкердің келісімімен кейінірек берілсін.',
        'Негіздеме: қызметкердің жазбаша келісімі.',
        'Басшы                                   Ө. Үсенұлы',
      ],
    }),
  );

  const schedule = [
    ['№', 'ФИО / Т.А.Ә.', 'Должность / Лауазымы', 'Дней / Күн', 'С / Бастап', 'По / Дейін'],
    [1, 'Ахметова Айгерим Болатовна', 'главный специалист', 30, `01.07.${year}`, `30.07.${year}`],
    [2, 'Құдайбергенов Асхат Ерланұлы', 'бас бухгалтер', 30, `28.07.${year}`, `26.08.${year}`],
    [3, 'Өмірзақов Қанат Ұланұлы', 'бас маман', 30, `01.09.${year}`, `30.09.${year}`],
    [4, 'Төлеуова Айжан Болатқызы', 'іс жүргізуші', 30, `03.11.${year}`, `02.12.${year}`],
    [5, 'Ғалымжанова Әсем Құрманғазықызы', 'бас маман', 15, `15.12.${year}`, `29.12.${year}`],
  ];
  const xlsx = `${d3}/grafik-otpuskov-${year}.xlsx`;
  await put(xlsx, makeXlsx({ title: `График отпусков на ${year} год / ${year} жылғы демалыстар кестесі`, author: head.fullName, created: `${year - 1}-12-20T09:00:00Z`, sheet: 'График', rows: schedule }));
  await meta(xlsx, { date: `${year - 1}-12-20`, number: '1', kind: 'график', language: 'ru' });

  const memo = `${d3}/qyzmettik-jazba-demalys.rtf`;
  await put(
    memo,
    makeRtf([
      { text: `${DEMO_ORGANISATION.shortNameKk} басшысы Ө. Үсенұлыға`, center: false },
      { text: 'ҚЫЗМЕТТІК ЖАЗБА', bold: true, center: true },
      { text: `${dmy(7, 21)}, № 47` },
      { text: `Жылдық есепті дайындауға байланысты бас бухгалтер А. Құдайбергеновтің еңбек демалысын ${year} жылғы 28 шілдеден 11 тамызға ауыстыруға рұқсат беруіңізді сұраймын. Демалыстар кестесіне тиісті өзгеріс енгізіледі.` },
      { text: 'Служебная записка: прошу перенести трудовой отпуск главного бухгалтера в связи с подготовкой годового отчёта.' },
      { text: 'Кадр бөлімінің басшысы                    Н. Жақыпов' },
    ]),
  );
  await meta(memo, { title: 'Еңбек демалысын ауыстыру туралы қызметтік жазба', kind: 'қызметтік жазба', date: d(7, 21), number: '47', language: 'kk', author: head.fullName });

  return { year, createdAt, dossiers: [d1, d2, d3], documents };
}
