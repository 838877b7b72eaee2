import fc from 'fast-check';
import { fuzzRoutes } from '@medgenie/testing';
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
    const { failures, sent } = await fuzzRoutes({
      routes,
      queryKeys: ['search', 'limit', 'offset', 'by', 'date', 'from', 'to', 'hours', 'host', 'slug', 'status', 'plan', 'regionId', 'action', 'targetId'],
      seed: SEED,
      runsPerRoute: RUNS_PER_ROUTE,
      extra: fc.constantFrom(...tokens),
      send: ({ method, url, payload, extra: token }) =>
        cp.client.request(method, url, {
          token,
          headers: { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), 'stripe-signature': 't=1,v1=00' },
          payload,
        }),
    });
    expect(failures).toEqual([]);
    expect(sent).toBe(routes.length * RUNS_PER_ROUTE);
  });
});
