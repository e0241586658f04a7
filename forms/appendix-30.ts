// App. 30 — «Опись № ___ электронных дел (наименование категории дел) за ___ год» /
// «Электрондық іс Тізімдемесі № ___ ___ жылдағы (іс санатының атауы)»: the inventory a
// department compiles of its permanent, over-10-year or personnel e-dossiers (p.195, p.207),
// approved by the department head. Headings word for word from the seed (Приложение 30 /
// 30-қосымша); the seed's «Электроного» (col. 7) is printed with its spelling corrected.
import { approvalItems, pageLabel, protocolItems, signatureBlocks, titleItems, numberRow, type FormDefinition } from './blocks';
import type { Block, TableRow } from './layout';
import { BLANK, formatDateRange, formatNumber, formatRetention, pick } from './text';
import type { InventoryCategory, InventoryForm } from './types';
import { countWithNoun, type CountedNoun } from './words';

const TEXT = {
  ru: {
    inventory: 'Опись',
    ofEDossiers: 'электронных дел',
    forYear: (y: number) => `за ${y} год`,
    category: {
      permanent: 'постоянного хранения',
      over_10: 'временного (свыше 10 лет) хранения',
      personnel: 'по личному составу',
    } satisfies Record<InventoryCategory, string>,
    headings: [
      '№ п/п',
      'Индекс электронного дела',
      'Название раздела, заголовок электронного дела',
      'Крайние даты электронного дела',
      'Количество документов в электронном деле',
      'Объем документов в электронном виде электронного дела',
      'Срок хранения электронного дела*',
      'Примечание',
    ],
    organisationCaption: '(наименование организации)',
    positionCaption: '(наименование должности руководителя структурного подразделения организации)',
    departmentCaption: '(наименование структурного подразделения организации)',
    included: (count: string, from: string, to: string) => `В данную опись внесено ${count} с № ${from} по № ${to}`,
    compilerCaption: '(наименование должности, фамилия и инициалы составителя описи)',
    agreed: 'Согласовано**',
    protocol: 'Протокол заседания ЭК',
    protocolCaption: '(наименование структурного подразделения) (дата и номер протокола)',
    handedOver: (count: string) => `Передал ${count}.`,
    handedOverCaption: '(наименование должности, фамилия и инициалы работника, передавшего электронные дела)',
    accepted: (count: string) => `Принял ${count}.`,
    acceptedCaption: '(наименование должности, фамилия и инициалы работника архива организации, принявшего электронные дела)',
    footnote1: '* Графа 7 не оформляется в описях дел постоянного хранения.',
    footnote2: '** Оформляется при наличии ЭК структурного подразделения.',
    bytes: 'байт',
  },
  kk: {
    inventory: 'Тізімдемесі',
    ofEDossiers: 'Электрондық іс',
    forYear: (y: number) => `${y} жылдағы`,
    category: {
      permanent: 'тұрақты сақталатын',
      over_10: 'уақытша (10 жылдан жоғары) сақталатын',
      personnel: 'жеке құрам бойынша',
    } satisfies Record<InventoryCategory, string>,
    headings: [
      'Р/с №№',
      'Электрондық іс индексі',
      'Бөлік атауы, электрондық істің тақырыбы',
      'Электрондық істің соңғы датасы',
      'Электрондық істегі құжаттар саны',
      'Электрондық істегі электрондық құжат көлемі',
      'Электрондық істі сақтау мерзімі*',
      'Ескертпе',
    ],
    organisationCaption: '(ұйым атауы)',
    positionCaption: '(ұйымның құрылымдық бөлімшесі басшысы лауазымының атауы)',
    departmentCaption: '(ұйымның құрылымдық бөлімшесінің атауы)',
    included: (count: string, from: string, to: string) => `Аталған тізімдемеге № ${from} – № ${to} ${count} енгізілді`,
    compilerCaption: '(тізімдемені жасаушы лауазымының атауы, тегі және инициалдары)',
    agreed: 'Келісілді**',
    protocol: 'СК отырысының хаттамасы',
    protocolCaption: '(құрылымдық бөлімше атауы) (хаттаманың датасы мен нөмірі)',
    handedOver: (count: string) => `${count} тапсырды.`,
    handedOverCaption: '(электрондық істі тапсырған жұмыскер лауазымының атауы, тегі және инициалдары)',
    accepted: (count: string) => `${count} қабылдады.`,
    acceptedCaption: '(электрондық істерді қабылдаған ұйым архив қызметкері лауазымының атауы, тегі және инициалдары)',
    footnote1: '* Тұрақты сақталатын істер тізімдемесінде 7-баған ресімделмейді.',
    footnote2: '** Құрылымдық бөлімшенің СК болған кезде толтырылады.',
    bytes: 'байт',
  },
} as const;

/** «электронное дело» in the total line; Kazakh as the seed writes it («электрондық іс енгізілді»). */
const E_DOSSIER = { kk: 'электрондық іс', ru: { one: 'электронное дело', few: 'электронных дела', many: 'электронных дел', gender: 'neuter' } } as const satisfies CountedNoun;
/** «Передал … электронных дел» / «… электрондық істі тапсырды» (accusative in Kazakh). */
const E_DOSSIER_OBJECT = { kk: 'электрондық істі', ru: E_DOSSIER.ru } as const satisfies CountedNoun;

