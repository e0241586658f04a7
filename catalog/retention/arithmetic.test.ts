import { describe, expect, it } from 'vitest';
import { assess, category, closingYear, earliestDestructionDate, hasEpkMark, isDestructionDue, needsInventory } from './arithmetic';

describe('earliestDestructionDate', () => {
  it('counts from 1 January after closing: 5 years closed in 2020 → 1 January 2026 (BRIEF §7)', () => {
    expect(earliestDestructionDate(2020, { kind: 'years', years: 5 })).toBe('2026-01-01');
  });

  it('gives the same date with the ЭПК mark, which is flagged apart', () => {
    const epk = { kind: 'years_epk', years: 5 } as const;
    expect(earliestDestructionDate(2020, epk)).toBe('2026-01-01');
    expect(hasEpkMark(epk)).toBe(true);
    expect(hasEpkMark({ kind: 'years', years: 5 })).toBe(false);
  });

  it('has no date for permanent and for ДМН', () => {
    expect(earliestDestructionDate(2020, { kind: 'permanent', years: null })).toBeNull();
    expect(earliestDestructionDate(2020, { kind: 'until_needed', years: null })).toBeNull();
  });

  it('handles one year, the 10-year boundary, 75 years and a year-end close', () => {
    expect(earliestDestructionDate(2024, { kind: 'years', years: 1 })).toBe('2026-01-01');
    expect(earliestDestructionDate(2015, { kind: 'years', years: 10 })).toBe('2026-01-01');
    expect(earliestDestructionDate(1999, { kind: 'years', years: 75 })).toBe('2075-01-01');
    expect(earliestDestructionDate(9923, { kind: 'years', years: 75 })).toBe('9999-01-01');
  });

  it('refuses a missing period or a bad year', () => {
    expect(() => earliestDestructionDate(2020, { kind: 'years', years: null })).toThrow(RangeError);
    expect(() => earliestDestructionDate(2020, { kind: 'years_epk', years: 0 })).toThrow(RangeError);
    expect(() => earliestDestructionDate(20.5, { kind: 'years', years: 5 })).toThrow(RangeError);
    expect(() => earliestDestructionDate(99, { kind: 'years', years: 5 })).toThrow(RangeError);
  });

  it('is due on that day and not the day before', () => {
    const r = { kind: 'years', years: 5 } as const;
    expect(isDestructionDue(2020, r, new Date('2025-12-31T23:59:59Z'))).toBe(false);
    expect(isDestructionDue(2020, r, new Date('2026-01-01T00:00:00Z'))).toBe(true);
    expect(isDestructionDue(2020, { kind: 'permanent', years: null }, new Date('2999-01-01T00:00:00Z'))).toBe(false);
  });
});

describe('category', () => {
  it.each([
    [{ kind: 'permanent', years: null }, 'permanent'],
    [{ kind: 'years', years: 75 }, 'personnel'],
    [{ kind: 'years_epk', years: 75 }, 'personnel'],
    [{ kind: 'years', years: 11 }, 'over_10'],
    [{ kind: 'years_epk', years: 15 }, 'over_10'],
    [{ kind: 'years', years: 50 }, 'over_10'],
    [{ kind: 'years', years: 10 }, 'up_to_10'],
    [{ kind: 'years_epk', years: 10 }, 'up_to_10'],
    [{ kind: 'years', years: 1 }, 'up_to_10'],
    [{ kind: 'until_needed', years: null }, 'up_to_10'],
  ] as const)('%o → %s', (retention, expected) => {
    expect(category(retention)).toBe(expected);
  });

  it('says which categories go by inventory (p.194–195)', () => {
    expect(needsInventory({ kind: 'permanent', years: null })).toBe(true);
    expect(needsInventory({ kind: 'years', years: 75 })).toBe(true);
    expect(needsInventory({ kind: 'years', years: 11 })).toBe(true);
    expect(needsInventory({ kind: 'years', years: 10 })).toBe(false);
    expect(needsInventory({ kind: 'until_needed', years: null })).toBe(false);
  });
});

