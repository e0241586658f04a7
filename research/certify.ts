// A certified copy of an electronic document (p.37–38, p.191): the document's PDF/A rendition
// as stored, every page marked with the requester's name (a watermark under the content and a
// line in the bottom margin over it), and a certification sheet appended in Kazakh and Russian:
// «Электрондық құжаттың көшірмесі дұрыс» / «Копия электронного документа верна», the
// original's signature check result, the source information system, the copy date, the number
// of sheets, the certifier and the request number. The result is saved again as PDF/A-1b
// (ingest/convert/pdfa-writer.ts savePdfA: XMP, OutputIntent, CIDSets) with the forms' fonts;
// drawing is opaque (PDF/A-1 forbids transparency), so the watermark is a light grey drawn
// first, under the page's own content, and stays readable without hiding anything.
import { PDFArray, PDFDocument, PDFName, degrees, drawText, rgb, type PDFFont, type PDFPage, type PDFRef } from 'pdf-lib';
import { A4, savePdfA } from '../ingest/convert/pdfa-writer';
import { embedFormFonts } from '../forms/fonts';

export type SignatureVerdictText = 'valid' | 'invalid' | 'cannot-verify' | 'unsigned';

/** The original's signature checked again when the copy is made (from the AIP's evidence). */
export interface SignatureRecheck {
  verdict: SignatureVerdictText;
  /** When the re-check ran (ISO). */
  checkedAt: string;
  /** Why it is not valid (the verifier's words, or 'no-evidence' when the AIP keeps none). */
  reason?: string;
}

export interface CertificationInfo {
  requestNumber: string;
  requester: string;
  /** Title, date, registration number of the document and its dossier (case index, year). */
  document: { title: string; date: string | null; number: string | null; dossier: string; position: number };
  /** The check made at ingest (verdict, signers, when), and the re-check made for this copy. */
  signature: { verdict: SignatureVerdictText; signers: string[]; checkedAt: string | null; recheck?: SignatureRecheck };
  /** The information system the copy comes from (the archive's) and, when known, the document's creating software. */
  sourceSystem: string;
  certifier: { name: string; position: string };
  copyDate: Date;
  organisation: string;
}

export const STAMP = { kk: 'Электрондық құжаттың көшірмесі дұрыс', ru: 'Копия электронного документа верна' } as const;

const VERDICT = {
  kk: { valid: 'ЭЦҚ жарамды', invalid: 'ЭЦҚ жарамсыз', 'cannot-verify': 'ЭЦҚ тексеру мүмкін болмады', unsigned: 'Құжатқа ЭЦҚ қойылмаған' },
  ru: { valid: 'ЭЦП действительна', invalid: 'ЭЦП недействительна', 'cannot-verify': 'ЭЦП проверить не удалось', unsigned: 'Документ не подписан ЭЦП' },
} as const;

/** Date and time (UTC) of a re-check: a copy made the same day as another may differ. */
const dateTime = (d: string): string => {
  const x = new Date(d);
  return `${date(x)} ${String(x.getUTCHours()).padStart(2, '0')}:${String(x.getUTCMinutes()).padStart(2, '0')} UTC`;
};

const RECHECK_SOURCE = { kk: 'AIP-те сақталған дәлелдер бойынша', ru: 'по доказательствам, хранящимся в AIP' } as const;
const NO_EVIDENCE = { kk: 'AIP-те тексеру дәлелдері сақталмаған', ru: 'в AIP не сохранены доказательства проверки' } as const;

function recheckLine(lang: 'kk' | 'ru', recheck: SignatureRecheck): string {
  const reason = recheck.reason === 'no-evidence' ? NO_EVIDENCE[lang] : recheck.reason;
  const why = recheck.verdict !== 'valid' && recheck.verdict !== 'unsigned' && reason ? ` — ${reason}` : '';
  return `${VERDICT[lang][recheck.verdict]}, ${dateTime(recheck.checkedAt)} (${RECHECK_SOURCE[lang]})${why}`;
}

