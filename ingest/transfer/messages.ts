// Builds TransferProblems whose code is also the catalog key, translated once here.
import { t, DEFAULT_LANGUAGE, type Language } from '../../common/i18n';
import type { TransferProblem } from './types';

export function problem(
  lang: Language | undefined,
  where: string,
  code: string,
  params: Record<string, string | number> = {},
  clause?: string,
): TransferProblem {
  const p: TransferProblem = { where, code, message: t(lang ?? DEFAULT_LANGUAGE, code, { where, ...params }), params };
  if (clause) p.clause = clause;
  return p;
}
