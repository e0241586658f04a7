// Retention arithmetic, the one place that computes it (BRIEF §7, p.127, p.194–195).
// Counting starts on 1 January of the year after the dossier closes, so a dossier closed in
// year Y and kept N years may be destroyed from 1 January of Y + N + 1 (5 years, closed in
// 2020 → from 1 January 2026). The category decides the paperwork: inventories exist for
// permanent, over-10-year and personnel dossiers; dossiers kept up to 10 years inclusive go
// by the nomenclature alone.
/** The kinds of period in the list: Постоянно; N лет; N лет ЭПК; ДМН. */
export type RetentionKind = 'permanent' | 'years' | 'years_epk' | 'until_needed';

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
 * Whether documents count as personnel (по личному составу) when nothing else says: the
 * retention list's own flag decides (an article's `personnel`); without an article, 75 years,
 * the usual period of personnel records (BRIEF §7), stands for it.
 */
export interface CategoryOptions {
  personnel?: boolean;
}

/**
 * The dossier's category: permanent; personnel; over 10 years; up to 10 years inclusive.
 * Personnel is a category of its own only for periods over 10 years, because it means a
 * separate inventory (p.195); personnel documents kept up to 10 years go by the nomenclature
 * like any other (p.194). "Until no longer needed" (ДМН) is temporary: up to 10 years.
 */
export function category(retention: RetentionPeriod, options: CategoryOptions = {}): RetentionCategory {
  switch (retention.kind) {
    case 'permanent':
      return 'permanent';
    case 'until_needed':
      return 'up_to_10';
    case 'years':
    case 'years_epk': {
      const years = yearsOf(retention);
      if (years <= 10) return 'up_to_10';
      return (options.personnel ?? years === PERSONNEL_YEARS) ? 'personnel' : 'over_10';
    }
  }
}

/** Whether the state review commission (ЭПК) must appraise it before destruction ("N лет ЭПК"). */
export function hasEpkMark(retention: RetentionPeriod): boolean {
  return retention.kind === 'years_epk';
}

/** Whether the dossier goes to the archive by an inventory (App. 30) rather than by the nomenclature (p.194–195). */
export function needsInventory(retention: RetentionPeriod, options: CategoryOptions = {}): boolean {
  return category(retention, options) !== 'up_to_10';
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
  if (year > 9999) throw new RangeError(`destruction year ${year} is past 9999`);
  return `${String(year).padStart(4, '0')}-01-01`;
}

/** Whether the period has run out on the given day (UTC date), so the dossier may be selected for destruction. */
export function isDestructionDue(closedYear: number, retention: RetentionPeriod, on: Date): boolean {
  const from = earliestDestructionDate(closedYear, retention);
  return from !== null && on.toISOString().slice(0, 10) >= from;
}

/**
 * The year a dossier closed: its year in the nomenclature, or the year of its latest document
 * when that is later (a carried-over case closes when its last document is filed, p.149).
 */
export function closingYear(dossierYear: number | null | undefined, endDate: string | null | undefined): number | null {
  const last = typeof endDate === 'string' && /^\d{4}-/.test(endDate) ? Number(endDate.slice(0, 4)) : null;
  const year = typeof dossierYear === 'number' && Number.isInteger(dossierYear) ? dossierYear : null;
  if (year === null) return last;
  return last !== null && last > year ? last : year;
}

/**
 * When a dossier may be destroyed: never (permanent); when the expert commission finds it no
 * longer needed (ДМН); or from a date, with `expertReview` when the ЭПК mark asks the state
 * review commission to appraise it first; `unknown` when the closing year is not known.
 */
export type Destruction =
  | { kind: 'never' }
  | { kind: 'when_no_longer_needed' }
  | { kind: 'from'; date: string; expertReview: boolean }
  | { kind: 'unknown' };

export interface RetentionAssessment {
  category: RetentionCategory;
  epk: boolean;
  closedYear: number | null;
  /** 1 January of Y + N + 1, or null (permanent, ДМН, closing year unknown). */
  earliestDestruction: string | null;
  destruction: Destruction;
}

/** Everything the list's rules say about one dossier, from its period, closing year and personnel flag. */
export function assess(closedYear: number | null, retention: RetentionPeriod, options: CategoryOptions = {}): RetentionAssessment {
  const epk = hasEpkMark(retention);
  const base = { category: category(retention, options), epk, closedYear };
  if (retention.kind === 'permanent') return { ...base, earliestDestruction: null, destruction: { kind: 'never' } };
  if (retention.kind === 'until_needed') return { ...base, earliestDestruction: null, destruction: { kind: 'when_no_longer_needed' } };
  if (closedYear === null) return { ...base, earliestDestruction: null, destruction: { kind: 'unknown' } };
  const date = earliestDestructionDate(closedYear, retention)!;
  return { ...base, earliestDestruction: date, destruction: { kind: 'from', date, expertReview: epk } };
}
