// Researcher access rules (issue 13, p.212): what a researcher may get of a dossier or a
// document. Pure functions; the catalog look-ups are in rules.repository.ts and the SQL form of
// the same decision (for lists and search) in researcher-filter.ts — the two must agree, and
// tests/access/rules.test.ts checks them against each other.
import type { AccessKind, BeforeLift } from './tables';

/** What a researcher gets: everything, the description only, or nothing (as if it did not exist). */
export type ResearcherView = 'full' | 'metadata' | 'none';

/** An access rule as the AIP metadata carries it (p.212) or as the archivist set it. */
export interface AccessRule {
  kind: AccessKind;
  /** ISO date from which the item opens by itself (restricted, personal). */
  until?: string | null;
  /** What a researcher sees before the lift date: nothing (default) or the description only. */
  beforeLift?: BeforeLift;
  /** Why: the fonds creator's decision, the law, a letter number. */
  basis?: string | null;
}

export const ACCESS_KINDS = ['open', 'restricted', 'personal', 'official_use'] as const satisfies readonly AccessKind[];
export const BEFORE_LIFT = ['hidden', 'metadata'] as const satisfies readonly BeforeLift[];

/** Personnel dossiers stay closed for 75 years from their end date (BRIEF §7, personal data). */
export const PERSONAL_DATA_YEARS = 75;

export const OPEN_RULE: AccessRule = { kind: 'open' };

const ORDER: Record<ResearcherView, number> = { none: 0, metadata: 1, full: 2 };

/** The more restrictive of two views (a document is no more open than its dossier). */
export function narrower(a: ResearcherView, b: ResearcherView): ResearcherView {
  return ORDER[a] <= ORDER[b] ? a : b;
}

// Lift dates are dates of the archive's own calendar: a lift on 1 January happens at local
// midnight in Kazakhstan, not at 05:00.
export { archiveToday } from '../common/archive-time';

/** The lift date of personal data: 75 years after the end date (the same day and month). */
export function personalDataLift(endDate: string): string {
  const [y, rest] = [Number(endDate.slice(0, 4)), endDate.slice(4)];
  // 29 February of a year 75 years on that is not a leap year opens on 1 March.
  const candidate = `${String(y + PERSONAL_DATA_YEARS).padStart(4, '0')}${rest}`;
  const d = new Date(`${candidate}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== candidate ? `${String(y + PERSONAL_DATA_YEARS).padStart(4, '0')}-03-01` : candidate;
}

/**
 * The view one rule gives a researcher on `today`. `exception`: a recorded exception for this
 * researcher (the person themselves or an authorised body asked) — it opens personal data only;
 * "for official use" (ДСП) is never open to researchers.
 */
export function viewUnder(rule: AccessRule | null | undefined, today: string, exception = false): ResearcherView {
  if (!rule || rule.kind === 'open') return 'full';
  if (rule.kind === 'official_use') return 'none';
  if (rule.kind === 'personal' && exception) return 'full';
  if (rule.until && rule.until <= today) return 'full';
  return rule.beforeLift === 'metadata' ? 'metadata' : 'none';
}

/** Reads the `access` member of AIP metadata leniently (older AIPs: open/restricted only). */
export function ruleFromMetadata(value: unknown): AccessRule | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (!(ACCESS_KINDS as readonly string[]).includes(String(v.kind))) return null;
  return {
    kind: v.kind as AccessKind,
    ...(typeof v.until === 'string' ? { until: v.until } : {}),
    ...(v.beforeLift === 'metadata' || v.beforeLift === 'hidden' ? { beforeLift: v.beforeLift } : {}),
    ...(typeof v.basis === 'string' ? { basis: v.basis } : {}),
  };
}

/** The date a researcher may read from, or null when the item never opens by itself. */
export function opensOn(rule: AccessRule | null | undefined): string | null {
  if (!rule || rule.kind === 'open') return null;
  if (rule.kind === 'official_use') return null;
  return rule.until ?? null;
}
