// UI strings come only from common/i18n/ui/<lang>.json (bundled at build time), formatted as
// ICU MessageFormat so plurals follow each language's rules.
import { IntlMessageFormat } from 'intl-messageformat';
import en from '../../../common/i18n/ui/en.json';
import kk from '../../../common/i18n/ui/kk.json';
import ru from '../../../common/i18n/ui/ru.json';
// Pages whose words live in their own area (owned by that area's developer), bundled like ui.
import signersEn from '../../../common/i18n/signers/en.json';
import signersKk from '../../../common/i18n/signers/kk.json';
import signersRu from '../../../common/i18n/signers/ru.json';
import retentionEn from '../../../common/i18n/retention/en.json';
import retentionKk from '../../../common/i18n/retention/kk.json';
import retentionRu from '../../../common/i18n/retention/ru.json';
import nomenclatureEn from '../../../common/i18n/nomenclature/en.json';
import nomenclatureKk from '../../../common/i18n/nomenclature/kk.json';
import nomenclatureRu from '../../../common/i18n/nomenclature/ru.json';
import inventoriesEn from '../../../common/i18n/inventories/en.json';
import inventoriesKk from '../../../common/i18n/inventories/kk.json';
import inventoriesRu from '../../../common/i18n/inventories/ru.json';
import schedulesEn from '../../../common/i18n/schedules/en.json';
import schedulesKk from '../../../common/i18n/schedules/kk.json';
import schedulesRu from '../../../common/i18n/schedules/ru.json';
import acceptanceEn from '../../../common/i18n/acceptance/en.json';
import acceptanceKk from '../../../common/i18n/acceptance/kk.json';
import acceptanceRu from '../../../common/i18n/acceptance/ru.json';
import prepareEn from '../../../common/i18n/prepare/en.json';
import prepareKk from '../../../common/i18n/prepare/kk.json';
import prepareRu from '../../../common/i18n/prepare/ru.json';
// The forms area: the stored-form signing panel (ui/src/FormSignatures.svelte).
import formsEn from '../../../common/i18n/forms/en.json';
import formsKk from '../../../common/i18n/forms/kk.json';
import formsRu from '../../../common/i18n/forms/ru.json';
// The research area: the researcher portal and the archivist's request queue (issue 13).
import researchEn from '../../../common/i18n/research/en.json';
import researchKk from '../../../common/i18n/research/kk.json';
import researchRu from '../../../common/i18n/research/ru.json';
// The expert commission's workspace (ui/src/pages/Commission*.svelte).
import commissionEn from '../../../common/i18n/commission/en.json';
import commissionKk from '../../../common/i18n/commission/kk.json';
import commissionRu from '../../../common/i18n/commission/ru.json';
// The search area: the search page (ui/src/pages/Search.svelte).
import searchEn from '../../../common/i18n/search/en.json';
import searchKk from '../../../common/i18n/search/kk.json';
import searchRu from '../../../common/i18n/search/ru.json';
// The appraisal area: appraisal list, holds, destruction acts (ui/src/pages/Appraisal.svelte, Holds.svelte, DestructionAct*.svelte).
import appraisalEn from '../../../common/i18n/appraisal/en.json';
import appraisalKk from '../../../common/i18n/appraisal/kk.json';
import appraisalRu from '../../../common/i18n/appraisal/ru.json';
// The access area: researcher access rules on the Dossier page (ui/src/pages/AccessRules*.svelte).
// The preservation area: the fixity part of the Integrity page (ui/src/pages/IntegrityFixity.svelte).
import preservationEn from '../../../common/i18n/preservation/en.json';
import preservationKk from '../../../common/i18n/preservation/kk.json';
import preservationRu from '../../../common/i18n/preservation/ru.json';
// The destruction area: executing an act (ui/src/pages/DestructionExecute.svelte).
import destructionEn from '../../../common/i18n/destruction/en.json';
import destructionKk from '../../../common/i18n/destruction/kk.json';
import destructionRu from '../../../common/i18n/destruction/ru.json';
import accessEn from '../../../common/i18n/access/en.json';
import accessKk from '../../../common/i18n/access/kk.json';
import accessRu from '../../../common/i18n/access/ru.json';

export const LANGUAGES = ['kk', 'ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'kk';

export type MessageKey = keyof typeof nomenclatureKk | keyof typeof inventoriesKk | keyof typeof kk | keyof typeof signersKk | keyof typeof retentionKk | keyof typeof schedulesKk | keyof typeof acceptanceKk | keyof typeof prepareKk | keyof typeof formsKk | keyof typeof commissionKk | keyof typeof researchKk | keyof typeof searchKk | keyof typeof appraisalKk | keyof typeof accessKk | keyof typeof preservationKk | keyof typeof destructionKk;
export const CATALOGS: Record<Language, Record<string, string>> = {
  kk: { ...kk, ...nomenclatureKk, ...inventoriesKk, ...signersKk, ...retentionKk, ...schedulesKk, ...acceptanceKk, ...prepareKk, ...formsKk, ...commissionKk, ...researchKk, ...searchKk, ...appraisalKk, ...accessKk, ...preservationKk, ...destructionKk },
  ru: { ...ru, ...nomenclatureRu, ...inventoriesRu, ...signersRu, ...retentionRu, ...schedulesRu, ...acceptanceRu, ...prepareRu, ...formsRu, ...commissionRu, ...researchRu, ...searchRu, ...appraisalRu, ...accessRu, ...preservationRu, ...destructionRu },
  en: { ...en, ...nomenclatureEn, ...inventoriesEn, ...signersEn, ...retentionEn, ...schedulesEn, ...acceptanceEn, ...prepareEn, ...formsEn, ...commissionEn, ...researchEn, ...searchEn, ...appraisalEn, ...accessEn, ...preservationEn, ...destructionEn },
};

/** BCP 47 tags for dates and numbers: Kazakh and Russian as used in Kazakhstan. */
export const LOCALE: Record<Language, string> = { kk: 'kk-KZ', ru: 'ru-KZ', en: 'en-GB' };

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

const cache = new Map<string, IntlMessageFormat>();

/** Formats a UI message; a missing key shows itself so the gap is visible, never a crash. */
export function format(lang: Language, key: MessageKey, params: Record<string, string | number> = {}): string {
  const source = CATALOGS[lang][key] ?? CATALOGS[DEFAULT_LANGUAGE][key];
  if (source === undefined) return key;
  const id = `${lang}\u0000${key}`;
  let formatter = cache.get(id);
  if (!formatter) {
    formatter = new IntlMessageFormat(source, LOCALE[lang]);
    cache.set(id, formatter);
  }
  return String(formatter.format(params));
}

export function formatDateTime(lang: Language, iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  // Numeric parts: browsers' Kazakh locale data renders month names inconsistently ("M11").
  return new Intl.DateTimeFormat(LOCALE[lang], {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  }).format(date);
}