describe('personnel from the list', () => {
  it('follows the article flag when given, the 75-year rule otherwise, and only over 10 years', () => {
    expect(category({ kind: 'years', years: 75 }, { personnel: false })).toBe('over_10');
    expect(category({ kind: 'years', years: 50 }, { personnel: true })).toBe('personnel');
    expect(category({ kind: 'years_epk', years: 45 }, { personnel: true })).toBe('personnel');
    // Kept up to 10 years, personnel records go by the nomenclature like any other (p.194).
    expect(category({ kind: 'years', years: 5 }, { personnel: true })).toBe('up_to_10');
    expect(category({ kind: 'permanent', years: null }, { personnel: true })).toBe('permanent');
    expect(category({ kind: 'until_needed', years: null }, { personnel: true })).toBe('up_to_10');
    expect(needsInventory({ kind: 'years', years: 50 }, { personnel: true })).toBe(true);
  });
});

describe('year boundaries', () => {
  it('counts whole years whatever the day of closing: leap years do not matter', () => {
    // Closed on 31 December or on 1 January of the same year: the same date.
    expect(earliestDestructionDate(closingYear(2023, '2023-01-01')!, { kind: 'years', years: 1 })).toBe('2025-01-01');
    expect(earliestDestructionDate(closingYear(2023, '2023-12-31')!, { kind: 'years', years: 1 })).toBe('2025-01-01');
    expect(earliestDestructionDate(2024, { kind: 'years', years: 4 })).toBe('2029-01-01');
    expect(earliestDestructionDate(2019, { kind: 'years', years: 1 })).toBe('2021-01-01');
    expect(isDestructionDue(2023, { kind: 'years', years: 1 }, new Date('2024-12-31T23:59:59.999Z'))).toBe(false);
    expect(isDestructionDue(2023, { kind: 'years', years: 1 }, new Date('2025-01-01T00:00:00Z'))).toBe(true);
  });

  it('closes a carried-over case in the year of its last document', () => {
    expect(closingYear(2020, '2021-03-01')).toBe(2021);
    expect(closingYear(2020, '2020-03-01')).toBe(2020);
    expect(closingYear(2021, '2020-12-31')).toBe(2021);
    expect(closingYear(null, '2019-05-05')).toBe(2019);
    expect(closingYear(undefined, null)).toBeNull();
    expect(closingYear(2020, 'garbage')).toBe(2020);
  });

  it('refuses a date past year 9999 instead of printing a five-digit year', () => {
    expect(earliestDestructionDate(9923, { kind: 'years', years: 75 })).toBe('9999-01-01');
    expect(() => earliestDestructionDate(9924, { kind: 'years', years: 75 })).toThrow(RangeError);
  });
});

describe('assess', () => {
  it('says never for permanent, the commission for ДМН, expert review for ЭПК, and a date otherwise', () => {
    expect(assess(2020, { kind: 'permanent', years: null })).toEqual({ category: 'permanent', epk: false, closedYear: 2020, earliestDestruction: null, destruction: { kind: 'never' } });
    expect(assess(2020, { kind: 'until_needed', years: null })).toEqual({ category: 'up_to_10', epk: false, closedYear: 2020, earliestDestruction: null, destruction: { kind: 'when_no_longer_needed' } });
    expect(assess(2020, { kind: 'years_epk', years: 10 })).toEqual({ category: 'up_to_10', epk: true, closedYear: 2020, earliestDestruction: '2031-01-01', destruction: { kind: 'from', date: '2031-01-01', expertReview: true } });
    expect(assess(2020, { kind: 'years', years: 75 })).toEqual({ category: 'personnel', epk: false, closedYear: 2020, earliestDestruction: '2096-01-01', destruction: { kind: 'from', date: '2096-01-01', expertReview: false } });
    expect(assess(2020, { kind: 'years', years: 75 }, { personnel: false }).category).toBe('over_10');
    expect(assess(null, { kind: 'years', years: 5 })).toEqual({ category: 'up_to_10', epk: false, closedYear: null, earliestDestruction: null, destruction: { kind: 'unknown' } });
  });
});
