// Talks to the Muragat HTTP API: the session cookie rides along automatically, the CSRF token
// goes in x-csrf-token on every state-changing request, and ?lang= asks the server for
// messages in the language the person chose.
import type { Language } from './messages';

export interface UserView {
  id: string;
  username: string;
  fullName: string;
  position: string | null;
  roles: string[];
  departmentId: string | null;
  language: Language;
  status: 'active' | 'suspended';
  createdAt: string;
}

/** An error answer from the server, or a network failure (status 0, code 'network'). */
export class ApiError extends Error {
  /** The server's catalog key and values: the UI translates them again when the language changes. */
  readonly messageKey: string | null;
  readonly params: Record<string, string | number>;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
    readonly details: unknown,
    /** The whole answer: some errors (503 from /api/health) still carry a full report. */
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = 'ApiError';
    const error = (body as { error?: { messageKey?: unknown; params?: unknown } } | null)?.error;
    this.messageKey = typeof error?.messageKey === 'string' ? error.messageKey : null;
    this.params = error?.params && typeof error.params === 'object' ? (error.params as Record<string, string | number>) : {};
  }

  /** Builds the error from a refused answer's status, parsed body and request id header. */
  static fromAnswer(status: number, statusText: string, body: unknown, requestIdHeader: string | null = null): ApiError {
    const error = (body as { error?: { code?: string; message?: string; requestId?: string; details?: unknown } } | null)?.error;
    return new ApiError(
      status,
      error?.code ?? `http_${status}`,
      error?.message ?? `${status} ${statusText}`,
      error?.requestId ?? requestIdHeader,
      error?.details ?? null,
      body,
    );
  }
}

export interface ApiOptions {
  /** The current UI language, read on every call so a switch takes effect at once. */
  language: () => Language;
  /** Called on 401 from anything but the login itself: the session is gone. */
  onUnauthenticated?: () => void;
}

export class Api {
  private csrfToken = '';

  constructor(private readonly options: ApiOptions) {}

  private url(path: string, query: Record<string, string | number | undefined> = {}): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
    params.set('lang', this.options.language());
    return `${path}?${params}`;
  }

  async request<T>(method: string, path: string, init: { query?: Record<string, string | number | undefined>; body?: unknown } = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (method !== 'GET' && method !== 'HEAD') {
      headers['x-csrf-token'] = this.csrfToken;
      headers['content-type'] = 'application/json';
    }
    let response: Response;
    try {
      response = await fetch(this.url(path, init.query), {
        method,
        headers,
        credentials: 'same-origin',
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
    } catch (error) {
      throw new ApiError(0, 'network', (error as Error).message, null, null);
    }
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (!response.ok) {
      const apiError = ApiError.fromAnswer(response.status, response.statusText, body, response.headers.get('x-request-id'));
      if (response.status === 401 && path !== '/api/auth/login') this.options.onUnauthenticated?.();
      throw apiError;
    }
    return body as T;
  }

  get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, { body });
  }

  /** Reads the session and the CSRF token (the server also sets the matching cookie). */
  async session(): Promise<UserView | null> {
    const answer = await this.get<{ user: UserView | null; csrfToken: string }>('/api/session');
    this.csrfToken = answer.csrfToken;
    return answer.user;
  }

  async login(username: string, password: string): Promise<UserView> {
    if (!this.csrfToken) await this.session();
    const { user } = await this.post<{ user: UserView }>('/api/auth/login', { username, password });
    // The server may rotate the CSRF token with the new session; fetch the current one.
    await this.session();
    return user;
  }

  async logout(): Promise<void> {
    await this.post<{ ok: true }>('/api/auth/logout');
    await this.session();
  }
}
