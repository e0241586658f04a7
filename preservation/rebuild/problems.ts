// A problem of the rebuild: a key of the `rebuild` message area with its values, and the
// English text beside it (as ingest problems keep one), so reports read without a catalog.
import { t } from '../../common/i18n';
import type { RebuildProblem } from './types';

export function problemOf(
  severity: RebuildProblem['severity'],
  code: string,
  params: Record<string, string | number>,
  where: { aipId?: string; manifest?: string } = {},
): RebuildProblem {
  return { severity, code, params, message: t('en', code, params), ...(where.aipId ? { aipId: where.aipId } : {}), ...(where.manifest ? { manifest: where.manifest } : {}) };
}
