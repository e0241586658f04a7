// Who may see and act on which department's transfers and dossiers. The one place that
// decides it: routes (and any other caller) ask here and never test roles for scoping
// themselves. Pure functions over a Subject; the database look-ups live in access.service.ts.
import { ForbiddenError, ValidationError } from '../common/errors';
import type { Role } from '../accounts/roles';

/** The user an access decision is about, with the department code resolved. */
export interface Subject {
  userId: string | null;
  username: string;
  roles: readonly Role[];
  /** Code of the user's department ("02"), or null when the user has none. */
  departmentCode: string | null;
}

/**
 * Roles whose work spans the whole organisation (BRIEF §2): the archivist keeps every
 * department's dossiers, the expert commission appraises them all, the admin runs the system.
 */
export const ORGANISATION_WIDE_ROLES = [
  'admin',
  'archivist',
  'commission_chair',
  'commission_secretary',
  'commission_member',
  // The records service and the organisation head sign and approve the whole organisation's nomenclature.
  'records_head',
  'organisation_head',
] as const satisfies readonly Role[];

/** Roles bound to their own department: they compile, sign and read its cases only. */
export const DEPARTMENT_ROLES = ['department_clerk', 'department_head'] as const satisfies readonly Role[];

/**
 * What a subject may see. `all`: every department. `department`: the objects of `code` (none
 * when the user has no department) plus the transfers the user submitted (a transfer's
 * department is known only once its manifest is read).
 */
export type DepartmentScope = { kind: 'all' } | { kind: 'department'; code: string | null; userId: string | null };

export function scopeOf(subject: Subject): DepartmentScope {
  if (subject.roles.some((r) => (ORGANISATION_WIDE_ROLES as readonly Role[]).includes(r))) return { kind: 'all' };
  if (subject.roles.some((r) => (DEPARTMENT_ROLES as readonly Role[]).includes(r))) {
    return { kind: 'department', code: subject.departmentCode, userId: subject.userId };
  }
  // Researchers belong to no department; what they may read is decided per document by its
  // access rules (access/rules.ts, docs/access.md), in every department alike.
  return { kind: 'all' };
}

/** May the subject see an object of department `code` (submitted by `submittedBy`)? */
export function mayReach(scope: DepartmentScope, code: string | null, submittedBy: string | null = null): boolean {
  if (scope.kind === 'all') return true;
  if (scope.code !== null && code === scope.code) return true;
  return scope.userId !== null && submittedBy === scope.userId;
}

/**
 * A department-bound user uploads only for their own department (p.147: each department
 * transfers its own cases); the archivist may hand in a package for any department.
 */
export function assertMayUploadFor(subject: Subject, code: string | null): void {
  const scope = scopeOf(subject);
  if (scope.kind === 'all') return;
  if (scope.code === null) {
    throw new ForbiddenError('access.no_department', 'server.access_no_department', { username: subject.username });
  }
  if (code === null) {
    throw new ValidationError('access.upload_department_unknown', 'server.access_upload_department_unknown', { own: scope.code }, { own: scope.code, where: 'manifest.json/transfer/department/code' });
  }
  if (code !== scope.code) {
    throw new ForbiddenError(
      'access.upload_other_department',
      'server.access_upload_other_department',
      { department: code, own: scope.code },
      { department: code, own: scope.code, where: 'manifest.json/transfer/department/code' },
    );
  }
}

// Transfer schedule (App. 31) and acceptance of transfers (App. 33), p.207–208: the archive
// compiles the schedule and accepts or returns what departments transfer; the organisation
// head approves the schedule and the acceptance act ("Утверждаю"). Who may read them: the
// archive, the departments' staff (their reminders, their row), the head, the administrator.
export const SCHEDULE_COMPILERS = ['archivist', 'admin'] as const satisfies readonly Role[];
export const SCHEDULE_APPROVERS = ['organisation_head'] as const satisfies readonly Role[];
export const SCHEDULE_READERS = ['archivist', 'admin', 'department_clerk', 'department_head', 'records_head', 'organisation_head'] as const satisfies readonly Role[];
export const TRANSFER_ACCEPTORS = ['archivist'] as const satisfies readonly Role[];
export const ACT_APPROVERS = ['organisation_head'] as const satisfies readonly Role[];
export const ACT_READERS = ['archivist', 'admin', 'department_clerk', 'department_head', 'organisation_head'] as const satisfies readonly Role[];

// Inventories of e-dossiers (App. 30, p.195, p.207): the archivist compiles them from the
// accepted dossiers, the head of the department approves (signs) its own department's, the
// expert commission that agrees them reads them all; department staff read their department's
// only (scopeOf above; another department's inventory answers like a missing one).
export const INVENTORY_COMPILERS = ['archivist'] as const satisfies readonly Role[];
export const INVENTORY_APPROVERS = ['department_head'] as const satisfies readonly Role[];
export const INVENTORY_READERS = ['archivist', 'admin', 'department_clerk', 'department_head', 'commission_chair', 'commission_secretary', 'commission_member'] as const satisfies readonly Role[];

// Official forms as documents (App. 26, 30, 31, 32, 33; forms/): a form is rendered for whoever
// may read what it is made from — the nomenclature for the organisation's staff, an inventory
// (App. 30) for its readers above, the schedule and the acceptance act for theirs, a dossier's
// internal inventory (App. 32) for the dossier's readers. Department staff reach their own
// department's inventories and dossiers only (scopeOf). Keeping a rendition in the store (to
// be signed) is for those who compile, sign or approve forms; it is signed by its own signer.
export const FORM_READERS = {
  nomenclature: ['archivist', 'admin', 'records_head', 'organisation_head', 'department_clerk', 'department_head', 'commission_chair', 'commission_secretary', 'commission_member'],
  inventory: INVENTORY_READERS,
  schedule: SCHEDULE_READERS,
  'internal-inventory': ['archivist', 'department_clerk', 'department_head', 'commission_chair', 'commission_secretary', 'commission_member', 'researcher'],
  'acceptance-act': ACT_READERS,
} as const satisfies Record<'nomenclature' | 'inventory' | 'schedule' | 'internal-inventory' | 'acceptance-act', readonly Role[]>;
export const FORM_STORERS = ['archivist', 'records_head', 'organisation_head', 'department_clerk', 'department_head'] as const satisfies readonly Role[];
/** Anyone who may read some form (the first check of a route that learns the kind later). */
export const ANY_FORM_READERS = [...new Set(Object.values(FORM_READERS).flat())] as Role[];

/** May a user with these roles read (render) a form of this kind? */
export function mayReadForm(roles: readonly Role[], kind: keyof typeof FORM_READERS): boolean {
  return roles.some((r) => (FORM_READERS[kind] as readonly Role[]).includes(r));
}
/** May a user with these roles keep a rendition of this kind in the store? */
export function mayStoreForm(roles: readonly Role[], kind: keyof typeof FORM_READERS): boolean {
  return mayReadForm(roles, kind) && roles.some((r) => (FORM_STORERS as readonly Role[]).includes(r));
}
