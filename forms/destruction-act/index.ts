// The destruction act (BRIEF §9, standard practice: «Акт о выделении к уничтожению документов,
// не подлежащих хранению» / «Сақтауға жатпайтын құжаттарды жоюға бөлу туралы акт»), A4 portrait,
// PDF/A-1b through the forms/ layout engine: the organisation and the head's approval corner;
// number, date and place; the basis (the retention list used); "selected for destruction as
// having no historical value and no practical use, documents of fonds № …"; the table (№;
// heading of a dossier or group of dossiers; extreme dates; inventory or nomenclature numbers by
// year; indexes; number of dossiers; retention and article numbers; note); "Total N dossiers for
// years …" in digits and words; the line on the approved permanent inventories of those years;
// the appraiser's signature; the expert commission's protocol; after destruction, how, when, by
// whom. The seeds have no such form; the texts below follow the standard practice of the brief.
import { approvalItems, pageLabel, signatureBlocks, titleItems } from '../blocks';
import { renderFormPdf, type Block, type TableRow } from '../layout';
import { BLANK, formatDate, formatDateRange, formatRetention, pick } from '../text';
import type { FormApproval, FormLanguage, FormOrganisation, FormProtocol, FormRetention, FormSignature, IsoDate } from '../types';
import { countWithNoun, numberInWords } from '../words';

export interface DestructionActRow {
  number: number;
  /** Col. 2: the heading of the dossier, or of the group (same index, heading and retention over years). */
  heading: string;
  /** Col. 3: earliest and latest document dates of the group. */
  dates: { from: IsoDate | null; to: IsoDate | null };
  /** Col. 4: per year, the inventory number (App. 30) or, without one, the nomenclature item. */
  registers: { year: number | null; inventory: string | null; nomenclatureItem: number | null }[];
  /** Col. 5: dossier indexes. */
  indexes: string[];
  /** Col. 6: number of dossiers. */
  count: number;
  /** Col. 7: retention and the article of the retention list. */
  retention: FormRetention;
  /** Col. 8. */
  note: string | null;
}

export interface DestructionActForm {
  kind: 'destruction-act';
  id: string;
  organisation: FormOrganisation;
  approval: FormApproval | null;
  number: string;
  date: IsoDate;
  /** Place (city), when the catalog knows it. */
  place: string | null;
  /** «Основание»: the retention list (or typical nomenclature) used. */
  basis: string;
  fondsNumber: string | null;
  rows: DestructionActRow[];
  totals: { dossiers: number; years: number[] };
  /** The approved permanent inventories of those years (number, protocol). */
  permanentInventories: { year: number; inventories: { number: number; protocol: { number: string; date: string } | null }[] }[];
  appraiser: FormSignature;
  /** The expert commission's protocol that agreed the act. */
  protocol: FormProtocol | null;
  /** The destruction mark: how, when, by whom (after execution). */
  execution: { method: string; date: IsoDate; by: string; certificate: string | null } | null;
}

