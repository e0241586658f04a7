import { describe, expect, it } from 'vitest';
import { category, earliestDestructionDate, hasEpkMark, isDestructionDue, needsInventory } from './arithmetic';

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
