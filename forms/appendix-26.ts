// App. 26 — «НОМЕНКЛАТУРА ДЕЛ» / «ІСТЕР НОМЕНКЛАТУРАСЫ» on a year: sections by department in
// the approved order, signed by the records-service head, agreed by the expert commission
// (ЦЭК/ЭК) and, when required, the state review commission (ЭПК), approved by the head; the
// year-end summary of categories and counts. Headings word for word from the seed
// (Приложение 26 / 26-қосымша). The Russian seed omits the approval corner and the «на ___ год»
// line that the Kazakh one has («Бекітемін», «____ жылға арналған»); both languages print them.
import { approvalItems, pageLabel, protocolItems, signatureBlocks, titleItems, numberRow, type FormDefinition } from './blocks';
import type { Block, TableRow } from './layout';
import { BLANK, formatDate, formatNumber, formatRetention, pick } from './text';
import type { NomenclatureForm, NomenclatureSummaryLine } from './types';

const TEXT = {
  ru: {
    title: 'НОМЕНКЛАТУРА ДЕЛ',
    forYear: (y: number) => `на ${y} год`,
    headings: ['Индекс дела', 'Заголовок дела (тома, части)', 'Количество дел (томов, частей)', 'Срок хранения дела (тома, части) и номер пункта по перечню', 'Примечание'],
    positionCaption: 'Наименование должности руководителя организации',
    recordsHeadCaption: 'Наименование должности руководителя службы ДОУ',
    visas: 'Визы руководителей структурных подразделений',
    ek: ['Согласована', 'протоколом ЦЭК (ЭК)', 'организации'],
    epk: ['Согласована', 'протоколом ЭПК', 'государственного архивного учреждения'],
    protocolCaption: '(дата и номер протокола)',
    summaryTitle: (y: number) => `Итоговая запись о категориях и количестве дел, заведенных в ${y} году`,
    summaryHeadings: { byRetention: 'По срокам хранения', total: 'Всего', including: 'В том числе', carriedOver: 'переходящих', epk: 'с отметкой "ЭПК"' },
    summaryRows: ['Постоянного', 'Временного (свыше 10 лет)', 'Временного (до 10 лет включительно)', 'Итого:'],
    summaryPassed: 'Итоговые сведения переданы в архив организации.',
    summaryPassedCaption: 'Наименование должности работника, передавшего сведения',
  },
  kk: {
    title: 'ІСТЕР НОМЕНКЛАТУРАСЫ',
    forYear: (y: number) => `${y} жылға арналған`,
    headings: ['Істің индексі', 'Істің (томның, бөліктің) тақырыбы', 'Істер (томдар, бөліктер) саны', 'Тізбе бойынша істің (томның, бөліктің) сақтау мерзімі және тармақ нөмірі', 'Ескертпе'],
    positionCaption: 'Ұйым басшысы лауазымының атауы',
    recordsHeadCaption: 'БҚҚ қызметі басшысы лауазымының атауы',
    visas: 'Құрылымдық бөлімшелер басшыларының қолбелгілері',
    ek: ['Ұйымның ОСК (СК)', 'хаттамасымен', 'келісілді'],
    epk: ['Мемлекеттік архив', 'мекемесінің СТК хаттамасымен', 'келісілді'],
    protocolCaption: '(хаттаманың датасы мен нөмірі)',
    summaryTitle: (y: number) => `${y} жылы жүргізілген істердің санаттары мен саны туралы қорытынды жазба`,
    summaryHeadings: { byRetention: 'Сақтау мерзімі бойынша', total: 'Барлығы', including: 'Оның ішінде', carriedOver: 'өтпелілер', epk: '"СТК" белгісімен' },
    summaryRows: ['Тұрақты', 'Уақытша (10 жылдан жоғары)', 'Уақытша (қоса алғанда 10 жылға дейін)', 'Жиыны:'],
    summaryPassed: 'Жиынтық мәлімет ұйымның архивіне тапсырылды.',
    summaryPassedCaption: 'Мәлімет берген қызметкер лауазымының атауы',
  },
} as const;

function rows(model: NomenclatureForm, lang: 'kk' | 'ru'): TableRow[] {
  const out: TableRow[] = [];
  let section: string | null = null;
  for (const r of model.rows) {
    const s = pick(r.section, lang);
    if (s && s !== section) out.push({ kind: 'section', text: s });
    section = s || section;
    out.push({
      kind: 'cells',
      cells: [r.index, pick(r.heading, lang), r.dossierCount === null ? '' : formatNumber(r.dossierCount), formatRetention(r.retention, lang), pick(r.note, lang)],
    });
  }
  return out;
}

const line = (l: NomenclatureSummaryLine) => [formatNumber(l.total), formatNumber(l.carriedOver), formatNumber(l.withEpkMark)];

