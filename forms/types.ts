// View models of the official forms (Rules No. 703, App. 26, 30, 31, 32, 33): what a loader
// returns and a renderer prints. Plain data only — strings, numbers, booleans, dates as ISO
// strings — so a model can be written as JSON, compared in tests and rendered in either
// language by the same code (forms/render). Each field names the official column or line of
// the seed text (../shared/seeds/001_*.txt) it fills.
//
// Loaders (each domain writes its own, none of them knows about layout):
//   App. 26 catalog/nomenclature/form.ts  loadNomenclatureForm(db, nomenclatureId) → NomenclatureForm
//   App. 30 catalog/inventories/form.ts   loadInventoryForm(db, inventoryId)       → InventoryForm
//   App. 31 catalog/schedules/form.ts     loadScheduleForm(db, scheduleId)         → ScheduleForm
//   App. 32 forms/loaders/internal-inventory.ts loadInternalInventoryForm(db, dossierId) → InternalInventoryForm
//   App. 33 catalog/acceptance/form.ts    loadAcceptanceActForm(db, actId)         → AcceptanceActForm

/** The language a form is printed in (the Rules publish every form in Kazakh and in Russian). */
export type FormLanguage = 'kk' | 'ru';

/** Calendar date `YYYY-MM-DD`; printed as `DD.MM.YYYY`. */
export type IsoDate = string;
/** Instant `YYYY-MM-DDTHH:mm:ss(.sss)Z`, for signing times. */
export type IsoDateTime = string;

/**
 * Text as the catalog holds it: one string when there is one version (a person's name, an
 * index, a title written once), or both versions when the catalog keeps the Kazakh and the
 * Russian (department names, document types, positions). The renderer takes the form's
 * language and falls back to the other one, never to nothing.
 */
export type FormText = string | { kk: string; ru: string };

/** The five forms, by the name the CLI, the API and `form_renditions.kind` use. */
export type FormKind = 'nomenclature' | 'inventory' | 'schedule' | 'internal-inventory' | 'acceptance-act';
export const FORM_KINDS = ['nomenclature', 'inventory', 'schedule', 'internal-inventory', 'acceptance-act'] as const satisfies readonly FormKind[];
/** The appendix of the Rules each kind reproduces. */
export const FORM_APPENDIX: Record<FormKind, number> = {
  nomenclature: 26,
  inventory: 30,
  schedule: 31,
  'internal-inventory': 32,
  'acceptance-act': 33,
};

/** The organisation (fonds creator): «Официальное наименование организации» / «Ұйымның ресми атауы». */
export interface FormOrganisation {
  /** Official name, printed at the top of App. 26 and 33 and in the approval blocks. */
  name: FormText;
  /** Fonds number, when the organisation has one (printed with an archival cipher). */
  fondsNumber?: string | null;
}

/** A person as the forms print them: «наименование должности, инициалы, фамилия». */
export interface FormPerson {
  /** Position (наименование должности / лауазымының атауы). */
  position: FormText;
  /** Initials and surname as they are to be printed («А. Б. Серікбаев»). */
  name: string;
}

/**
 * A signature line: position, the place for the (electronic) signature, the name written out
 * («расшифровка подписи»), the date. `signed` says whether a signature exists in the catalog
 * (a CMS over the form or the approval act); an unsigned block prints the blank line.
 */
export interface FormSignature {
  /** Who signs, or null for a blank line to be filled in by hand. */
  person: FormPerson | null;
  /** The date printed under the signature (дата / датасы); null leaves it blank. */
  date: IsoDate | null;
  /** True when the catalog holds a valid signature of this person for this form or step. */
  signed: boolean;
  /** When it was signed (from the CMS signing time or the approval step). */
  signedAt?: IsoDateTime | null;
  /** The signing certificate's subject as verified (printed small under the line when signed). */
  certificate?: string | null;
}

/**
 * The approval block in the top right corner: «УТВЕРЖДАЮ» / «БЕКІТЕМІН», then the organisation,
 * the head's position (and, for App. 30, the department), initials and surname, date.
 */
export interface FormApproval {
  /** Organisation name line «(наименование организации)»; omitted where the form has none. */
  organisation?: FormText | null;
  /** Department line of App. 30 «(наименование структурного подразделения организации)». */
  department?: FormText | null;
  /** The approving head, with the date and whether the approval is signed. */
  signature: FormSignature;
}

