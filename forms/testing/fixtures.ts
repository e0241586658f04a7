// Realistic models of every form, for the renderers' tests and for other suites that need one:
// a Kazakh ministry's department with its 2025 cases, in both languages where the catalog keeps
// both. Totals are computed from the rows, as a loader must.
import type { AcceptanceActForm, FormSignature, InternalInventoryForm, InventoryForm, NomenclatureForm, ScheduleForm } from '../types';

export const ORGANISATION = {
  name: {
    kk: 'Қазақстан Республикасы Мәдениет және ақпарат министрлігінің «Ұлттық архив» республикалық мемлекеттік мекемесі',
    ru: 'Республиканское государственное учреждение «Национальный архив» Министерства культуры и информации Республики Казахстан',
  },
  fondsNumber: '1234',
};

export const signed = (position: { kk: string; ru: string }, name: string, date: string): FormSignature => ({
  person: { position, name },
  date,
  signed: true,
  signedAt: `${date}T05:15:00Z`,
  certificate: `CN=${name.toUpperCase()}, SERIALNUMBER=IIN850101300123, C=KZ`,
});

export const unsigned = (position: { kk: string; ru: string }, name: string, date: string | null = null): FormSignature => ({ person: { position, name }, date, signed: false });

const HEAD = { kk: 'Басшы', ru: 'Руководитель' };
const RECORDS_HEAD = { kk: 'Құжаттамалық қамтамасыз ету бөлімінің басшысы', ru: 'Начальник отдела документационного обеспечения' };
const ARCHIVIST = { kk: 'Ұйым архивінің меңгерушісі', ru: 'Заведующий архивом организации' };
const CLERK = { kk: 'Бас маман', ru: 'Главный специалист' };
const DEPT_HEAD = { kk: 'Қаржы басқармасының басшысы', ru: 'Руководитель финансового управления' };

/** App. 32: `count` documents of dossier 03-12; one with a very long title to wrap over lines. */
export function internalInventory(count = 5): InternalInventoryForm {
  const rows = Array.from({ length: count }, (_, i) => ({
    number: i + 1,
    date: `2025-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`,
    title:
      i === 1
        ? 'Қазақстан Республикасы Үкіметінің 2018 жылғы 31 қазандағы № 703 қаулысымен бекітілген Мемлекеттік және мемлекеттік емес ұйымдарда құжаттама жасау, құжаттаманы басқару және электрондық құжат айналымы жүйелерін пайдалану қағидаларын іске асыру жөніндегі іс-шаралар жоспарын бекіту туралы бұйрық / Приказ об утверждении плана мероприятий по реализации Правил документирования'
        : `№ ${i + 1}-ж бұйрық «Қызметкерлерді іссапарға жіберу туралы»`,
    files: (i % 3) + 1,
    bytes: 10_000 + i * 1_234,
    controlCharacteristic: (i.toString(16).padStart(2, '0') + 'ab34cd56ef7890').repeat(5).slice(0, 64),
    note: i === 3 ? { kk: 'ЭЦҚ жоқ, қағаз түпнұсқамен салыстырылды', ru: 'ЭЦП отсутствует, сверено с бумажным подлинником' } : null,
  }));
  return {
    kind: 'internal-inventory',
    id: '00000000-0000-4000-8000-000000000032',
    organisation: ORGANISATION,
    dossierNumber: '03-12',
    dossierIndex: '03-12',
    dossierTitle: { kk: 'Негізгі қызмет бойынша бұйрықтар', ru: 'Приказы по основной деятельности' },
    rows,
    totals: { documents: rows.length, files: rows.reduce((s, r) => s + r.files, 0), bytes: rows.reduce((s, r) => s + r.bytes, 0) },
    compiler: signed(CLERK, 'А. Б. Серікбаева', '2026-01-15'),
  };
}

