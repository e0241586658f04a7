// Application state shared by every component (Svelte 5 runes): language, the signed-in
// user, the current path and a one-shot notice for the login page.
import { Api, type UserView } from './api';
import { format, type Language, type MessageKey } from './messages';
import { loadLanguage, saveLanguage } from './preferences';

class AppState {
  lang = $state<Language>('kk');
  user = $state<UserView | null>(null);
  path = $state('/');
  /** Set once the first GET /api/session has answered (or failed). */
  ready = $state(false);
  /** A message for the login page: why the person sees it (signed out, session ended). */
  notice = $state<MessageKey | null>(null);
  /** Set by navigate() so the shell moves focus to the new page's heading. */
  focusRequest = $state(0);

  readonly api = new Api({
    language: () => this.lang,
    onUnauthenticated: () => {
      if (this.user) {
        this.user = null;
        this.notice = 'ui.session_expired';
      }
    },
  });

  t = (key: MessageKey, params?: Record<string, string | number>): string => format(this.lang, key, params);

  setLanguage(lang: Language): void {
    this.lang = lang;
    saveLanguage(lang);
    document.documentElement.lang = lang;
  }

  navigate(path: string, options: { replace?: boolean } = {}): void {
    if (options.replace) history.replaceState(null, '', path);
    else if (path !== location.pathname) history.pushState(null, '', path);
    this.path = path;
    this.focusRequest++;
  }

  async start(): Promise<void> {
    this.setLanguage(loadLanguage());
    this.path = location.pathname;
    window.addEventListener('popstate', () => {
      this.path = location.pathname;
      this.focusRequest++;
    });
    try {
      this.user = await this.api.session();
    } catch {
      // The login page shows the network problem when the person tries to sign in.
      this.user = null;
    }
    this.ready = true;
  }
}

export const app = new AppState();
