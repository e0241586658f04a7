// Rendering of the official forms (App. 26, 30, 31, 32, 33): one place for what every form
// uses: view models (types.ts), numbers in words with noun agreement, retention as printed,
// fonts, page layout, the five renderers (PDF/A-1b, JSON, CSV) and stored renditions.
export {
  MAX_IN_WORDS,
  NOUNS,
  countInWords,
  countWithNoun,
  nounFor,
  numberInWords,
  russianPluralForm,
  type CountOptions,
  type CountedNoun,
  type FormLanguage,
  type NounName,
  type RussianGender,
} from './words';
export { retentionForForm } from './retention-text';
export type * from './types';
export { FORM_APPENDIX, FORM_KINDS } from './types';
export {
  FORM_DEFINITIONS,
  FORM_FORMATS,
  FORM_LANGUAGES,
  assertConsistent,
  definitionOf,
  formToCsv,
  formToJson,
  isFormFormat,
  isFormKind,
  isFormLanguage,
  parseFormCsv,
  parseFormJson,
  renderForm,
  type FormFormat,
  type RenderOptions,
  type Rendition,
} from './render';
