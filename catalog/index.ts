// The catalog domain: database, migrations, users, audit log, organisation and nomenclature.
export { openDatabase, type DatabaseHandle, type DatabaseKind, type OpenDatabaseOptions } from './db';
export { migrateToLatest } from './migrator';
export type { Database } from './database';
export { ROLES, COMMISSION_ROLES, isRole, type Role } from './roles';
export {
  SYSTEM_ACTOR,
  GENESIS_HASH,
  audit,
  computeAuditHash,
  listAuditEvents,
  recordAudit,
  verifyAuditChain,
  type Actor,
  type AuditBreakReason,
  type AuditChainReport,
  type AuditEventInput,
  type AuditEventView,
} from './audit.service';
export {
  DEFAULT_THROTTLE,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  USERNAME_PATTERN,
  createUsersService,
  normaliseUsername,
  toUserView,
  type AddUserInput,
  type ThrottlePolicy,
  type UserView,
  type UsersService,
} from './users.service';
export {
  BIN_PATTERN,
  DEPARTMENT_CODE_PATTERN,
  createOrganisationService,
  type DepartmentView,
  type OrganisationInput,
  type OrganisationService,
  type OrganisationView,
} from './organisation.service';
export {
  RETENTION_KINDS,
  createNomenclatureService,
  validateRetention,
  type AddItemInput,
  type NomenclatureItemView,
  type NomenclatureService,
  type NomenclatureView,
  type Retention,
} from './nomenclature.service';
export type { NomenclatureApproval, RetentionKind } from './tables';
export { DEMO_USERS, demoPassword, seedDemo, type SeedResult } from './seed';
export { catalogLocation, openCatalog, type OpenedCatalog } from './open';
