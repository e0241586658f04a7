// Retention arithmetic, the one place that computes it (BRIEF §7, p.127, p.194–195).
// Counting starts on 1 January of the year after the dossier closes, so a dossier closed in
// year Y and kept N years may be destroyed from 1 January of Y + N + 1 (5 years, closed in
// 2020 → from 1 January 2026). The category decides the paperwork: inventories exist for
// permanent, over-10-year and personnel dossiers; dossiers kept up to 10 years inclusive go
// by the nomenclature alone.
import type { RetentionKind } from '../tables';

export interface RetentionPeriod {
  kind: RetentionKind;
  /** Years for `years` and `years_epk`; null otherwise. */
  years: number | null;
}

export type RetentionCategory = 'permanent' | 'over_10' | 'up_to_10' | 'personnel';

export const RETENTION_CATEGORIES = ['permanent', 'over_10', 'up_to_10', 'personnel'] as const satisfies readonly RetentionCategory[];

/** 75 years is the period of personnel records (личный состав) in the retention list. */
export const PERSONNEL_YEARS = 75;

function yearsOf(retention: RetentionPeriod): number {
  const years = retention.years;
  if (typeof years !== 'number' || !Number.isInteger(years) || years < 1) {
    throw new RangeError(`retention ${retention.kind} needs a whole number of years, got ${String(years)}`);
  }
  return years;
}

/**
 * The dossier's category: permanent; personnel (75 years); over 10 years; up to 10 years
 * inclusive. "Until no longer needed" (ДМН) is temporary and goes with up to 10 years.
 */
export function category(retention: RetentionPeriod): RetentionCategory {
  switch (retention.kind) {
    case 'permanent':
      return 'permanent';
    case 'until_needed':
      return 'up_to_10';
    case 'years':
    case 'years_epk': {
      const years = yearsOf(retention);
      if (years === PERSONNEL_YEARS) return 'personnel';
      return years > 10 ? 'over_10' : 'up_to_10';
    }
  }
}

/** Whether the state review commission (ЭПК) must appraise it before destruction ("N лет ЭПК"). */
export function hasEpkMark(retention: RetentionPeriod): boolean {
  return retention.kind === 'years_epk';
}

/** Whether the dossier goes to the archive by an inventory (App. 30) rather than by the nomenclature (p.194–195). */
export function needsInventory(retention: RetentionPeriod): boolean {
  return category(retention) !== 'up_to_10';
}

/**
 * The first day the dossier may be destroyed, as YYYY-MM-DD: 1 January of closedYear + N + 1.
 * null when no date follows from the list: permanent dossiers are never destroyed, and ДМН
 * dossiers are destroyed when the expert commission finds they are no longer needed.
 * A dossier with the ЭПК mark gets its date too; hasEpkMark says it must be appraised first.
 */
export function earliestDestructionDate(closedYear: number, retention: RetentionPeriod): string | null {
  if (!Number.isInteger(closedYear) || closedYear < 1000 || closedYear > 9999) {
    throw new RangeError(`closing year must be a four-digit year, got ${String(closedYear)}`);
  }
  if (retention.kind === 'permanent' || retention.kind === 'until_needed') return null;
  const year = closedYear + yearsOf(retention) + 1;
  return `${String(year).padStart(4, '0')}-01-01`;
}

/** Whether the period has run out on the given day (UTC date), so the dossier may be selected for destruction. */
export function isDestructionDue(closedYear: number, retention: RetentionPeriod, on: Date): boolean {
  const from = earliestDestructionDate(closedYear, retention);
  return from !== null && on.toISOString().slice(0, 10) >= from;
}
