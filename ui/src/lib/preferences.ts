// The chosen language is kept in the `muragat_lang` cookie (the server reads it for its
// messages, also before login) and in localStorage (survives cookie clearing by the browser).
import { DEFAULT_LANGUAGE, isLanguage, type Language } from './messages';

export const LANG_COOKIE = 'muragat_lang';
const STORAGE_KEY = 'muragat_lang';
const ONE_YEAR_SECONDS = 365 * 24 * 3600;

function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

function readStorage(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled by policy: the cookie still works
  }
}

export function loadLanguage(): Language {
  const stored = readStorage();
  if (isLanguage(stored)) return stored;
  const cookie = readCookie(LANG_COOKIE);
  return isLanguage(cookie) ? cookie : DEFAULT_LANGUAGE;
}

export function saveLanguage(lang: Language): void {
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `${LANG_COOKIE}=${lang}; Path=/; Max-Age=${ONE_YEAR_SECONDS}; SameSite=Lax${secure}`;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // see readStorage
  }
}
