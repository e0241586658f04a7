// Blocks every form shares: the approval corner («УТВЕРЖДАЮ» / «БЕКІТЕМІН»), signature lines
// (position, personal signature, name written out, date; the electronic signature when there
// is one), protocol lines, and the definition every appendix file fills.
import type { Block, FormDocumentSpec, StackItem, TableRow } from './layout';
import { BLANK, formatDate, formatInstant, formatProtocol, pick } from './text';
import type { FormApproval, FormKind, FormLanguage, FormModel, FormProtocol, FormSignature } from './types';

/** Captions of the signature blocks as the seed forms print them. */
export const CAPTIONS = {
  ru: {
    approve: 'УТВЕРЖДАЮ',
    personalSignature: '(личная подпись)',
    nameWritten: '(расшифровка подписи)',
    date: 'Дата',
    signedElectronically: 'Подписано электронной цифровой подписью',
    certificate: 'сертификат',
  },
  kk: {
    approve: 'БЕКІТЕМІН',
    personalSignature: '(өз қолы)',
    nameWritten: '(қолтаңбаның толық жазылуы)',
    date: 'Датасы',
    signedElectronically: 'Электрондық цифрлық қолтаңбамен қол қойылды',
    certificate: 'тіркелгі куәлігі',
  },
} as const satisfies Record<FormLanguage, Record<string, string>>;

/** The line saying a signature is electronic and whose it is, or nothing when unsigned. */
function electronicMark(sig: FormSignature, lang: FormLanguage): StackItem[] {
  if (!sig.signed) return [];
  const c = CAPTIONS[lang];
  const parts = [c.signedElectronically, formatInstant(sig.signedAt)].filter(Boolean).join(', ');
  const cert = sig.certificate ? `${c.certificate}: ${sig.certificate}` : '';
  return [{ kind: 'text', text: [parts, cert].filter(Boolean).join('; '), size: 7.5, spaceBefore: 1 }];
}

export interface SignatureOptions {
  /** Text before the position («Передал (а)», «Составитель»). */
  label?: string;
  /** The form's own caption under the position and name, e.g. «(наименование должности, фамилия и инициалы составителя описи)». */
  caption?: string;
  /** Font size of the position and name; 10 by default. */
  size?: number;
  keepWithNext?: boolean;
}

/**
 * A signature: position (with the form's label) on the left, the line for the personal
 * signature, the name written out, then the date; the electronic signature under it.
 */
export function signatureBlocks(sig: FormSignature, lang: FormLanguage, options: SignatureOptions = {}): Block[] {
  const c = CAPTIONS[lang];
  const size = options.size ?? 10;
  const position = sig.person ? pick(sig.person.position, lang) : '';
  const left: StackItem[] = [];
  if (options.label) left.push({ kind: 'text', text: options.label, size, bold: true });
  left.push({ kind: 'rule', value: position, caption: options.caption, size, align: 'left' });
  const blocks: Block[] = [
    {
      kind: 'columns',
      gap: 10,
      keepWithNext: true,
      columns: [
        { width: 0.42, items: left },
        { width: 0.22, items: [...(options.label ? [{ kind: 'space' as const, height: size * 1.22 }] : []), { kind: 'rule', value: '', caption: c.personalSignature, size }] },
        { width: 0.36, items: [...(options.label ? [{ kind: 'space' as const, height: size * 1.22 }] : []), { kind: 'rule', value: sig.person?.name ?? '', caption: c.nameWritten, size }] },
      ],
    },
    {
      kind: 'stack',
      keepTogether: true,
      keepWithNext: options.keepWithNext,
      items: [{ kind: 'text', text: `${c.date}: ${formatDate(sig.date) || BLANK}`, size: size - 1, spaceBefore: 2 }, ...electronicMark(sig, lang), { kind: 'space', height: 8 }],
    },
  ];
  return blocks;
}

/**
 * The approval corner: «УТВЕРЖДАЮ», organisation, the head's position, department, the line for
 * the signature with the name, the date. Placed in the right part of the page.
 */
export function approvalItems(approval: FormApproval | null, lang: FormLanguage, defaults: { positionCaption: string; organisationCaption?: string; departmentCaption?: string }): StackItem[] {
  const c = CAPTIONS[lang];
  const size = 10;
  const sig = approval?.signature ?? { person: null, date: null, signed: false };
  const items: StackItem[] = [{ kind: 'text', text: c.approve, bold: true, size: 11, spaceAfter: 2 }];
  if (defaults.organisationCaption) items.push({ kind: 'rule', value: pick(approval?.organisation, lang), caption: defaults.organisationCaption, size, align: 'left' });
  items.push({ kind: 'rule', value: sig.person ? pick(sig.person.position, lang) : '', caption: defaults.positionCaption, size, align: 'left' });
  if (defaults.departmentCaption) items.push({ kind: 'rule', value: pick(approval?.department, lang), caption: defaults.departmentCaption, size, align: 'left' });
  items.push({ kind: 'rule', value: sig.person?.name ?? '', caption: `${c.personalSignature} ${c.nameWritten}`, size });
  items.push({ kind: 'text', text: `${c.date}: ${formatDate(sig.date) || BLANK}`, size: size - 1, spaceBefore: 2 });
  items.push(...electronicMark(sig, lang));
  return items;
}

/** «Согласована протоколом … (дата и номер протокола)» as stack items. */
export function protocolItems(titles: string[], protocol: FormProtocol | null, lang: FormLanguage, caption: string): StackItem[] {
  const body = pick(protocol?.body, lang);
  return [
    ...titles.map((text) => ({ kind: 'text' as const, text, size: 10 })),
    ...(body ? [{ kind: 'text' as const, text: body, size: 10 }] : []),
    { kind: 'rule', value: protocol ? formatProtocol(protocol) : '', caption, size: 10 },
  ];
}

/** What each appendix file provides: its table for CSV and PDF, and the whole document. */
export interface FormDefinition<M extends FormModel> {
  kind: FormKind;
  appendix: number;
  /** Title for metadata and file names: «Опись № 3 электронных дел за 2025 год». */
  title(model: M, lang: FormLanguage): string;
  /** Leaf column headings, word for word from the seed, in column order. */
  headings(lang: FormLanguage): string[];
  /** The official number of each leaf column when it is not 1, 2, 3 … (App. 33: two sub-columns share «5»). */
  columnNumbers?: number[];
  /** The body rows as printed (section rows included), one string per leaf column. */
  rows(model: M, lang: FormLanguage): TableRow[];
  /** The document to lay out. */
  document(model: M, lang: FormLanguage): FormDocumentSpec;
  /** Checks the model's totals against its rows; a list of mismatches (empty when right). */
  check(model: M): string[];
}

/** Title lines centred: the form's name, bold. */
export function titleItems(lines: string[], size = 12): StackItem[] {
  return lines.filter(Boolean).map((text, i) => ({ kind: 'text', text, bold: i === 0, size: i === 0 ? size : size - 1, align: 'center' }));
}

/** «1», «2» … for the number row, one per leaf column unless a form groups them. */
export function numberRow(count: number): { text: string }[] {
  return Array.from({ length: count }, (_, i) => ({ text: String(i + 1) }));
}

export const pageLabel = (page: number, pages: number): string => `${page} / ${pages}`;
