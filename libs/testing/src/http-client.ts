export interface TestResponse<T = unknown> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

export interface RequestOptions {
  token?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Raw payload (sent as is, for malformed-input tests). */
  payload?: string | Buffer;
}

/** The shape of Fastify's `inject`, so tests can drive an app without opening a socket. */
export interface Injectable {
  inject(opts: {
    method: string;
    url: string;
    headers?: Record<string, string>;
    payload?: string | Buffer | object;
  }): Promise<{ statusCode: number; body: string; headers: Record<string, string | string[] | number | undefined> }>;
}

export class TestClient {
  constructor(private readonly target: Injectable) {}

  async request<T = unknown>(method: string, url: string, options: RequestOptions = {}): Promise<TestResponse<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let payload: string | Buffer | undefined = options.payload;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] = headers['content-type'] ?? 'application/json';
    }
    const res = await this.target.inject({ method, url, headers, payload });
    let body: unknown = res.body;
    if (String(res.headers['content-type'] ?? '').includes('application/json') && res.body) body = JSON.parse(res.body);
    return { status: res.statusCode, body: body as T, headers: res.headers as TestResponse['headers'] };
  }

  get<T = unknown>(url: string, options?: RequestOptions) {
    return this.request<T>('GET', url, options);
  }
  post<T = unknown>(url: string, body: unknown, options?: RequestOptions) {
    return this.request<T>('POST', url, { ...options, body });
  }
  patch<T = unknown>(url: string, body: unknown, options?: RequestOptions) {
    return this.request<T>('PATCH', url, { ...options, body });
  }
  put<T = unknown>(url: string, body: unknown, options?: RequestOptions) {
    return this.request<T>('PUT', url, { ...options, body });
  }
  delete<T = unknown>(url: string, options?: RequestOptions) {
    return this.request<T>('DELETE', url, options);
  }
}
