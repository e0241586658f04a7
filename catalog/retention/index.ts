// The retention list of the records catalog: versioned lists and their articles, file import
// and export, and the retention arithmetic every screen and form uses.
export {
  PERSONNEL_YEARS,
  RETENTION_CATEGORIES,
  category,
  earliestDestructionDate,
  hasEpkMark,
  isDestructionDue,
  needsInventory,
  type RetentionCategory,
  type RetentionPeriod,
} from './arithmetic';
export { CSV_COLUMNS, MAX_ARTICLES, parseRetentionText, readListFile, retentionText, writeCsv, type ListFormat, type ListProblem } from './list-file';
export {
  RetentionListInvalidError,
  createRetentionService,
  describeProblem,
  type ImportListInput,
  type RetentionArticleView,
  type RetentionListView,
  type RetentionService,
} from './retention.service';
export { DEMO_RETENTION_LIST, importDemoRetentionList } from './demo';
export type { RetentionTables } from './tables';
