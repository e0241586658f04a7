// Department scoping (docs/ARCHITECTURE.md, "Access decisions"): the one place that decides
// which department's transfers and dossiers a user may see and act on. Knows nothing of HTTP.
export {
  DEPARTMENT_ROLES,
  ORGANISATION_WIDE_ROLES,
  assertMayUploadFor,
  mayReach,
  scopeOf,
  type DepartmentScope,
  type Subject,
} from './policy';
export { createAccessService, type AccessService, type AccessUser, type ReachableDossier } from './access.service';
export { readTransferDepartment } from './manifest';
export { createUploadQuota, type UploadQuota, type UploadUsage } from './upload-quota';
// Researcher access rules (issue 13, p.212): the one enforcement point for every route that
// returns document data (docs/access.md). Helpers E (search) and F (copy requests) use these.
export {
  type ResearcherView,
  type AccessRule,
  ACCESS_KINDS,
  BEFORE_LIFT,
  PERSONAL_DATA_YEARS,
  archiveToday,
  narrower,
  opensOn,
  personalDataLift,
  ruleFromMetadata,
  viewUnder,
} from './rules';
export { visibleToResearcher, researcherSees, researcherReads, dossierViewSql, documentViewSql, type ResearcherContext } from './researcher-filter';
export {
  researcherViewOf,
  isResearcher,
  researcherContext,
  dossierAccess,
  setAccessRule,
  normaliseRule,
  grantException,
  revokeException,
  recordResearcherRead,
  researcherReport,
  type AccessTarget,
  type DossierAccess,
  type EffectiveRule,
  type ReadEvent,
  type Reader,
  type ResearcherReportRow,
  type SetRuleInput,
} from './researcher.service';
export type { DossierNeed } from './access.service';
export type { AccessKind, BeforeLift, ExceptionGrounds } from './tables';