/**
 * «Согласована протоколом ЦЭК (ЭК) организации (дата и номер протокола)», «… протоколом ЭПК
 * государственного архивного учреждения», App. 30 «Протокол заседания ЭК (наименование
 * структурного подразделения) ____ № ____».
 */
export interface FormProtocol {
  /** Whose commission, when the form prints it (App. 30: the department; App. 26 ЭПК: the state archive). */
  body?: FormText | null;
  /** Protocol number (№). */
  number: string | null;
  /** Protocol date. */
  date: IsoDate | null;
}

/**
 * Retention as the forms print it (App. 26 col. 4 «срок хранения … и номер пункта по перечню»,
 * App. 30 col. 7, App. 33 col. 7): the period and the article of the retention list.
 * Printed by forms/retention-text.ts: «5 лет ЭПК, п. 23», «Постоянно».
 */
export interface FormRetention {
  kind: 'permanent' | 'years' | 'years_epk' | 'until_needed';
  /** Years for `years` and `years_epk`, null otherwise. */
  years: number | null;
  /** Article (пункт / тармақ) of the retention list, when known. */
  article?: string | null;
}

/** Dossier categories of App. 30 (p.195): permanent, temporary over 10 years, personnel. */
export type InventoryCategory = 'permanent' | 'over_10' | 'personnel';

// ---------------------------------------------------------------------------------------------
// App. 26 — Номенклатура дел / Істер номенклатурасы (A4 portrait)

export interface NomenclatureRow {
  /**
   * Section heading printed as a full-width row before the first row of a section (departments
   * in the approved order: «01 Руководство»). Rows of one section are consecutive.
   */
  section?: FormText | null;
  /** Col. 1 «Индекс дела» / «Істің индексі»: `03-12` (p.149). */
  index: string;
  /** Col. 2 «Заголовок дела (тома, части)» / «Істің (томның, бөліктің) тақырыбы». */
  heading: FormText;
  /** Col. 3 «Количество дел (томов, частей)»: filled at year end; null leaves the cell empty. */
  dossierCount: number | null;
  /** Col. 4 «Срок хранения дела (тома, части) и номер пункта по перечню». */
  retention: FormRetention | null;
  /** Col. 5 «Примечание»: carried over, ЭПК, electronic/paper and medium — as one text. */
  note: FormText | null;
}

/** One line of the year-end summary table «По срокам хранения | Всего | В том числе: переходящих | с отметкой "ЭПК"». */
export interface NomenclatureSummaryLine {
  /** «Всего» / «Барлығы». */
  total: number;
  /** «переходящих» / «өтпелілер». */
  carriedOver: number;
  /** «с отметкой "ЭПК"» / «"СТК" белгісімен». */
  withEpkMark: number;
}

/** «Итоговая запись о категориях и количестве дел, заведенных в ___ году». */
export interface NomenclatureSummary {
  /** The year in the heading of the summary. */
  year: number;
  /** «Постоянного» / «Тұрақты». */
  permanent: NomenclatureSummaryLine;
  /** «Временного (свыше 10 лет)» / «Уақытша (10 жылдан жоғары)». */
  over10: NomenclatureSummaryLine;
  /** «Временного (до 10 лет включительно)» / «Уақытша (қоса алғанда 10 жылға дейін)». */
  upTo10: NomenclatureSummaryLine;
  /** «Итого:» / «Жиыны:» — the sum of the three lines (the renderer checks it). */
  totals: NomenclatureSummaryLine;
  /** «Наименование должности руководителя службы ДОУ … подпись … дата» under the summary. */
  recordsHead: FormSignature;
  /** «Итоговые сведения переданы в архив организации. Наименование должности работника, передавшего сведения». */
  handedOverBy: FormSignature | null;
}

