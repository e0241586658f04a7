// The records catalog: organisation, departments, nomenclature and the retention list.
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
  type NomenclatureApproval,
  type NomenclatureItemView,
  type NomenclatureService,
  type NomenclatureView,
  type Retention,
} from './nomenclature';
export type { RetentionKind } from './tables';
export * from './retention';
