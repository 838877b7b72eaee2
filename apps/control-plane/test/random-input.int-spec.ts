import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { signupBody, startTestControlPlane, TestControlPlane } from './support';

const SEED = 20261201;
const RUNS_PER_ROUTE = 10;

/** Routes the OpenAPI document leaves out (Stripe's webhook, the Unleash client API, the gateway's lookup). */
const UNDOCUMENTED = [
  { method: 'POST', path: '/v1/billing/webhook' },
  { method: 'GET', path: '/api/client/features' },
  { method: 'POST', path: '/api/client/register' },
  { method: 'POST', path: '/api/client/metrics' },
  { method: 'GET', path: '/internal/v1/registry/lookup' },
];

/**
 * Issue 14's property test for the control plane: random JSON, path parameters and query strings
 * to every route, as a platform admin, as an org admin and with no token. Never a 5xx.
 */
describe('every route of the control plane under random input', () => {
  let cp: TestControlPlane;
  let tokens: (string | undefined)[];
  beforeAll(async () => {
    cp = await startTestControlPlane({ STRIPE_WEBHOOK_SECRET: 'whsec_random_input_test_0123456789' });
    const admin = await cp.client.post<{ accessToken: string }>('/v1/auth/login', cp.platformAdmin);
    const org = await cp.client.post<{ accessToken: string }>('/v1/signup', signupBody({ regionId: 'in' }));
    tokens = [admin.body.accessToken, org.body.accessToken, undefined];
  });
  afterAll(() => cp?.close());

  it('never answers 5xx', async () => {
    const doc = (await cp.client.get<{ paths: Record<string, Record<string, unknown>> }>('/openapi.json')).body;
    const routes = [
      ...Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path: path.replace(/\{(\w+)\}/g, ':$1') }))),
      ...UNDOCUMENTED,
    ];
    expect(routes.length).toBeGreaterThan(25);
    const param = fc.oneof(fc.uuid(), fc.constant(randomUUID()), fc.string({ maxLength: 40 }), fc.integer().map(String));
    const query = fc.dictionary(fc.constantFrom('search', 'limit', 'offset', 'by', 'date', 'from', 'to', 'hours', 'host', 'slug', 'status', 'plan', 'regionId'), fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String)), { maxKeys: 3 });
    const body = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 }));
    const failures: string[] = [];
    let sent = 0;
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(fc.array(param, { minLength: 3, maxLength: 3 }), query, body, fc.constantFrom(...tokens), async (params, q, payload, token) => {
          let i = 0;
          const path = route.path.replace(/:[A-Za-z]+/g, () => encodeURIComponent(params[i++ % params.length]) || 'x');
          const search = new URLSearchParams(q).toString();
          const url = `${path}${search ? `?${search}` : ''}`;
          const hasBody = route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH';
          sent += 1;
          const res = await cp.client.request(route.method, url, {
            token,
            headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), 'stripe-signature': 't=1,v1=00' },
            ...(hasBody ? { payload: JSON.stringify(payload) } : {}),
          });
          if (res.status >= 500) failures.push(`${route.method} ${url} ${hasBody ? JSON.stringify(payload).slice(0, 200) : ''} -> ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          return res.status < 500;
        }),
        { seed: SEED, numRuns: RUNS_PER_ROUTE, endOnFailure: true },
      ).catch(() => undefined);
    }
    expect(failures).toEqual([]);
    expect(sent).toBe(routes.length * RUNS_PER_ROUTE);
  });
});