export interface NomenclatureForm {
  kind: 'nomenclature';
  /** The nomenclature's id in the catalog (subject of the stored rendition). */
  id: string;
  /** «Официальное наименование организации». */
  organisation: FormOrganisation;
  /** «НОМЕНКЛАТУРА ДЕЛ … на ___ год» / «____ жылға арналған». */
  year: number;
  /** Document number and date under the title («___ № ___ (дата) (индексі)»). */
  documentNumber?: string | null;
  documentDate?: IsoDate | null;
  /** Place of compilation (место составления). */
  place?: FormText | null;
  /** «УТВЕРЖДАЮ» / «БЕКІТЕМІН»: the organisation head. */
  approval: FormApproval | null;
  /** The table, sections included, in the approved order. */
  rows: NomenclatureRow[];
  /** «Наименование должности руководителя службы ДОУ … подпись … дата» under the table. */
  recordsHead: FormSignature;
  /** «Визы руководителей структурных подразделений» (may be empty). */
  departmentVisas: FormSignature[];
  /** «Согласована протоколом ЦЭК (ЭК) организации (дата и номер протокола)». */
  expertCommission: FormProtocol | null;
  /** «Согласована протоколом ЭПК государственного архивного учреждения», when required. */
  stateReviewCommission: FormProtocol | null;
  /** The year-end summary; null while the year is open (the renderer omits the block). */
  summary: NomenclatureSummary | null;
}

// ---------------------------------------------------------------------------------------------
// App. 30 — Опись электронных дел / Электрондық іс тізімдемесі (A4 landscape)

export interface InventoryRow {
  /** Section title («Название раздела») printed as a full-width row before its first dossier. */
  section?: FormText | null;
  /** Col. 1 «№ п/п» / «Р/с №№»: the number in the inventory (also the case number of the cipher). */
  number: number;
  /** Col. 2 «Индекс электронного дела». */
  index: string;
  /** Col. 3 «Название раздела, заголовок электронного дела». */
  heading: FormText;
  /** Col. 4 «Крайние даты электронного дела»: earliest and latest document dates. */
  dates: { from: IsoDate | null; to: IsoDate | null };
  /** Col. 5 «Количество документов в электронном деле». */
  documents: number;
  /** Col. 6 «Объем документов в электронном виде электронного дела», in bytes. */
  bytes: number;
  /** Col. 7 «Срок хранения электронного дела*»; not filled for permanent dossiers (footnote *). */
  retention: FormRetention | null;
  /** Col. 8 «Примечание» (the archival cipher goes here once given, p.181). */
  note: FormText | null;
}

export interface InventoryForm {
  kind: 'inventory';
  id: string;
  organisation: FormOrganisation;
  /** «Утверждаю»: head of the department, with organisation and department lines. */
  approval: FormApproval | null;
  /** «Опись № ___». */
  number: string;
  /** «(наименование категории дел)»: permanent / over 10 years / personnel. */
  category: InventoryCategory;
  /** «за ___ год». */
  year: number;
  /** The department whose dossiers these are. */
  department: FormText;
  rows: InventoryRow[];
  /** «В данную опись внесено ___ электронных дел с № ___ по № ___» (digits and words). */
  totals: { dossiers: number; firstNumber: number | null; lastNumber: number | null; documents: number; bytes: number };
  /** «(наименование должности, фамилия и инициалы составителя описи) (дата)». */
  compiler: FormSignature;
  /** «Согласовано** Протокол заседания ЭК (наименование структурного подразделения) ___ № ___». */
  expertCommission: FormProtocol | null;
  /** «Передал ___ электронных дел» with the handing-over worker; count null leaves the blank. */
  handedOver: { count: number | null; signature: FormSignature };
  /** «Принял ___ электронных дел» with the archive worker. */
  accepted: { count: number | null; signature: FormSignature };
}

// ---------------------------------------------------------------------------------------------
// App. 31 — График приема электронных дел в архив организации / Қабылдау кестесі (A4 portrait)

export interface ScheduleRow {
  /** Col. 1 «№ п/п» / «Р/с». */
  number: number;
  /** Col. 2 «Наименование организации – источника комплектования архива и (или) структурного подразделения организации». */
  source: FormText;
  /** Col. 3 «Срок приема»: the deadline date; `deadlineText` when the schedule states a period instead («I квартал»). */
  deadline: IsoDate | null;
  deadlineText?: FormText | null;
  /** Col. 4 «Наименование должности, инициалы, фамилия лица, ответственного за передачу электронных дел в архив организации». */
  responsible: FormPerson | null;
  /** Col. 5 «Примечание» (e.g. received on …, overdue). */
  note: FormText | null;
}

export interface ScheduleForm {
  kind: 'schedule';
  id: string;
  organisation: FormOrganisation;
  /** «Утверждаю»: the organisation head. */
  approval: FormApproval | null;
  /** «___ № ___»: date and number of the schedule. */
  documentNumber?: string | null;
  documentDate?: IsoDate | null;
  /** «(место составления)». */
  place?: FormText | null;
  /** «в ___ году». */
  year: number;
  rows: ScheduleRow[];
  /** «(наименование должности, фамилия и инициалы руководителя архива организации (лица, ответственного за архив организации)) (дата)». */
  archiveHead: FormSignature;
}

