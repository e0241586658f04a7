// Roles of the archive's users (BRIEF §2). A user holds one or more.
export const ROLES = [
  'admin',
  'archivist',
  'department_clerk',
  'department_head',
  'commission_chair',
  'commission_secretary',
  'commission_member',
  'researcher',
  // The nomenclature's approval (p.133): the head of the records service (служба ДОУ) signs it,
  // the organisation head approves it.
  'records_head',
  'organisation_head',
] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The expert commission (ЭК): chair, secretary and members sign its acts (p.48). */
export const COMMISSION_ROLES = ['commission_chair', 'commission_secretary', 'commission_member'] as const satisfies readonly Role[];
