// Rendering of the official forms (App. 26, 30, 31, 32, 33): one place for what every form
// uses — numbers in words with noun agreement now; layout and fonts are to join it.
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
