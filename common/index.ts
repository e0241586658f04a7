export * from './config';
export * from './errors';
export * from './hash';
export * from './process';
export { t, negotiateLanguage, isLanguage, LANGUAGES, DEFAULT_LANGUAGE, type Language } from './i18n';