const date = (d: Date | string | null): string => {
  if (!d) return '—';
  const x = typeof d === 'string' ? new Date(d.length === 10 ? `${d}T00:00:00Z` : d) : d;
  return `${String(x.getUTCDate()).padStart(2, '0')}.${String(x.getUTCMonth() + 1).padStart(2, '0')}.${x.getUTCFullYear()}`;
};

/** The watermark's words, also searched for by tests with pdftotext. */
export function watermarkText(info: Pick<CertificationInfo, 'requester' | 'requestNumber' | 'copyDate'>): string {
  return `Көшірме / Копия: ${info.requester} · № ${info.requestNumber} · ${date(info.copyDate)}`;
}

function wrap(font: PDFFont, text: string, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const next = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(next, size) <= width) {
        line = next;
        continue;
      }
      if (line) lines.push(line);
      // A word wider than the line (a hash, a long name) is cut into pieces that fit.
      let rest = word;
      while (font.widthOfTextAtSize(rest, size) > width) {
        let n = rest.length - 1;
        while (n > 1 && font.widthOfTextAtSize(rest.slice(0, n), size) > width) n--;
        lines.push(rest.slice(0, n));
        rest = rest.slice(n);
      }
      line = rest;
    }
    lines.push(line);
  }
  return lines;
}

/** Puts a diagonal watermark in its own content stream before the page's content (under it). */
function underlay(doc: PDFDocument, page: PDFPage, font: PDFFont, text: string): void {
  const { width, height } = page.getSize();
  const diagonal = Math.hypot(width, height) * 0.8;
  let size = 28;
  while (size > 8 && font.widthOfTextAtSize(text, size) > diagonal) size -= 1;
  const angle = Math.atan2(height, width);
  const textWidth = font.widthOfTextAtSize(text, size);
  const x = width / 2 - (Math.cos(angle) * textWidth) / 2 + (Math.sin(angle) * size) / 2;
  const y = height / 2 - (Math.sin(angle) * textWidth) / 2 - (Math.cos(angle) * size) / 2;
  const fontKey = page.node.newFontDictionary(font.name, font.ref);
  const ops = drawText(font.encodeText(text), {
    color: rgb(0.82, 0.82, 0.82),
    font: fontKey,
    size,
    rotate: degrees((angle * 180) / Math.PI),
    xSkew: degrees(0),
    ySkew: degrees(0),
    x,
    y,
  });
  const stream = doc.context.contentStream(ops);
  const ref: PDFRef = doc.context.register(stream);
  const contents = page.node.Contents();
  if (contents instanceof PDFArray) contents.insert(0, ref);
  else if (contents) page.node.set(PDFName.of('Contents'), doc.context.obj([ref, page.node.get(PDFName.of('Contents'))!]));
  else page.node.set(PDFName.of('Contents'), doc.context.obj([ref]));
}

function marginLine(page: PDFPage, font: PDFFont, text: string): void {
  const { width } = page.getSize();
  let size = 7.5;
  while (size > 4 && font.widthOfTextAtSize(text, size) > width - 40) size -= 0.5;
  page.drawText(text, { x: 20, y: 10, size, font, color: rgb(0.35, 0.35, 0.35) });
}

/**
 * The certified copy of one rendition. Throws when the rendition cannot be read as PDF (the
 * caller names the document).
 */
