/**
 * The console's client for the control plane's `/v1` routes on its own host: bearer auth, token
 * refresh and sign out. The access token is kept in memory only; the refresh token in
 * sessionStorage (one tab, gone when it closes), so a reload signs back in by refreshing.
 */

/** An error as every MedGenie service answers it: `{statusCode, error, message, code?}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly body?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

export interface AccessClaims {
  sub: string;
  role: 'platform_admin' | 'org_admin' | 'doctor' | 'staff';
  org?: string;
  region?: string;
  exp: number;
}

/** Refusals of a refresh that end the session: the user signs in again. */
const SESSION_ENDING_CODES = new Set(['REFRESH_TOKEN_REUSED', 'SESSION_ENDED', 'INVALID_REFRESH_TOKEN']);

export type SessionEndReason = 'reused' | 'ended' | 'expired' | 'password_changed';

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  /** Send the bearer token (and refresh it when needed); default true. */
  auth?: boolean;
  signal?: AbortSignal;
}

const REFRESH_KEY = 'medgenie.console.refreshToken';
const EMAIL_KEY = 'medgenie.console.email';

/** The claims of a JWT, read without verifying it (the server verifies; the console only shows them). */
export function readClaims(token: string): AccessClaims | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    return JSON.parse(json) as AccessClaims;
  } catch {
    return null;
  }
}

export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function toApiError(res: Response): Promise<ApiError> {
  let body: Record<string, unknown> | undefined;
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  const raw = body?.message;
  const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : `${res.status} ${res.statusText}`;
  return new ApiError(res.status, message, typeof body?.code === 'string' ? body.code : undefined, body);
}

export class ApiClient {
  private accessToken: string | null = null;
  private refreshing: Promise<void> | null = null;
  private readonly listeners = new Set<() => void>();
  /** Set when the session ended on its own (a reused refresh token, a session ended elsewhere). */
  endReason: SessionEndReason | null = null;

  constructor(
    private readonly store: KeyValueStore,
    private readonly fetchFn: typeof fetch = (...args) => fetch(...args),
    private readonly baseUrl = '',
  ) {}

  /** Signed in: an access token in memory, or a refresh token to get one. */
  get signedIn(): boolean {
    return this.accessToken !== null || this.store.getItem(REFRESH_KEY) !== null;
  }

  get claims(): AccessClaims | null {
    return this.accessToken ? readClaims(this.accessToken) : null;
  }

  get email(): string | null {
    return this.store.getItem(EMAIL_KEY);
  }

  /** Called whenever the session starts or ends. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  startSession(tokens: TokenPair, email?: string): void {
    this.accessToken = tokens.accessToken;
    this.store.setItem(REFRESH_KEY, tokens.refreshToken);
    if (email) this.store.setItem(EMAIL_KEY, email);
    this.endReason = null;
    this.notify();
  }

  private endSession(reason: SessionEndReason | null): void {
    this.accessToken = null;
    this.store.removeItem(REFRESH_KEY);
    this.store.removeItem(EMAIL_KEY);
    this.endReason = reason;
    this.notify();
  }

  /** Rotates the refresh token (one refresh at a time: two would spend the same token twice). */
  refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const refreshToken = this.store.getItem(REFRESH_KEY);
    if (!refreshToken) {
      this.endSession('expired');
      throw new ApiError(401, 'Your session has expired: sign in again', 'UNAUTHENTICATED');
    }
    const res = await this.fetchFn(`${this.baseUrl}/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
    if (!res.ok) {
      const error = await toApiError(res);
      if (res.status === 401 && error.code && SESSION_ENDING_CODES.has(error.code)) {
        this.endSession(error.code === 'REFRESH_TOKEN_REUSED' ? 'reused' : error.code === 'SESSION_ENDED' ? 'ended' : 'expired');
      }
      throw error;
    }
    const tokens = (await res.json()) as TokenPair;
    this.accessToken = tokens.accessToken;
    this.store.setItem(REFRESH_KEY, tokens.refreshToken);
    this.notify();
  }

  /** Forgets the session the control plane has already ended (a password change ends every session). */
  forget(reason: SessionEndReason): void {
    this.endSession(reason);
  }

  /** Sign out: the control plane ends the session everywhere; the console forgets it either way. */
  async signOut(): Promise<void> {
    const refreshToken = this.store.getItem(REFRESH_KEY);
    try {
      if (refreshToken) await this.fetchFn(`${this.baseUrl}/v1/auth/logout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken }) });
    } finally {
      this.endSession(null);
    }
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const auth = options.auth ?? true;
    if (auth && this.accessToken === null) await this.refresh();
    let res = await this.send(method, path, options, auth);
    if (auth && res.status === 401) {
      const error = await toApiError(res.clone());
      if (error.code === 'SESSION_ENDED') {
        this.endSession('ended');
        throw error;
      }
      // Most likely an expired access token: refresh once and try again.
      await this.refresh();
      res = await this.send(method, path, options, auth);
    }
    if (!res.ok) throw await toApiError(res);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private send(method: string, path: string, options: RequestOptions, auth: boolean): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (auth && this.accessToken) headers.authorization = `Bearer ${this.accessToken}`;
    return this.fetchFn(`${this.baseUrl}${path}${queryString(options.query)}`, {
      method,
      headers,
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      signal: options.signal,
    });
  }

  get<T>(path: string, options?: Omit<RequestOptions, 'body'>) {
    return this.request<T>('GET', path, options);
  }
  post<T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'body'>) {
    return this.request<T>('POST', path, { ...options, body: body ?? {} });
  }
  patch<T>(path: string, body: unknown, options?: Omit<RequestOptions, 'body'>) {
    return this.request<T>('PATCH', path, { ...options, body });
  }
  put<T>(path: string, body: unknown, options?: Omit<RequestOptions, 'body'>) {
    return this.request<T>('PUT', path, { ...options, body });
  }
  delete<T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'body'>) {
    return this.request<T>('DELETE', path, { ...options, body });
  }
}