// ---------------------------------------------------------------------------------------------
// App. 32 — Внутренняя опись документов в электронном виде электронного дела № ___ (A4 landscape)

export interface InternalInventoryRow {
  /** Col. 1 «№ п/п» / «Р/с». */
  number: number;
  /** Col. 2 «Дата документа в электронном виде». */
  date: IsoDate | null;
  /** Col. 3 «Заголовок документа в электронном виде». */
  title: FormText;
  /** Col. 4 «Количество объектов хранения (файлов)». */
  files: number;
  /** Col. 5 «Общий объем объектов хранения в (байтах)». */
  bytes: number;
  /** Col. 6 «Общая контрольная характеристика» (SHA-256, hex). */
  controlCharacteristic: string;
  /** Col. 7 «Примечание». */
  note: FormText | null;
}

export interface InternalInventoryForm {
  kind: 'internal-inventory';
  /** The dossier's id in the catalog. */
  id: string;
  organisation?: FormOrganisation | null;
  /** «электронного дела № ___»: the archival cipher's case number once given, else the index. */
  dossierNumber: string;
  /** The dossier's index and heading, printed under the title. */
  dossierIndex: string;
  dossierTitle: FormText;
  rows: InternalInventoryRow[];
  /** «Итого: ___ документов в электронном виде, ___ объектов хранения. Общий объем объектов хранения электронного дела ___». */
  totals: { documents: number; files: number; bytes: number };
  /** «(наименование должности лица, составившего внутреннюю опись …) (инициалы, фамилия) (дата)». */
  compiler: FormSignature;
}

// ---------------------------------------------------------------------------------------------
// App. 33 — Акт приема-передачи электронных документов и дел службы ДОУ организации (A4 portrait)

export interface AcceptanceActRow {
  /** Col. 1 «№ п/п» / «Р/с». */
  number: number;
  /** Col. 2 «Индекс электронных документов» (the dossier index). */
  index: string;
  /** Col. 3 «Количество электронных документов». */
  documents: number;
  /** Col. 4 «Количество файлов». */
  files: number;
  /** Col. 5 «Статус электронной цифровой подписи»: documents with a signature («наличие» / «Бар»)… */
  signed: number;
  /** …and without («Отсутствует» / «Жоқ»). */
  unsigned: number;
  /** Col. 6 «Объем памяти электронных файлов», in bytes. */
  bytes: number;
  /** Col. 7 «Сроки хранения». */
  retention: FormRetention | null;
}

export interface AcceptanceActForm {
  kind: 'acceptance-act';
  id: string;
  /** «Официальное наименование организации». */
  organisation: FormOrganisation;
  /** «Утверждаю Наименование должности руководителя организации … Дата». */
  approval: FormApproval | null;
  /** «АКТ № ___». */
  actNumber: string;
  /** The act's date. */
  actDate: IsoDate | null;
  /** The transfer the act closes, when there is one. */
  transferId?: string | null;
  /** «электронные документы за ___ годы»: first and last year (equal for one year). */
  years: { from: number; to: number };
  /** «___ передал (а)» (фамилия и инициалы). */
  handedOverBy: string;
  /** «___ принял (а)» (фамилия и инициалы). */
  acceptedBy: string;
  rows: AcceptanceActRow[];
  /** Column sums; `documents` is «Итого принято: ___ электронных документов (цифрами и прописью)». */
  totals: { documents: number; files: number; signed: number; unsigned: number; bytes: number };
  /** «Состояние электронных документов … (общая характеристика состояния)». */
  condition: FormText | null;
  /** «Передал (а) ___ (электронная цифровая подпись) или (подпись)». */
  handedOver: FormSignature;
  /** «Принял (а) ___ (электронная цифровая подпись) или (подпись)». */
  accepted: FormSignature;
}

/** Any form model; `kind` tells which. */
export type FormModel = NomenclatureForm | InventoryForm | ScheduleForm | InternalInventoryForm | AcceptanceActForm;

/** The model of a kind: FormOf<'inventory'> is InventoryForm. */
export type FormOf<K extends FormKind> = Extract<FormModel, { kind: K }>;
