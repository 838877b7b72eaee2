import { ApiClient, ApiError, KeyValueStore, queryString, readClaims } from './client';

class MemoryStore implements KeyValueStore {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

const jwt = (claims: object) => `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.s`;
const json = (status: number, body: unknown) => new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const REFRESH_KEY = 'medgenie.console.refreshToken';

/** A fake control plane: answers in order, and records what was asked. */
function server(...answers: Response[]) {
  const calls: { url: string; method: string; auth?: string; body?: unknown }[] = [];
  const fetchFn = (async (url: string, init: RequestInit = {}) => {
    const headers = (init.headers ?? {}) as Record<string, string>;
    calls.push({ url, method: init.method ?? 'GET', auth: headers.authorization, body: init.body ? JSON.parse(String(init.body)) : undefined });
    const next = answers.shift();
    if (!next) throw new Error(`unexpected call ${url}`);
    return next;
  }) as typeof fetch;
  return { calls, fetchFn };
}

describe('the console API client', () => {
  const access1 = jwt({ sub: 'u1', role: 'platform_admin', exp: 1 });
  const access2 = jwt({ sub: 'u1', role: 'platform_admin', exp: 2 });

  it('sends the access token, keeps the refresh token in the store, not the access token', async () => {
    const store = new MemoryStore();
    const { calls, fetchFn } = server(json(200, { items: [] }));
    const client = new ApiClient(store, fetchFn);
    client.startSession({ accessToken: access1, refreshToken: 'r1' }, 'Root@Example.test');
    expect(await client.get('/v1/admin/flags')).toEqual({ items: [] });
    expect(calls[0]).toMatchObject({ url: '/v1/admin/flags', method: 'GET', auth: `Bearer ${access1}` });
    expect([...store.items.values()]).not.toContain(access1);
    expect(store.getItem(REFRESH_KEY)).toBe('r1');
    expect(client.claims).toMatchObject({ sub: 'u1', role: 'platform_admin' });
  });

  it('after a reload (refresh token only) refreshes first, and rotates the stored token', async () => {
    const store = new MemoryStore();
    store.setItem(REFRESH_KEY, 'r1');
    const { calls, fetchFn } = server(json(200, { accessToken: access2, refreshToken: 'r2' }), json(200, []));
    const client = new ApiClient(store, fetchFn);
    expect(client.signedIn).toBe(true);
    await client.get('/v1/regions');
    expect(calls.map((c) => c.url)).toEqual(['/v1/auth/refresh', '/v1/regions']);
    expect(calls[0].body).toEqual({ refreshToken: 'r1' });
    expect(calls[1].auth).toBe(`Bearer ${access2}`);
    expect(store.getItem(REFRESH_KEY)).toBe('r2');
  });

  it('refreshes once on a 401 and retries; concurrent calls share one refresh', async () => {
    const store = new MemoryStore();
    const { calls, fetchFn } = server(
      json(401, { statusCode: 401, error: 'Unauthorized', message: 'invalid token', code: 'UNAUTHENTICATED' }),
      json(401, { statusCode: 401, error: 'Unauthorized', message: 'invalid token', code: 'UNAUTHENTICATED' }),
      json(200, { accessToken: access2, refreshToken: 'r2' }),
      json(200, { a: 1 }),
      json(200, { b: 2 }),
    );
    const client = new ApiClient(store, fetchFn);
    client.startSession({ accessToken: access1, refreshToken: 'r1' });
    const [a, b] = await Promise.all([client.get('/v1/a'), client.get('/v1/b')]);
    expect([a, b]).toEqual([{ a: 1 }, { b: 2 }]);
    expect(calls.filter((c) => c.url === '/v1/auth/refresh')).toHaveLength(1);
  });

  it.each([
    ['REFRESH_TOKEN_REUSED', 'reused'],
    ['SESSION_ENDED', 'ended'],
    ['INVALID_REFRESH_TOKEN', 'expired'],
  ])('ends the session when a refresh is refused with %s (%s)', async (code, reason) => {
    const store = new MemoryStore();
    store.setItem(REFRESH_KEY, 'r1');
    const { fetchFn } = server(json(401, { statusCode: 401, error: 'Unauthorized', message: 'no', code }));
    const client = new ApiClient(store, fetchFn);
    const changes: boolean[] = [];
    client.subscribe(() => changes.push(client.signedIn));
    await expect(client.get('/v1/regions')).rejects.toMatchObject({ status: 401, code });
    expect(client.signedIn).toBe(false);
    expect(client.endReason).toBe(reason);
    expect(store.getItem(REFRESH_KEY)).toBeNull();
    expect(changes).toEqual([false]);
  });

  it('ends the session at once when a call says SESSION_ENDED (ended elsewhere)', async () => {
    const store = new MemoryStore();
    const { calls, fetchFn } = server(json(401, { statusCode: 401, error: 'Unauthorized', message: 'This session has ended', code: 'SESSION_ENDED' }));
    const client = new ApiClient(store, fetchFn);
    client.startSession({ accessToken: access1, refreshToken: 'r1' });
    await expect(client.get('/v1/admin/flags')).rejects.toMatchObject({ code: 'SESSION_ENDED' });
    expect(calls).toHaveLength(1);
    expect(client.endReason).toBe('ended');
    expect(client.signedIn).toBe(false);
  });

  it("answers errors with the API's message (validation messages joined) and code", async () => {
    const { fetchFn } = server(
      json(409, { statusCode: 409, error: 'Conflict', message: 'This plan is below the usage', code: 'PLAN_BELOW_USAGE' }),
      json(400, { statusCode: 400, error: 'Bad Request', message: ['slug must be a DNS label', 'adminPassword must be longer'] }),
    );
    const client = new ApiClient(new MemoryStore(), fetchFn);
    const conflict = await client.post('/v1/x', {}, { auth: false }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ApiError);
    expect(conflict).toMatchObject({ status: 409, code: 'PLAN_BELOW_USAGE', message: 'This plan is below the usage' });
    const invalid = await client.post('/v1/y', {}, { auth: false }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 400, message: 'slug must be a DNS label; adminPassword must be longer' });
  });

  it('signs out: logout with the refresh token, and forgets the session even if the call fails', async () => {
    const store = new MemoryStore();
    const { calls, fetchFn } = server(new Response(null, { status: 204 }));
    const client = new ApiClient(store, fetchFn);
    client.startSession({ accessToken: access1, refreshToken: 'r1' }, 'root@example.test');
    await client.signOut();
    expect(calls[0]).toMatchObject({ url: '/v1/auth/logout', method: 'POST', body: { refreshToken: 'r1' } });
    expect(client.signedIn).toBe(false);
    expect(client.endReason).toBeNull();
    expect(store.items.size).toBe(0);

    const failing = new ApiClient(store, (async () => {
      throw new Error('offline');
    }) as typeof fetch);
    failing.startSession({ accessToken: access1, refreshToken: 'r9' });
    await expect(failing.signOut()).rejects.toThrow('offline');
    expect(failing.signedIn).toBe(false);
  });

  it('reads claims and builds query strings without empty values', () => {
    expect(readClaims(access1)).toMatchObject({ sub: 'u1', role: 'platform_admin' });
    expect(readClaims('not-a-jwt')).toBeNull();
    expect(queryString({ search: 'apollo hospitals', plan: '', regionId: undefined, limit: 25, offset: 0 })).toBe('?search=apollo+hospitals&limit=25&offset=0');
    expect(queryString({})).toBe('');
  });
});
