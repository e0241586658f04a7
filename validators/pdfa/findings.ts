// Collects rule failures for one file. The same rule broken in many places is reported once,
// with its first location and a count, so a report stays readable.
import type { PdfaFailure } from './types';
import { t, type Language } from '../../common/i18n';
import { RULES, ruleMessageKey } from './rules';

export class Findings {
  private readonly byRule = new Map<string, { failure: PdfaFailure; count: number }>();
  constructor(private readonly lang: Language = 'en') {}

  fail(rule: string, location?: string, detail?: string): void {
    const known = this.byRule.get(rule);
    if (known) {
      known.count++;
      return;
    }
    const def = RULES[rule];
    const failure: PdfaFailure = {
      clause: def?.clause ?? rule.replace(/-t\d+.*$/, '').replace(/-/g, '.'),
      rule,
      message: t(this.lang, ruleMessageKey(rule)) + (detail ? ` (${detail})` : ''),
    };
    if (location) failure.location = location;
    this.byRule.set(rule, { failure, count: 1 });
  }

  has(rule: string): boolean {
    return this.byRule.has(rule);
  }

  list(): PdfaFailure[] {
    return [...this.byRule.values()]
      .map(({ failure, count }) => (count > 1 ? { ...failure, location: `${failure.location ?? ''}${failure.location ? ' ' : ''}(+${count - 1})` } : failure))
      .sort((a, b) => compareClause(a.clause, b.clause) || a.rule.localeCompare(b.rule));
  }
}

export function compareClause(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d) return d;
  }
  return 0;
}
