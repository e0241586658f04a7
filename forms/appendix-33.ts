// App. 33 — «Акт приема-передачи электронных документов и дел службы ДОУ организации» /
// «Ұйымды БҚҚ қызметінің электрондық құжаттары мен істерін қабылдау-тапсыру актісі»: one act
// for each accepted transfer, approved by the organisation head; «Итого принято: … электронных
// документов (цифрами и прописью)». Headings word for word from the seed (Приложение 33 /
// 33-қосымша). Column 5 «Статус электронной цифровой подписи» has two sub-columns (наличие /
// отсутствует) under one number, as in the Kazakh seed's number row 1–7.
import { approvalItems, pageLabel, signatureBlocks, titleItems, type FormDefinition } from './blocks';
import type { Block, TableRow } from './layout';
import { BLANK, formatDate, formatNumber, formatRetention, pick } from './text';
import type { AcceptanceActForm } from './types';
import { countWithNoun, NOUNS } from './words';

const TEXT = {
  ru: {
    formName: 'Акт приема-передачи электронных документов и дел службы ДОУ организации',
    act: (n: string) => `АКТ № ${n}`,
    about: 'О приеме-передаче электронных документов',
    parties: (from: string, to: string, years: string) => `${from} передал (а), а ${to} принял (а) электронные документы ${years} и регистрационные карточки к ним:`,
    years: (a: number, b: number) => (a === b ? `за ${a} год` : `за ${a}–${b} годы`),
    headings: ['№ п/п', 'Индекс электронных документов', 'Количество электронных документов', 'Количество файлов', 'Статус электронной цифровой подписи', 'Объем памяти электронных файлов', 'Сроки хранения'],
    present: 'наличие',
    absent: 'Отсутствует',
    acceptedTotal: 'Итого принято:',
    inDigitsAndWords: '(цифрами и прописью)',
    condition: 'Состояние электронных документов',
    conditionCaption: '(общая характеристика состояния)',
    handedOver: 'Передал (а)',
    accepted: 'Принял (а)',
    signatureCaption: '(электронная цифровая подпись) или (подпись)',
    positionCaption: 'Наименование должности руководителя организации',
    actDate: 'Дата акта',
  },
  kk: {
    formName: 'Ұйымды БҚҚ қызметінің электрондық құжаттары мен істерін қабылдау-тапсыру актісі',
    act: (n: string) => `№ ${n} АКТ`,
    about: 'Электрондық құжаттарды қабылдау-тапсыру туралы',
    parties: (from: string, to: string, years: string) => `${years} электрондық құжаттар мен оларға тіркеу карточкасын ${from} тапсырды, ал ${to} қабылдады:`,
    years: (a: number, b: number) => (a === b ? `${a} жылғы` : `${a}–${b} жылдардағы`),
    headings: ['Р/с', 'Электрондық құжаттар индексі', 'Электрондық құжаттар саны', 'Файлдар саны', 'ЭЦҚ мәртебесі', 'Электрондық файл жадының көлемі', 'Сақтау мерзімі'],
    present: 'Бар',
    absent: 'Жоқ',
    acceptedTotal: 'Барлығы қабылданды:',
    inDigitsAndWords: '(цифрмен және жазбаша)',
    condition: 'Электрондық құжаттардың жай-күйі',
    conditionCaption: '(жай-күйдің жалпы сипаттамасы)',
    handedOver: 'Тапсырды',
    accepted: 'Қабылдады',
    signatureCaption: '(электронды цифрлық қолтаңба) немесе (қолы)',
    positionCaption: 'Ұйым басшысы лауазымының атауы',
    actDate: 'Актінің датасы',
  },
} as const;

/** Leaf headings for CSV: the signature column's two sub-columns named after their group. */
function headings(lang: 'kk' | 'ru'): string[] {
  const t = TEXT[lang];
  const h = t.headings;
  return [h[0], h[1], h[2], h[3], `${h[4]}: ${t.present}`, `${h[4]}: ${t.absent}`, h[5], h[6]];
}

function rows(model: AcceptanceActForm, lang: 'kk' | 'ru'): TableRow[] {
  return model.rows.map((r) => ({
    kind: 'cells',
    cells: [String(r.number), r.index, formatNumber(r.documents), formatNumber(r.files), formatNumber(r.signed), formatNumber(r.unsigned), formatNumber(r.bytes), formatRetention(r.retention, lang)],
  }));
}