const TEXT = {
  ru: {
    formName: 'Акт о выделении к уничтожению документов, не подлежащих хранению',
    act: (n: string) => `АКТ № ${n}`,
    about: 'о выделении к уничтожению документов, не подлежащих хранению',
    date: 'Дата',
    place: 'Место составления',
    basis: 'Основание',
    selected: (fonds: string) => `Отобраны к уничтожению как не имеющие научно-исторической ценности и утратившие практическое значение документы фонда № ${fonds}:`,
    headings: ['№ п/п', 'Заголовок дела или групповой заголовок дел', 'Крайние даты', 'Номера описей (номенклатур) за годы', 'Индексы дел', 'Количество дел', 'Сроки хранения и номера статей по перечню', 'Примечание'],
    inventory: (n: string) => `опись № ${n}`,
    nomenclature: (item: number | null) => (item === null ? 'номенклатура' : `номенклатура, п. ${item}`),
    year: (y: number) => `${y} г.`,
    total: (count: string, years: string) => `Итого ${count} за ${years}`,
    years: (list: number[]) => (list.length === 1 ? `${list[0]} год` : `${list.join(', ')} годы`),
    inDigitsAndWords: '(цифрами и прописью)',
    inventoriesApproved: (years: string) => `Описи дел постоянного хранения за ${years} утверждены:`,
    inventoryLine: (y: number, items: string) => `${y} год — ${items}`,
    inventoryItem: (n: number, protocol: string) => (protocol ? `опись № ${n} (протокол ЭК ${protocol})` : `опись № ${n}`),
    appraiser: 'Экспертизу ценности провел(а)',
    appraiserCaption: '(наименование должности работника, проводившего экспертизу)',
    agreed: 'СОГЛАСОВАНО',
    agreedBy: 'Протокол экспертной комиссии (ЭК) организации',
    protocolCaption: '(дата и номер протокола)',
    positionCaption: 'Наименование должности руководителя организации',
    destroyed: 'Отметка об уничтожении',
    destroyedLine: (method: string, date: string, by: string) => `Документы уничтожены: ${method}; дата: ${date}; исполнитель: ${by}`,
    certificate: (c: string) => `Свидетельство об уничтожении: ${c}`,
  },
  kk: {
    formName: 'Сақтауға жатпайтын құжаттарды жоюға бөлу туралы акт',
    act: (n: string) => `№ ${n} АКТ`,
    about: 'сақтауға жатпайтын құжаттарды жоюға бөлу туралы',
    date: 'Датасы',
    place: 'Жасалған орны',
    basis: 'Негіздеме',
    selected: (fonds: string) => `Ғылыми-тарихи құндылығы жоқ және практикалық маңызын жоғалтқан ретінде № ${fonds} қордың құжаттары жоюға іріктелді:`,
    headings: ['Р/с №', 'Істің тақырыбы немесе істердің топтық тақырыбы', 'Шеткі күндері', 'Жылдар бойынша тізімдемелер (номенклатуралар) нөмірлері', 'Істер индекстері', 'Істер саны', 'Сақтау мерзімдері және тізбе бойынша баптар нөмірлері', 'Ескертпе'],
    inventory: (n: string) => `№ ${n} тізімдеме`,
    nomenclature: (item: number | null) => (item === null ? 'номенклатура' : `номенклатура, ${item}-тармақ`),
    year: (y: number) => `${y} ж.`,
    total: (count: string, years: string) => `Барлығы ${years} ${count}`,
    years: (list: number[]) => (list.length === 1 ? `${list[0]} жылғы` : `${list.join(', ')} жылдардағы`),
    inDigitsAndWords: '(цифрмен және жазбаша)',
    inventoriesApproved: (years: string) => `${years} тұрақты сақталатын істер тізімдемелері бекітілді:`,
    inventoryLine: (y: number, items: string) => `${y} жыл — ${items}`,
    inventoryItem: (n: number, protocol: string) => (protocol ? `№ ${n} тізімдеме (СК хаттамасы ${protocol})` : `№ ${n} тізімдеме`),
    appraiser: 'Құндылығын сараптауды жүргізген',
    appraiserCaption: '(сараптауды жүргізген қызметкер лауазымының атауы)',
    agreed: 'КЕЛІСІЛДІ',
    agreedBy: 'Ұйымның сараптау комиссиясының (СК) хаттамасы',
    protocolCaption: '(хаттаманың күні мен нөмірі)',
    positionCaption: 'Ұйым басшысы лауазымының атауы',
    destroyed: 'Жою туралы белгі',
    destroyedLine: (method: string, date: string, by: string) => `Құжаттар жойылды: ${method}; датасы: ${date}; орындаушы: ${by}`,
    certificate: (c: string) => `Жою туралы куәлік: ${c}`,
  },
} as const;

export function destructionActHeadings(lang: FormLanguage): string[] {
  return [...TEXT[lang].headings];
}

function registerText(r: DestructionActRow['registers'][number], lang: FormLanguage): string {
  const t = TEXT[lang];
  const what = r.inventory ? t.inventory(r.inventory) : t.nomenclature(r.nomenclatureItem);
  return r.year === null ? what : `${t.year(r.year)} — ${what}`;
}

export function destructionActRows(model: DestructionActForm, lang: FormLanguage): TableRow[] {
  return model.rows.map((r) => ({
    kind: 'cells',
    cells: [
      String(r.number),
      r.heading,
      formatDateRange(r.dates),
      r.registers.map((x) => registerText(x, lang)).join('\n'),
      r.indexes.join(', '),
      String(r.count),
      formatRetention(r.retention, lang),
      r.note ?? '',
    ],
  }));
}

/** The total line: «Итого 3 (три) дела за 2019, 2020 годы». */
export function destructionActTotal(model: DestructionActForm, lang: FormLanguage): string {
  const t = TEXT[lang];
  return t.total(countWithNoun(model.totals.dossiers, lang, 'dossier'), t.years(model.totals.years));
}

/** Problems when the totals disagree with the rows (a legal form must add up). */
export function checkDestructionAct(model: DestructionActForm): string[] {
  const problems: string[] = [];
  const sum = model.rows.reduce((s, r) => s + r.count, 0);
  if (sum !== model.totals.dossiers) problems.push(`totals.dossiers ${model.totals.dossiers} ≠ ${sum}`);
  for (const r of model.rows) if (r.indexes.length === 0 || r.count < 1) problems.push(`row ${r.number}: no dossiers`);
  return problems;
}

