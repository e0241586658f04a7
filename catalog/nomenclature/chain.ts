// The approval chain of the nomenclature (p.133, App. 26), pure: which steps there are, in
// which order, who may record each, and which step is next. The service applies it.
import type { Role } from '../../accounts/roles';
import type { ApprovalStep, NomenclatureApproval } from './tables';

/** The steps in their real order. `state_review` is skipped when the ЭПК's agreement is not required. */
export const APPROVAL_STEPS = ['records_head', 'expert_commission', 'state_review', 'organisation_head'] as const satisfies readonly ApprovalStep[];

/**
 * Who records each step. The head of the records service signs; the expert commission's
 * chair or secretary records its protocol; the ЭПК sits at the state archive, so its protocol
 * is recorded by the commission's secretary or chair or by the records service that submitted
 * the nomenclature; only the organisation head approves.
 */
export const STEP_ROLES: Record<ApprovalStep, readonly Role[]> = {
  records_head: ['records_head'],
  expert_commission: ['commission_secretary', 'commission_chair'],
  state_review: ['commission_secretary', 'commission_chair', 'records_head'],
  organisation_head: ['organisation_head'],
};

/** Steps that are a commission's protocol: they need its number and date. */
export const PROTOCOL_STEPS: readonly ApprovalStep[] = ['expert_commission', 'state_review'];

export function isApprovalStep(value: unknown): value is ApprovalStep {
  return typeof value === 'string' && (APPROVAL_STEPS as readonly string[]).includes(value);
}

/** The steps this nomenclature goes through, in order. */
export function stepsFor(epkRequired: boolean): ApprovalStep[] {
  return APPROVAL_STEPS.filter((s) => epkRequired || s !== 'state_review');
}

/** The next step to record, or null when the chain is complete. */
export function nextStep(epkRequired: boolean, done: readonly NomenclatureApproval[]): ApprovalStep | null {
  const recorded = new Set(done.map((a) => a.step));
  return stepsFor(epkRequired).find((s) => !recorded.has(s)) ?? null;
}

/** The steps a user may record now (the next one, if one of the user's roles records it). */
export function mayRecord(roles: readonly Role[], step: ApprovalStep): boolean {
  return STEP_ROLES[step].some((r) => roles.includes(r));
}