export async function certifyCopy(rendition: Uint8Array, info: CertificationInfo): Promise<{ bytes: Uint8Array; sheets: number }> {
  const doc = await PDFDocument.load(rendition, { updateMetadata: false });
  const fonts = await embedFormFonts(doc);
  const regular = fonts.regular.pdf;
  const bold = fonts.bold.pdf;
  const mark = watermarkText(info);
  const sheets = doc.getPageCount() + 1;

  for (const page of doc.getPages()) {
    underlay(doc, page, regular, mark);
    marginLine(page, regular, mark);
  }

  const sheet = doc.addPage([A4.width, A4.height]);
  underlay(doc, sheet, regular, mark);
  const left = 56;
  const width = A4.width - 2 * left;
  let y = A4.height - 64;
  const put = (text: string, font: PDFFont, size: number, gap = 3) => {
    for (const line of wrap(font, text, size, width)) {
      sheet.drawText(line, { x: left, y, size, font, color: rgb(0, 0, 0) });
      y -= size + gap;
    }
  };

  // The stamp: a framed box with the certification text in both languages.
  const boxTop = y + 18;
  put(STAMP.kk.toUpperCase(), bold, 13, 4);
  put(STAMP.ru.toUpperCase(), bold, 13, 4);
  y -= 6;
  sheet.drawRectangle({ x: left - 10, y: y + 6, width: width + 20, height: boxTop - y - 6, borderColor: rgb(0, 0, 0), borderWidth: 1.2 });
  y -= 14;

  const d = info.document;
  const signers = info.signature.signers.length ? ` (${info.signature.signers.join('; ')})` : '';
  const checked = info.signature.checkedAt ? `, ${date(info.signature.checkedAt)}` : '';
  const lines: Record<'kk' | 'ru', [string, string][]> = {
    kk: [
      ['Құжат', `${d.title}${d.number ? `, № ${d.number}` : ''}${d.date ? `, ${date(d.date)}` : ''}`],
      ['Іс', `${d.dossier}, құжат № ${d.position}`],
      ['Түпнұсқаның ЭЦҚ тексеру нәтижесі (қабылдау кезінде)', `${VERDICT.kk[info.signature.verdict]}${signers}${checked}`],
      ...(info.signature.recheck ? [['Түпнұсқаның ЭЦҚ көшірме жасау кезінде қайта тексерілді', recheckLine('kk', info.signature.recheck)] as [string, string]] : []),
      ['Ақпараттық жүйе (дереккөз)', info.sourceSystem],
      ['Көшірме жасалған күн', date(info.copyDate)],
      ['Парақ саны', `${sheets} (осы куәландыру парағымен)`],
      ['Куәландырған', `${info.certifier.position} ${info.certifier.name}`],
      ['Сұрау нөмірі', info.requestNumber],
      ['Көшірме берілді', info.requester],
    ],
    ru: [
      ['Документ', `${d.title}${d.number ? `, № ${d.number}` : ''}${d.date ? `, ${date(d.date)}` : ''}`],
      ['Дело', `${d.dossier}, документ № ${d.position}`],
      ['Результат проверки ЭЦП подлинника при приёме', `${VERDICT.ru[info.signature.verdict]}${signers}${checked}`],
      ...(info.signature.recheck ? [['Повторная проверка ЭЦП подлинника при изготовлении копии', recheckLine('ru', info.signature.recheck)] as [string, string]] : []),
      ['Информационная система (источник)', info.sourceSystem],
      ['Дата изготовления копии', date(info.copyDate)],
      ['Количество листов', `${sheets} (с настоящим листом заверения)`],
      ['Заверил', `${info.certifier.position} ${info.certifier.name}`],
      ['Номер запроса', info.requestNumber],
      ['Копия выдана', info.requester],
    ],
  };
  for (const lang of ['kk', 'ru'] as const) {
    for (const [label, value] of lines[lang]) put(`${label}: ${value}`, regular, 10, 3);
    y -= 10;
  }
  put(
    `${info.organisation}. Көшірмеге мұрағаттың жүйелік кілтімен қол қойылған (CMS, бөлек .p7s файлы). / ` +
      'Копия подписана системным ключом архива (CMS, отдельный файл .p7s).',
    regular,
    9,
    3,
  );
  marginLine(sheet, regular, mark);

  const bytes = await savePdfA(doc, {
    title: `${STAMP.ru}: ${d.title}`.slice(0, 500),
    author: info.organisation,
    subject: mark,
    language: 'kk',
    date: info.copyDate,
  });
  return { bytes, sheets };
}