export function destructionActTitle(model: DestructionActForm, lang: FormLanguage): string {
  return `${TEXT[lang].act(model.number)} ${TEXT[lang].about}`;
}

function inventoriesLines(model: DestructionActForm, lang: FormLanguage): string[] {
  const t = TEXT[lang];
  const years = model.permanentInventories.map((y) => y.year);
  if (years.length === 0) return [];
  return [
    t.inventoriesApproved(t.years(years)),
    ...model.permanentInventories.map((y) =>
      t.inventoryLine(
        y.year,
        y.inventories.map((i) => t.inventoryItem(i.number, i.protocol ? `№ ${i.protocol.number} ${formatDate(i.protocol.date)}` : '')).join('; '),
      ),
    ),
  ];
}

export function destructionActDocument(model: DestructionActForm, lang: FormLanguage) {
  const t = TEXT[lang];
  const h = t.headings;
  const protocol = model.protocol ? `№ ${model.protocol.number ?? BLANK} ${formatDate(model.protocol.date) || BLANK}` : '';
  const blocks: Block[] = [
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
        ...titleItems([t.act(model.number), t.about]),
        { kind: 'text', text: `${t.date}: ${formatDate(model.date)}`, size: 10, align: 'center' },
        ...(model.place ? [{ kind: 'text' as const, text: `${t.place}: ${model.place}`, size: 10, align: 'center' as const }] : []),
        { kind: 'space', height: 6 },
        { kind: 'text', text: `${t.basis}: ${model.basis}`, size: 10.5 },
        { kind: 'space', height: 4 },
        { kind: 'text', text: t.selected(model.fondsNumber ?? BLANK), size: 10.5 },
        { kind: 'space', height: 6 },
      ],
    },
    {
      kind: 'table',
      keepWithNext: true,
      table: {
        columns: [
          { width: 5, align: 'right' },
          { width: 22 },
          { width: 12, align: 'center' },
          { width: 15 },
          { width: 11, align: 'center' },
          { width: 7, align: 'right' },
          { width: 14 },
          { width: 10 },
        ],
        header: [h.map((text) => ({ text }))],
        numbers: h.map((_, i) => ({ text: String(i + 1) })),
        rows: destructionActRows(model, lang),
        size: 9,
        headerSize: 8.5,
      },
    },
    {
      kind: 'stack',
      keepTogether: true,
      keepWithNext: true,
      items: [
        { kind: 'space', height: 8 },
        { kind: 'text', text: `${destructionActTotal(model, lang)}.`, size: 10.5, bold: true },
        { kind: 'text', text: t.inDigitsAndWords, size: 8 },
        { kind: 'space', height: 6 },
        ...inventoriesLines(model, lang).map((text) => ({ kind: 'text' as const, text, size: 10 })),
        { kind: 'space', height: 10 },
      ],
    },
    ...signatureBlocks(model.appraiser, lang, { label: t.appraiser, caption: t.appraiserCaption, keepWithNext: true }),
    {
      kind: 'stack',
      keepTogether: true,
      items: [
        { kind: 'text', text: t.agreed, bold: true, size: 10.5 },
        { kind: 'text', text: t.agreedBy, size: 10 },
        { kind: 'rule', value: protocol, caption: t.protocolCaption, size: 10, align: 'left' },
        { kind: 'space', height: 10 },
      ],
    },
    ...(model.execution
      ? [
          {
            kind: 'stack' as const,
            keepTogether: true,
            items: [
              { kind: 'text' as const, text: t.destroyed, bold: true, size: 10.5 },
              { kind: 'text' as const, text: t.destroyedLine(model.execution.method, formatDate(model.execution.date), model.execution.by), size: 10 },
              ...(model.execution.certificate ? [{ kind: 'text' as const, text: t.certificate(model.execution.certificate), size: 10 }] : []),
            ],
          },
        ]
      : []),
  ];
  return { orientation: 'portrait' as const, title: destructionActTitle(model, lang), language: lang, blocks, pageLabel };
}

/** The act as PDF/A-1b in Kazakh or Russian; refused (an Error listing them) when the totals disagree with the rows. */
export async function renderDestructionActPdf(model: DestructionActForm, lang: FormLanguage, options: { author?: string; date?: Date } = {}): Promise<Uint8Array> {
  const problems = checkDestructionAct(model);
  if (problems.length) throw new Error(`destruction act ${model.number}: ${problems.join('; ')}`);
  const spec = destructionActDocument(model, lang);
  return renderFormPdf({ ...spec, author: options.author, date: options.date, subject: 'Destruction act' });
}

/** The total spelled out alone, for checks: «три» / «үш». */
export function totalInWords(model: DestructionActForm, lang: FormLanguage): string {
  return numberInWords(model.totals.dossiers, lang, 'neuter');
}