/** App. 30: `count` permanent dossiers of the finance department in two sections. */
export function inventory(count = 21, category: InventoryForm['category'] = 'permanent'): InventoryForm {
  const rows = Array.from({ length: count }, (_, i) => ({
    section: i < Math.ceil(count / 2) ? { kk: '1. Бухгалтерлік есеп', ru: '1. Бухгалтерский учет' } : { kk: '2. Қаржылық жоспарлау', ru: '2. Финансовое планирование' },
    number: i + 1,
    index: `05-${String(i + 1).padStart(2, '0')}`,
    heading: i === 4
      ? { kk: 'Ұйымның жылдық қаржылық есептілігі (баланс, пайда мен залал туралы есеп, ақша қаражатының қозғалысы туралы есеп, капиталдағы өзгерістер туралы есеп, түсіндірме жазба) және оларға аудиторлық қорытынды', ru: 'Годовая финансовая отчетность организации (бухгалтерский баланс, отчет о прибылях и убытках, отчет о движении денежных средств, отчет об изменениях в капитале, пояснительная записка) и аудиторское заключение к ней' }
      : { kk: `Бюджеттік бағдарламалар бойынша есептер, ${i + 1}-бөлім`, ru: `Отчеты по бюджетным программам, часть ${i + 1}` },
    dates: { from: '2025-01-09', to: `2025-12-${String((i % 20) + 10)}` },
    documents: 3 + (i % 7),
    bytes: 1_000_000 + i * 52_431,
    retention: category === 'permanent' ? { kind: 'permanent' as const, years: null, article: '26а' } : { kind: 'years_epk' as const, years: 15, article: '112' },
    note: i === 0 ? { kk: 'Ф. 1234, оп. 1, іс 1', ru: 'Ф. 1234, оп. 1, д. 1' } : null,
  }));
  return {
    kind: 'inventory',
    id: '00000000-0000-4000-8000-000000000030',
    organisation: ORGANISATION,
    approval: { organisation: ORGANISATION.name, department: { kk: 'Қаржы басқармасы', ru: 'Финансовое управление' }, signature: signed(DEPT_HEAD, 'Н. Қ. Әбілқасымов', '2026-02-02') },
    number: '3',
    category,
    year: 2025,
    department: { kk: 'Қаржы басқармасы', ru: 'Финансовое управление' },
    rows,
    totals: {
      dossiers: rows.length,
      firstNumber: rows[0]?.number ?? null,
      lastNumber: rows.at(-1)?.number ?? null,
      documents: rows.reduce((s, r) => s + r.documents, 0),
      bytes: rows.reduce((s, r) => s + r.bytes, 0),
    },
    compiler: signed(CLERK, 'А. Б. Серікбаева', '2026-01-20'),
    expertCommission: { body: { kk: 'Қаржы басқармасы', ru: 'Финансовое управление' }, number: '2', date: '2026-01-28' },
    handedOver: { count: rows.length, signature: unsigned(CLERK, 'А. Б. Серікбаева', '2026-02-10') },
    accepted: { count: rows.length, signature: signed(ARCHIVIST, 'Г. Т. Жұмабаева', '2026-02-10') },
  };
}

/** App. 31: a row per department. */
export function schedule(): ScheduleForm {
  const departments: [string, string, string][] = [
    ['Басшылық', 'Руководство', '2026-02-16'],
    ['Қаржы басқармасы', 'Финансовое управление', '2026-03-02'],
    ['Персоналды басқару қызметі (кадр қызметі)', 'Служба управления персоналом (кадровая служба)', '2026-03-16'],
    ['Заң басқармасы', 'Юридическое управление', '2026-04-01'],
  ];
  return {
    kind: 'schedule',
    id: '00000000-0000-4000-8000-000000000031',
    organisation: ORGANISATION,
    approval: { organisation: ORGANISATION.name, signature: signed(HEAD, 'Е. С. Төлеуов', '2026-01-10') },
    documentNumber: '7',
    documentDate: '2026-01-10',
    place: { kk: 'Астана қ.', ru: 'г. Астана' },
    year: 2026,
    rows: departments.map(([kk, ru, deadline], i) => ({
      number: i + 1,
      source: { kk, ru },
      deadline,
      responsible: { position: CLERK, name: ['А. Б. Серікбаева', 'Д. М. Оспанов', 'Ж. К. Нұрланова', 'Р. Т. Ким'][i]! },
      note: i === 1 ? { kk: '2026-02-27 қабылданды', ru: 'Принято 27.02.2026' } : null,
    })),
    archiveHead: signed(ARCHIVIST, 'Г. Т. Жұмабаева', '2026-01-09'),
  };
}

/** App. 33: an act over two indexes with 2 documents in total unless told otherwise. */
export function acceptanceAct(documentsPerRow: number[] = [1, 1]): AcceptanceActForm {
  const rows = documentsPerRow.map((documents, i) => {
    const unsignedCount = i === 1 && documents > 0 ? 1 : 0;
    return {
      number: i + 1,
      index: `03-${String(12 + i)}`,
      documents,
      files: documents * 2,
      signed: documents - unsignedCount,
      unsigned: unsignedCount,
      bytes: 150_000 * (i + 1) + documents,
      retention: i === 0 ? { kind: 'permanent' as const, years: null, article: '26а' } : { kind: 'years_epk' as const, years: 5, article: '23' },
    };
  });
  const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + f(r), 0);
  return {
    kind: 'acceptance-act',
    id: '00000000-0000-4000-8000-000000000033',
    organisation: ORGANISATION,
    approval: { signature: signed(HEAD, 'Е. С. Төлеуов', '2026-02-12') },
    actNumber: '4',
    actDate: '2026-02-11',
    transferId: '00000000-0000-4000-8000-0000000000aa',
    years: { from: 2025, to: 2025 },
    handedOverBy: 'Серікбаева А. Б.',
    acceptedBy: 'Жұмабаева Г. Т.',
    rows,
    totals: { documents: sum((r) => r.documents), files: sum((r) => r.files), signed: sum((r) => r.signed), unsigned: sum((r) => r.unsigned), bytes: sum((r) => r.bytes) },
    condition: { kk: 'Құжаттар толық, оқылады, бақылау сипаттамалары сәйкес келеді', ru: 'Документы в полном составе, воспроизводятся, контрольные характеристики совпадают' },
    handedOver: signed(CLERK, 'А. Б. Серікбаева', '2026-02-11'),
    accepted: signed(ARCHIVIST, 'Г. Т. Жұмабаева', '2026-02-11'),
  };
}

