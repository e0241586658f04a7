// App. 32 — «Внутренняя опись документов в электронном виде электронного дела № ___» /
// «№ ___ электрондық істің электрондық түрдегі құжаттарының ішкі тізімдемесі», compiled for
// every e-dossier and kept in it as a separate e-document signed by its compiler (p.208).
// Headings word for word from the seed (../shared/seeds/001_*.txt, Приложение 32 / 32-қосымша).
import { pageLabel, signatureBlocks, titleItems, numberRow, type FormDefinition } from './blocks';
import type { Block } from './layout';
import { formatDate, formatNumber, pick } from './text';
import type { FormLanguage, InternalInventoryForm } from './types';
import { countWithNoun, type CountedNoun } from './words';

const TEXT = {
  ru: {
    title: (n: string) => `Внутренняя опись документов в электронном виде электронного дела № ${n}`,
    headings: [
      '№ п/п',
      'Дата документа в электронном виде',
      'Заголовок документа в электронном виде',
      'Количество объектов хранения (файлов)',
      'Общий объем объектов хранения в (байтах)',
      'Общая контрольная характеристика',
      'Примечание',
    ],
    total: 'Итого:',
    volume: 'Общий объем объектов хранения электронного дела',
    compilerCaption: '(наименование должности лица, составившего внутреннюю опись документов в электронном виде электронного дела)',
    dossier: 'Индекс и заголовок электронного дела:',
  },
  kk: {
    title: (n: string) => `№ ${n} электрондық істің электрондық түрдегі құжаттарының ішкі тізімдемесі`,
    headings: [
      'Р/с',
      'Электрондық түрдегі құжаттың датасы',
      'Электрондық түрдегі құжаттың тақырыбы',
      'Сақтау объектілерінің (файлдар) саны',
      'Сақтау объектілерінің жалпы көлемі (байтта)',
      'Жалпы бақылау сипаттамасы',
      'Ескертпе',
    ],
    total: 'Барлығы:',
    volume: 'Электрондық істі сақтау объектілерінің жалпы көлемі',
    compilerCaption: '(электрондық істің электрондық түрдегі құжаттарының ішкі тізімдемесін жасаған адам лауазымының атауы)',
    dossier: 'Электрондық істің индексі мен тақырыбы:',
  },
} as const;

/** «документ в электронном виде»: the noun of the seed's total line, with its Russian forms. */
export const E_FORM_DOCUMENT: CountedNoun = {
  kk: 'электрондық түрдегі құжат',
  ru: { one: 'документ в электронном виде', few: 'документа в электронном виде', many: 'документов в электронном виде', gender: 'masculine' },
};
/** «объект хранения»; Kazakh keeps the singular after a numeral (12 сақтау объектісі). */
export const STORED_OBJECT: CountedNoun = {
  kk: 'сақтау объектісі',
  ru: { one: 'объект хранения', few: 'объекта хранения', many: 'объектов хранения', gender: 'masculine' },
};

/** The hash wraps in groups of 16 so the column stays narrow and every digit stays readable. */
function characteristic(hex: string): string {
  return hex.replace(/(.{16})(?=.)/g, '$1 ');
}

export const internalInventoryForm: FormDefinition<InternalInventoryForm> = {
  kind: 'internal-inventory',
  appendix: 32,
  title: (model, lang) => TEXT[lang].title(model.dossierNumber),
  headings: (lang) => [...TEXT[lang].headings],
  rows: (model, lang) =>
    model.rows.map((r) => ({
      kind: 'cells',
      cells: [String(r.number), formatDate(r.date), pick(r.title, lang), formatNumber(r.files), formatNumber(r.bytes), characteristic(r.controlCharacteristic), pick(r.note, lang)],
    })),
  check(model) {
    const problems: string[] = [];
    const sum = (f: (r: InternalInventoryForm['rows'][number]) => number) => model.rows.reduce((s, r) => s + f(r), 0);
    if (model.totals.documents !== model.rows.length) problems.push(`totals.documents ${model.totals.documents} ≠ ${model.rows.length} rows`);
    if (model.totals.files !== sum((r) => r.files)) problems.push(`totals.files ${model.totals.files} ≠ ${sum((r) => r.files)}`);
    if (model.totals.bytes !== sum((r) => r.bytes)) problems.push(`totals.bytes ${model.totals.bytes} ≠ ${sum((r) => r.bytes)}`);
    return problems;
  },
  document(model, lang: FormLanguage) {
    const t = TEXT[lang];
    const { totals } = model;
    const blocks: Block[] = [
      { kind: 'stack', keepWithNext: true, items: [...titleItems([t.title(model.dossierNumber)]), { kind: 'space', height: 4 }] },
      {
        kind: 'stack',
        keepWithNext: true,
        items: [
          { kind: 'text', text: `${t.dossier} ${model.dossierIndex} — ${pick(model.dossierTitle, lang)}`, size: 10, align: 'center' },
          ...(model.organisation ? [{ kind: 'text' as const, text: pick(model.organisation.name, lang), size: 10, align: 'center' as const }] : []),
          { kind: 'space', height: 8 },
        ],
      },
      {
        kind: 'table',
        keepWithNext: true,
        table: {
          columns: [
            { width: 4, align: 'right' },
            { width: 8, align: 'center' },
            { width: 28 },
            { width: 10, align: 'right' },
            { width: 10, align: 'right' },
            { width: 23 },
            { width: 17 },
          ],
          header: [t.headings.map((text) => ({ text }))],
          numbers: numberRow(7),
          rows: internalInventoryForm.rows(model, lang),
        },
      },
      {
        kind: 'stack',
        keepTogether: true,
        keepWithNext: true,
        items: [
          { kind: 'space', height: 8 },
          {
            kind: 'text',
            size: 10,
            text: `${t.total} ${countWithNoun(totals.documents, lang, E_FORM_DOCUMENT)}, ${countWithNoun(totals.files, lang, STORED_OBJECT)}.`,
          },
          { kind: 'text', size: 10, text: `${t.volume} ${formatNumber(totals.bytes)} ${countWithNoun(totals.bytes, lang, 'byte', { words: false }).replace(/^\d+ /, '')}` },
          { kind: 'space', height: 12 },
        ],
      },
      ...signatureBlocks(model.compiler, lang, { caption: t.compilerCaption }),
    ];
    return { orientation: 'landscape', title: t.title(model.dossierNumber), language: lang, blocks, pageLabel };
  },
};
