// App. 31 — «ГРАФИК приема электронных дел в архив организации в ___ году» / «Ұйым архивіне
// электрондық істі қабылдау КЕСТЕСІ ___ жылы»: drawn up by the archive head, approved by the
// organisation head. Headings word for word from the seed (Приложение 31 / 31-қосымша); the
// stray closing bracket of the Kazakh col. 4 heading is left out.
import { approvalItems, pageLabel, signatureBlocks, titleItems, numberRow, type FormDefinition } from './blocks';
import type { Block, TableRow } from './layout';
import { BLANK, formatDate, formatPerson, pick } from './text';
import type { ScheduleForm } from './types';

const TEXT = {
  ru: {
    title: 'ГРАФИК приема электронных дел в архив организации',
    inYear: (y: number) => `в ${y} году`,
    headings: [
      '№ п/п',
      'Наименование организации – источника комплектования архива и (или) структурного подразделения организации',
      'Срок приема',
      'Наименование должности, инициалы, фамилия лица, ответственного за передачу электронных дел в архив организации',
      'Примечание',
    ],
    organisationCaption: '(наименование организации)',
    positionCaption: '(наименование должности руководителя организации)',
    place: '(место составления)',
    archiveHeadCaption: '(наименование должности, фамилия и инициалы руководителя архива организации (лица, ответственного за архив организации))',
  },
  kk: {
    title: 'Ұйым архивіне электрондық істі қабылдау КЕСТЕСІ',
    inYear: (y: number) => `${y} жылы`,
    headings: [
      'Р/с',
      'Архивті толықтыру көзі – ұйымның және (немесе) ұйым құрылымдық бөлімшесінің атауы',
      'Қабылдау мерзімі',
      'Ұйым архивіне электрондық істі тапсыруға жауапты адам лауазымының атауы, инициалдары, тегі',
      'Ескертпе',
    ],
    organisationCaption: '(ұйым атауы)',
    positionCaption: '(ұйым басшысы лауазымының атауы)',
    place: '(жасалған орны)',
    archiveHeadCaption: '(ұйым архивінің басшысы (ұйым архивіне жауапты адам) лауазым атауы, тегі және инициалдары)',
  },
} as const;

function rows(model: ScheduleForm, lang: 'kk' | 'ru'): TableRow[] {
  return model.rows.map((r) => ({
    kind: 'cells',
    cells: [String(r.number), pick(r.source, lang), [formatDate(r.deadline), pick(r.deadlineText, lang)].filter(Boolean).join(', '), formatPerson(r.responsible, lang), pick(r.note, lang)],
  }));
}

export const scheduleForm: FormDefinition<ScheduleForm> = {
  kind: 'schedule',
  appendix: 31,
  title: (model, lang) => `${TEXT[lang].title} ${TEXT[lang].inYear(model.year)}`,
  headings: (lang) => [...TEXT[lang].headings],
  rows,
  check(model) {
    const seen = new Set<number>();
    const problems: string[] = [];
    for (const r of model.rows) {
      if (seen.has(r.number)) problems.push(`row number ${r.number} repeated`);
      seen.add(r.number);
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
              { kind: 'text', text: pick(model.organisation.name, lang), bold: true, size: 11, spaceAfter: 6 },
              { kind: 'text', text: numberLine, size: 10 },
              { kind: 'rule', value: pick(model.place, lang), caption: t.place, size: 10 },
            ],
          },
          { width: 0.5, items: approvalItems(model.approval, lang, { organisationCaption: t.organisationCaption, positionCaption: t.positionCaption }) },
        ],
      },
      { kind: 'stack', keepWithNext: true, items: [{ kind: 'space', height: 12 }, ...titleItems([t.title, t.inYear(model.year)]), { kind: 'space', height: 8 }] },
      {
        kind: 'table',
        keepWithNext: true,
        table: {
          columns: [{ width: 5, align: 'right' }, { width: 32 }, { width: 14, align: 'center' }, { width: 32 }, { width: 17 }],
          header: [t.headings.map((text) => ({ text }))],
          numbers: numberRow(5),
          rows: rows(model, lang),
        },
      },
      { kind: 'space', height: 14 },
      ...signatureBlocks(model.archiveHead, lang, { caption: t.archiveHeadCaption }),
    ];
    return { orientation: 'portrait', title: `${t.title} ${t.inYear(model.year)}`, language: lang, blocks, pageLabel };
  },
};