/** App. 26: three departments' sections and the year-end summary. */
export function nomenclature(): NomenclatureForm {
  const sections: [{ kk: string; ru: string }, string, [string, string, 'permanent' | 'years' | 'years_epk', number | null, string][]][] = [
    [{ kk: '01. Басшылық', ru: '01. Руководство' }, '01', [
      ['Ұйым басшысының негізгі қызмет бойынша бұйрықтары', 'Приказы руководителя организации по основной деятельности', 'permanent', null, '26а'],
      ['Алқа отырыстарының хаттамалары және оларға құжаттар', 'Протоколы заседаний коллегии и документы к ним', 'permanent', null, '18'],
      ['Іс-шаралар жоспарларының орындалуы туралы ақпарат', 'Информации о выполнении планов мероприятий', 'years_epk', 5, '23'],
    ]],
    [{ kk: '03. Құжаттамалық қамтамасыз ету бөлімі', ru: '03. Отдел документационного обеспечения' }, '03', [
      ['Істер номенклатурасы', 'Номенклатура дел', 'permanent', null, '139'],
      ['Кіріс құжаттарды тіркеу журналдары', 'Журналы регистрации входящих документов', 'years', 5, '118'],
    ]],
    [{ kk: '05. Қаржы басқармасы', ru: '05. Финансовое управление' }, '05', [
      ['Жылдық қаржылық есептілік', 'Годовая финансовая отчетность', 'permanent', null, '311'],
      ['Бастапқы бухгалтерлік құжаттар (кассалық ордерлер, шот-фактуралар, аванстық есептер)', 'Первичные бухгалтерские документы (кассовые ордера, счета-фактуры, авансовые отчеты)', 'years', 5, '330'],
    ]],
  ];
  let n = 0;
  const rows = sections.flatMap(([section, code, items]) =>
    items.map(([kk, ru, kind, years, article], i) => {
      n++;
      return {
        section,
        index: `${code}-${String(i + 1).padStart(2, '0')}`,
        heading: { kk, ru },
        dossierCount: 1,
        retention: { kind, years: kind === 'permanent' ? null : years, article },
        note: n === 2 ? { kk: 'Өтпелі, электрондық', ru: 'Переходящее, электронное' } : { kk: 'Электрондық', ru: 'Электронное' },
      };
    }),
  );
  const line = (total: number, carriedOver: number, withEpkMark: number) => ({ total, carriedOver, withEpkMark });
  return {
    kind: 'nomenclature',
    id: '00000000-0000-4000-8000-000000000026',
    organisation: ORGANISATION,
    year: 2025,
    documentNumber: '01-14/3',
    documentDate: '2024-12-09',
    place: { kk: 'Астана қ.', ru: 'г. Астана' },
    approval: { signature: signed(HEAD, 'Е. С. Төлеуов', '2024-12-20') },
    rows,
    recordsHead: signed(RECORDS_HEAD, 'М. А. Ахметова', '2024-12-09'),
    departmentVisas: [unsigned(DEPT_HEAD, 'Н. Қ. Әбілқасымов', '2024-12-05')],
    expertCommission: { number: '12', date: '2024-12-12' },
    stateReviewCommission: { body: { kk: 'Астана қаласының мемлекеттік архиві', ru: 'Государственный архив города Астаны' }, number: '45', date: '2024-12-18' },
    summary: {
      year: 2025,
      permanent: line(4, 1, 0),
      over10: line(0, 0, 0),
      upTo10: line(3, 0, 1),
      totals: line(7, 1, 1),
      recordsHead: signed(RECORDS_HEAD, 'М. А. Ахметова', '2025-12-30'),
      handedOverBy: unsigned(RECORDS_HEAD, 'М. А. Ахметова', '2025-12-30'),
    },
  };
}
