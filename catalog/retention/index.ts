// The retention list of the records catalog: versioned lists and their articles, file import
// and export, the draft edited in the UI, and the retention arithmetic every screen and form uses.
export {
  PERSONNEL_YEARS,
  RETENTION_CATEGORIES,
  assess,
  category,
  closingYear,
  earliestDestructionDate,
  hasEpkMark,
  isDestructionDue,
  needsInventory,
  type CategoryOptions,
  type Destruction,
  type RetentionAssessment,
  type RetentionKind,
  type RetentionCategory,
  type RetentionPeriod,
} from './arithmetic';
export {
  CSV_COLUMNS,
  MAX_ARTICLES,
  checkArticleInput,
  parsePersonnel,
  parseRetentionText,
  personnelByDefault,
  readListFile,
  retentionText,
  writeCsv,
  type ArticleFields,
  type ListFormat,
  type ListProblem,
} from './list-file';
export {
  RetentionListInvalidError,
  assessDossiers,
  checkRetentionAgainstList,
  createRetentionService,
  describeProblem,
  findArticleInList,
  findArticleInList as findArticle,
  type DossierRetentionInput,
  type DossierRetentionView,
  type ImportListInput,
  type RetentionArticleView,
  type RetentionCheck,
  type RetentionDraftArticleView,
  type RetentionDraftView,
  type RetentionListView,
  type RetentionService,
} from './retention.service';
export { DEMO_RETENTION_LIST, importDemoRetentionList } from './demo';
export type { RetentionTables } from './tables';