export const nomenclatureForm: FormDefinition<NomenclatureForm> = {
  kind: 'nomenclature',
  appendix: 26,
  title: (model, lang) => `${TEXT[lang].title} — ${TEXT[lang].forYear(model.year)}`,
  headings: (lang) => [...TEXT[lang].headings],
  rows,
  check(model) {
    const problems: string[] = [];
    const s = model.summary;
    if (s) {
      for (const key of ['total', 'carriedOver', 'withEpkMark'] as const) {
        const sum = s.permanent[key] + s.over10[key] + s.upTo10[key];
        if (s.totals[key] !== sum) problems.push(`summary.totals.${key} ${s.totals[key]} ≠ ${sum}`);
      }
    }
    const seen = new Set<string>();
    for (const r of model.rows) {
      if (seen.has(r.index)) problems.push(`index ${r.index} repeated`);
      seen.add(r.index);
    }
    return problems;
  },
  document(model, lang) {
    const t = TEXT[lang];
    const numberLine = `${formatDate(model.documentDate) || BLANK} № ${model.documentNumber?.trim() || BLANK}`;
    const blocks: Block[] = [
      {
        kind: 'columns',
        keepWithNext: true,
        columns: [
          {
            width: 0.5,
            items: [
              { kind: 'text', text: pick(model.organisation.name, lang), bold: true, size: 11, spaceAfter: 8 },
              ...titleItems([t.title]).map((i) => ({ ...i, align: 'left' as const })),
              { kind: 'text', text: numberLine, size: 10, spaceBefore: 4 },
              ...(model.place ? [{ kind: 'text' as const, text: pick(model.place, lang), size: 10 }] : []),
            ],
          },
          { width: 0.5, items: [...approvalItems(model.approval, lang, { positionCaption: t.positionCaption }), { kind: 'text', text: t.forYear(model.year), size: 10, bold: true, spaceBefore: 4 }] },
        ],
      },
      { kind: 'space', height: 10 },
      {
        kind: 'table',
        keepWithNext: true,
        table: {
          columns: [{ width: 11, align: 'center' }, { width: 41 }, { width: 12, align: 'center' }, { width: 20 }, { width: 16 }],
          header: [t.headings.map((text) => ({ text }))],
          numbers: numberRow(5),
          rows: rows(model, lang),
        },
      },
      { kind: 'space', height: 12 },
      ...signatureBlocks(model.recordsHead, lang, { caption: t.recordsHeadCaption }),
    ];
    if (model.departmentVisas.length) {
      blocks.push({ kind: 'stack', keepWithNext: true, items: [{ kind: 'text', text: t.visas, size: 10, bold: true, spaceAfter: 4 }] });
      model.departmentVisas.forEach((visa, i) => blocks.push(...signatureBlocks(visa, lang, { size: 9.5, keepWithNext: i < model.departmentVisas.length - 1 })));
    }
    blocks.push({
      kind: 'columns',
      columns: [
        { width: 0.5, items: protocolItems([...t.ek], model.expertCommission, lang, t.protocolCaption) },
        { width: 0.5, items: protocolItems([...t.epk], model.stateReviewCommission, lang, t.protocolCaption) },
      ],
    });
    const s = model.summary;
    if (s) {
      const h = t.summaryHeadings;
      blocks.push(
        { kind: 'space', height: 14 },
        { kind: 'stack', keepWithNext: true, items: [{ kind: 'text', text: t.summaryTitle(s.year), bold: true, size: 10.5, align: 'center', spaceAfter: 6 }] },
        {
          kind: 'table',
          keepWithNext: true,
          table: {
            keepTogether: true,
            columns: [{ width: 40 }, { width: 20, align: 'right' }, { width: 20, align: 'right' }, { width: 20, align: 'right' }],
            header: [
              [{ text: h.byRetention, rowSpan: 2 }, { text: h.total, rowSpan: 2 }, { text: h.including, colSpan: 2 }],
              [{ text: h.carriedOver }, { text: h.epk }],
            ],
            rows: [
              { kind: 'cells', cells: [t.summaryRows[0], ...line(s.permanent)] },
              { kind: 'cells', cells: [t.summaryRows[1], ...line(s.over10)] },
              { kind: 'cells', cells: [t.summaryRows[2], ...line(s.upTo10)] },
              { kind: 'cells', cells: [t.summaryRows[3], ...line(s.totals)], bold: true },
            ],
          },
        },
        { kind: 'space', height: 12 },
        ...signatureBlocks(s.recordsHead, lang, { caption: t.recordsHeadCaption }),
      );
      if (s.handedOverBy) {
        blocks.push(
          { kind: 'stack', keepWithNext: true, items: [{ kind: 'text', text: t.summaryPassed, size: 10 }, { kind: 'space', height: 4 }] },
          ...signatureBlocks(s.handedOverBy, lang, { caption: t.summaryPassedCaption }),
        );
      }
    }
    return { orientation: 'portrait', title: `${t.title} — ${t.forYear(model.year)}`, language: lang, blocks, pageLabel };
  },
};
