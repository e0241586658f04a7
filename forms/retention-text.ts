// The retention period as the official forms print it (App. 26 column 4 "срок хранения и
// номер пункта по перечню", the retention columns of App. 30 and App. 33), in the form's
// language: ru «5 лет ЭПК, п. 23», «Постоянно», «ДМН»; kk «5 жыл «СТК» белгісімен, 23-тармақ»
// (the seed's App. 26 writes the mark «"СТК" белгісімен» and «тармақ нөмірі»).
import { t } from '../common/i18n';
import type { RetentionPeriod } from '../catalog/retention/arithmetic';
import { nounFor, type FormLanguage } from './words';

export function retentionForForm(retention: RetentionPeriod, lang: FormLanguage, article?: string | null): string {
  let text: string;
  if (retention.kind === 'permanent' || retention.kind === 'until_needed') text = t(lang, `forms.retention_${retention.kind}`);
  else {
    const years = retention.years ?? 0;
    text = t(lang, `forms.retention_${retention.kind}`, { years, noun: nounFor(years, lang, 'year') });
  }
  const cited = article?.trim();
  return cited ? t(lang, 'forms.retention_article', { retention: text, article: cited }) : text;
}
