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
