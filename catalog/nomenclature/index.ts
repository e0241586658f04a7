// The nomenclature of cases (App. 26): drafts, the approval chain, copying to the next year,
// the year-end summary, import and export, the ingest check (p.156) and the form's model.
export {
  DOCUMENT_FORMS,
  EDITORS,
  RETENTION_KINDS,
  createNomenclatureService,
  summarise,
  validateRetention,
  validateYear,
  type AddItemInput,
  type CopyInput,
  type NomenclatureItemView,
  type NomenclatureSectionView,
  type NomenclatureService,
  type NomenclatureSummaryView,
  type NomenclatureView,
  type Retention,
  type StepInput,
  type UpdateItemInput,
} from './nomenclature.service';
export { APPROVAL_STEPS, PROTOCOL_STEPS, STEP_ROLES, isApprovalStep, mayRecord, nextStep, stepsFor } from './chain';
export { findItemRow, findNomenclature } from './nomenclature.repository';
export type { ApprovalStep, DocumentForm, NomenclatureApproval, NomenclatureStatus, NomenclatureTables } from './tables';
export { checkDossierIndexes, normaliseIndex, type IndexCheck, type IndexRefusal } from './ingest-check';
export {
  CSV_COLUMNS,
  FILE_FORMATS,
  NomenclatureFileInvalidError,
  describeFileProblem,
  readNomenclatureFile,
  writeNomenclatureFile,
  type FileProblem,
  type NomenclatureFileFormat,
} from './file';
export { initialsAndSurname, loadNomenclatureForm } from './form';