function title(model: InventoryForm, lang: 'kk' | 'ru'): string {
  const t = TEXT[lang];
  return lang === 'ru'
    ? `${t.inventory} № ${model.number} ${t.ofEDossiers} ${t.category[model.category]} ${t.forYear(model.year)}`
    : `${t.ofEDossiers} ${t.inventory} № ${model.number} ${t.forYear(model.year)} ${t.category[model.category]}`;
}

function rows(model: InventoryForm, lang: 'kk' | 'ru'): TableRow[] {
  const out: TableRow[] = [];
  let section: string | null = null;
  for (const r of model.rows) {
    const s = pick(r.section, lang);
    if (s && s !== section) out.push({ kind: 'section', text: s });
    section = s || section;
    out.push({
      kind: 'cells',
      cells: [
        String(r.number),
        r.index,
        pick(r.heading, lang),
        formatDateRange(r.dates),
        formatNumber(r.documents),
        formatNumber(r.bytes),
        // Col. 7 is not filled in inventories of permanent dossiers (footnote *).
        model.category === 'permanent' ? '' : formatRetention(r.retention, lang),
        pick(r.note, lang),
      ],
    });
  }
  return out;
}

export const inventoryForm: FormDefinition<InventoryForm> = {
  kind: 'inventory',
  appendix: 30,
  title,
  headings: (lang) => [...TEXT[lang].headings],
  rows,
  check(model) {
    const problems: string[] = [];
    const { totals } = model;
    if (totals.dossiers !== model.rows.length) problems.push(`totals.dossiers ${totals.dossiers} ≠ ${model.rows.length} rows`);
    const docs = model.rows.reduce((s, r) => s + r.documents, 0);
    const bytes = model.rows.reduce((s, r) => s + r.bytes, 0);
    if (totals.documents !== docs) problems.push(`totals.documents ${totals.documents} ≠ ${docs}`);
    if (totals.bytes !== bytes) problems.push(`totals.bytes ${totals.bytes} ≠ ${bytes}`);
    if (model.rows.length) {
      const first = model.rows[0]!.number;
      const last = model.rows[model.rows.length - 1]!.number;
      if (totals.firstNumber !== first || totals.lastNumber !== last) problems.push(`numbers ${totals.firstNumber}–${totals.lastNumber} ≠ ${first}–${last}`);
    }
    return problems;
  },
  document(model, lang) {
    const t = TEXT[lang];
    const { totals } = model;
    // A count not known yet leaves the seed's blank before the noun.
    const count = (n: number | null, noun: CountedNoun) => (n === null ? `${BLANK} ${lang === 'kk' ? noun.kk : noun.ru.many}` : countWithNoun(n, lang, noun));
    const heading =
      lang === 'ru'
        ? [`${t.inventory} № ${model.number}`, t.ofEDossiers, t.category[model.category], t.forYear(model.year)]
        : [`${t.ofEDossiers} ${t.inventory}`, `№ ${model.number}`, t.forYear(model.year), t.category[model.category]];
    const blocks: Block[] = [
      {
        kind: 'columns',
        keepWithNext: true,
        columns: [
          { width: 0.55, items: [{ kind: 'text', text: pick(model.organisation.name, lang), bold: true, size: 11 }, { kind: 'text', text: pick(model.department, lang), size: 10 }] },
          {
            width: 0.45,
            items: approvalItems(model.approval, lang, { organisationCaption: t.organisationCaption, positionCaption: t.positionCaption, departmentCaption: t.departmentCaption }),
          },
        ],
      },
      { kind: 'stack', keepWithNext: true, items: [{ kind: 'space', height: 10 }, ...titleItems(heading), { kind: 'space', height: 8 }] },
      {
        kind: 'table',
        keepWithNext: true,
        table: {
          columns: [
            { width: 4, align: 'right' },
            { width: 8, align: 'center' },
            { width: 30 },
            { width: 12, align: 'center' },
            { width: 9, align: 'right' },
            { width: 11, align: 'right' },
            { width: 12 },
            { width: 14 },
          ],
          header: [t.headings.map((text) => ({ text }))],
          numbers: numberRow(8),
          rows: rows(model, lang),
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
            text: t.included(countWithNoun(totals.dossiers, lang, E_DOSSIER), totals.firstNumber === null ? BLANK : String(totals.firstNumber), totals.lastNumber === null ? BLANK : String(totals.lastNumber)),
          },
          { kind: 'space', height: 8 },
        ],
      },
      ...signatureBlocks(model.compiler, lang, { caption: t.compilerCaption, keepWithNext: true }),
      { kind: 'stack', keepTogether: true, keepWithNext: true, items: [...protocolItems([t.agreed, t.protocol], model.expertCommission, lang, t.protocolCaption), { kind: 'space', height: 8 }] },
      ...signatureBlocks(model.handedOver.signature, lang, { label: t.handedOver(count(model.handedOver.count, E_DOSSIER_OBJECT)), caption: t.handedOverCaption }),
      ...signatureBlocks(model.accepted.signature, lang, { label: t.accepted(count(model.accepted.count, E_DOSSIER_OBJECT)), caption: t.acceptedCaption, keepWithNext: true }),
      { kind: 'stack', keepTogether: true, items: [{ kind: 'text', text: '______________', size: 9 }, { kind: 'text', text: t.footnote1, size: 8.5 }, { kind: 'text', text: t.footnote2, size: 8.5 }] },
    ];
    return { orientation: 'landscape', title: title(model, lang), language: lang, blocks, pageLabel };
  },
};