function title(model: AcceptanceActForm, lang: 'kk' | 'ru'): string {
  return `${TEXT[lang].act(model.actNumber)} — ${TEXT[lang].about}`;
}

export const acceptanceActForm: FormDefinition<AcceptanceActForm> = {
  kind: 'acceptance-act',
  appendix: 33,
  title,
  headings,
  columnNumbers: [1, 2, 3, 4, 5, 5, 6, 7],
  rows,
  check(model) {
    const problems: string[] = [];
    const sum = (f: (r: AcceptanceActForm['rows'][number]) => number) => model.rows.reduce((s, r) => s + f(r), 0);
    for (const key of ['documents', 'files', 'signed', 'unsigned', 'bytes'] as const) {
      const total = sum((r) => r[key]);
      if (model.totals[key] !== total) problems.push(`totals.${key} ${model.totals[key]} ≠ ${total}`);
    }
    for (const r of model.rows) if (r.signed + r.unsigned !== r.documents) problems.push(`row ${r.number}: signed ${r.signed} + unsigned ${r.unsigned} ≠ documents ${r.documents}`);
    return problems;
  },
  document(model, lang) {
    const t = TEXT[lang];
    const h = t.headings;
    const blocks: Block[] = [
      { kind: 'stack', keepWithNext: true, items: [...titleItems([t.formName], 11), { kind: 'space', height: 8 }] },
      {
        kind: 'columns',
        keepWithNext: true,
        columns: [
          { width: 0.5, items: [{ kind: 'text', text: pick(model.organisation.name, lang), bold: true, size: 11 }] },
          { width: 0.5, items: approvalItems(model.approval, lang, { positionCaption: t.positionCaption }) },
        ],
      },
      {
        kind: 'stack',
        keepWithNext: true,
        items: [
          { kind: 'space', height: 10 },
          ...titleItems([t.act(model.actNumber), t.about]),
          { kind: 'text', text: `${t.actDate}: ${formatDate(model.actDate) || BLANK}`, size: 10, align: 'center' },
          { kind: 'space', height: 6 },
          { kind: 'text', text: t.parties(model.handedOverBy || BLANK, model.acceptedBy || BLANK, t.years(model.years.from, model.years.to)), size: 10.5 },
          { kind: 'space', height: 6 },
        ],
      },
      {
        kind: 'table',
        keepWithNext: true,
        table: {
          columns: [
            { width: 5, align: 'right' },
            { width: 15, align: 'center' },
            { width: 13, align: 'right' },
            { width: 11, align: 'right' },
            { width: 10, align: 'right' },
            { width: 11, align: 'right' },
            { width: 15, align: 'right' },
            { width: 20 },
          ],
          header: [
            [
              { text: h[0], rowSpan: 2 },
              { text: h[1], rowSpan: 2 },
              { text: h[2], rowSpan: 2 },
              { text: h[3], rowSpan: 2 },
              { text: h[4], colSpan: 2 },
              { text: h[5], rowSpan: 2 },
              { text: h[6], rowSpan: 2 },
            ],
            [{ text: t.present }, { text: t.absent }],
          ],
          numbers: [{ text: '1' }, { text: '2' }, { text: '3' }, { text: '4' }, { text: '5', colSpan: 2 }, { text: '6' }, { text: '7' }],
          rows: rows(model, lang),
        },
      },
      {
        kind: 'stack',
        keepTogether: true,
        keepWithNext: true,
        items: [
          { kind: 'space', height: 8 },
          { kind: 'text', text: t.acceptedTotal, size: 10.5, bold: true },
          { kind: 'text', text: `1) ${countWithNoun(model.totals.documents, lang, NOUNS.eDocument)}.`, size: 10.5 },
          { kind: 'text', text: t.inDigitsAndWords, size: 8 },
          { kind: 'space', height: 6 },
          { kind: 'text', text: t.condition, size: 10.5 },
          { kind: 'rule', value: pick(model.condition, lang), caption: t.conditionCaption, size: 10.5, align: 'left' },
          { kind: 'space', height: 10 },
        ],
      },
      ...signatureBlocks(model.handedOver, lang, { label: t.handedOver, caption: t.signatureCaption, keepWithNext: true }),
      ...signatureBlocks(model.accepted, lang, { label: t.accepted, caption: t.signatureCaption }),
    ];
    return { orientation: 'portrait', title: title(model, lang), language: lang, blocks, pageLabel };
  },
};
