// The researcher access rules: the pure decision (access/rules.ts) case by case, the lift date
// of personal data, and the database's access_view function agreeing with it on both engines.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ACCESS_KINDS, archiveToday, narrower, normaliseRule, personalDataLift, viewUnder, type AccessRule, type ResearcherView } from '../../access';
import { describeEachDatabase } from '../helpers/db';

const TODAY = '2030-06-15';

describe('viewUnder', () => {
  it('opens open items and closes "for official use" always', () => {
    expect(viewUnder(null, TODAY)).toBe('full');
    expect(viewUnder({ kind: 'open' }, TODAY)).toBe('full');
    expect(viewUnder({ kind: 'official_use' }, TODAY)).toBe('none');
    expect(viewUnder({ kind: 'official_use', beforeLift: 'metadata' }, TODAY, true)).toBe('none');
  });

  it('keeps a restricted item closed before its lift date and opens it on that date by itself', () => {
    const rule: AccessRule = { kind: 'restricted', until: '2030-06-16' };
    expect(viewUnder(rule, TODAY)).toBe('none');
    expect(viewUnder({ ...rule, beforeLift: 'metadata' }, TODAY)).toBe('metadata');
    expect(viewUnder(rule, '2030-06-16')).toBe('full');
    expect(viewUnder(rule, '2031-01-01')).toBe('full');
    // Without a date it never opens by itself; an exception does not open it either.
    expect(viewUnder({ kind: 'restricted' }, '2999-01-01', true)).toBe('none');
  });

  it('opens personal data after 75 years or to a researcher with a recorded exception', () => {
    const rule: AccessRule = { kind: 'personal', until: personalDataLift('2000-12-31') };
    expect(rule.until).toBe('2075-12-31');
    expect(viewUnder(rule, '2075-12-30')).toBe('none');
    expect(viewUnder(rule, '2075-12-30', true)).toBe('full');
    expect(viewUnder(rule, '2075-12-31')).toBe('full');
  });

  it('takes the narrower of a dossier and its document', () => {
    const order: ResearcherView[] = ['none', 'metadata', 'full'];
    for (const a of order) for (const b of order) expect(narrower(a, b)).toBe(order[Math.min(order.indexOf(a), order.indexOf(b))]);
  });
});

describe('personalDataLift and archiveToday', () => {
  it('counts 75 years from the end date; 29 February without a leap year opens on 1 March', () => {
    expect(personalDataLift('1999-03-10')).toBe('2074-03-10');
    expect(personalDataLift('2000-02-29')).toBe('2075-03-01');
    expect(personalDataLift('2004-02-29')).toBe('2079-03-01');
  });

  it('reads the date in Kazakhstan: 20:00 UTC on 31 December is already 1 January there', () => {
    expect(archiveToday(new Date('2029-12-31T20:00:00Z'))).toBe('2030-01-01');
    expect(archiveToday(new Date('2029-12-31T10:00:00Z'))).toBe('2029-12-31');
  });
});

describe('normaliseRule', () => {
  it('gives a personnel dossier its lift date from its end date', () => {
    expect(normaliseRule({ kind: 'personal' }, '1990-05-01')).toEqual({ kind: 'personal', until: '2065-05-01', beforeLift: 'hidden' });
  });

  it('refuses, naming the field, a kind it does not know, a date that is none, and a date on an open rule', () => {
    const problem = (input: Parameters<typeof normaliseRule>[0], end: string | null = null) => {
      try {
        normaliseRule(input, end, 'manifest.json#/dossiers/0/access/');
      } catch (e) {
        return { key: (e as { messageKey: string }).messageKey, field: (e as { params: { field: string } }).params.field };
      }
      return null;
    };
    expect(problem({ kind: 'secret' })).toEqual({ key: 'access.kind_unknown', field: 'manifest.json#/dossiers/0/access/kind' });
    expect(problem({ kind: 'restricted', until: '2030-02-30' })).toEqual({ key: 'access.until_invalid', field: 'manifest.json#/dossiers/0/access/until' });
    expect(problem({ kind: 'open', until: '2030-02-01' })).toEqual({ key: 'access.until_not_allowed', field: 'manifest.json#/dossiers/0/access/until' });
    expect(problem({ kind: 'restricted', beforeLift: 'partly' })).toEqual({ key: 'access.before_lift_unknown', field: 'manifest.json#/dossiers/0/access/beforeLift' });
    expect(problem({ kind: 'personal' })).toEqual({ key: 'access.personal_needs_date', field: 'manifest.json#/dossiers/0/access/until' });
  });
});

describeEachDatabase('access_view (SQL) agrees with viewUnder', (getDb) => {
  it('for every kind, lift date, before-lift choice and exception', async () => {
    const { db } = getDb();
    const untils = [null, '2030-06-14', '2030-06-15', '2030-06-16'];
    let checked = 0;
    for (const kind of ACCESS_KINDS) {
      for (const until of kind === 'open' || kind === 'official_use' ? [null] : untils) {
        for (const beforeLift of ['hidden', 'metadata'] as const) {
          for (const exception of [false, true]) {
            const expected = viewUnder({ kind, until, beforeLift }, TODAY, exception);
            const row = await sql<{ v: string }>`SELECT access_view(${kind}, ${until}::date, ${beforeLift}, ${TODAY}::date, ${exception}) AS v`.execute(db);
            expect(row.rows[0]!.v, `${kind} ${until} ${beforeLift} ${exception}`).toBe(expected);
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(2 * 1 * 2 * 2 + 2 * 4 * 2 * 2);
  });
});

describe('withoutIin', () => {
  it("drops every iin member and masks an IIN in a certificate subject, keeping the rest", async () => {
    const { withoutIin } = await import('../../access/access.service');
    const value = { signer: { iin: '880101300123', bin: '123456789012', subject: 'CN=ӘБЕНОВА ГҮЛНАР,SERIALNUMBER=IIN880101300123,C=KZ' }, list: [{ iin: '1' }, 'IIN880101300123'] };
    expect(withoutIin(value)).toEqual({ signer: { bin: '123456789012', subject: 'CN=ӘБЕНОВА ГҮЛНАР,SERIALNUMBER=IIN************,C=KZ' }, list: [{}, 'IIN************'] });
  });
});
