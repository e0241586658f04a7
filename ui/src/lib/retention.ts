// A dossier's retention in words (catalog/retention computes it; the dossier API returns it):
// the period as the list prints it, the category, and when the dossier may be destroyed.
import type { MessageKey } from './messages';

type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export type RetentionKind = 'permanent' | 'years' | 'years_epk' | 'until_needed';
export type RetentionCategory = 'permanent' | 'over_10' | 'up_to_10' | 'personnel';

/** As the dossier views return it (ingest/intake/dossiers.service.ts, catalog/retention DossierRetentionView). */
export interface DossierRetention {
  retention: { kind: RetentionKind; years: number | null };
  article: string | null;
  listVersion: number | null;
  articleInList: boolean | null;
  category: RetentionCategory;
  epk: boolean;
  personnel: boolean;
  closedYear: number | null;
  earliestDestruction: string | null;
  destruction: { kind: 'never' } | { kind: 'when_no_longer_needed' } | { kind: 'from'; date: string; expertReview: boolean } | { kind: 'unknown' };
}

export function periodWords(t: Translate, period: { kind: RetentionKind; years: number | null }): string {
  if (period.kind === 'permanent') return t('retention.kind_permanent');
  if (period.kind === 'until_needed') return t('retention.kind_until_needed');
  return t(period.kind === 'years_epk' ? 'retention.kind_years_epk' : 'retention.kind_years', { years: period.years ?? 0 });
}

/** The period with the article it cites and the list version the dossier was given. */
export function retentionWords(t: Translate, r: DossierRetention): string {
  const period = periodWords(t, r.retention);
  if (!r.article) return period;
  if (r.articleInList === false && r.listVersion !== null) return `${period}; ${t('retention.ui_article_missing', { article: r.article, version: r.listVersion })}`;
  const ref = r.listVersion !== null ? t('retention.ui_article_ref', { article: r.article, version: r.listVersion }) : t('retention.ui_article_ref_no_version', { article: r.article });
  return `${period}, ${ref}`;
}

export function categoryWords(t: Translate, r: DossierRetention): string {
  return t(`retention.category_${r.category}` as MessageKey);
}

export function destructionWords(t: Translate, r: DossierRetention): string {
  const d = r.destruction;
  if (d.kind === 'never') return t('retention.ui_destruction_never');
  if (d.kind === 'when_no_longer_needed') return t('retention.ui_destruction_until_needed');
  if (d.kind === 'unknown') return t('retention.ui_destruction_unknown');
  return t(d.expertReview ? 'retention.ui_destruction_review' : 'retention.ui_destruction_from', { date: d.date });
}
