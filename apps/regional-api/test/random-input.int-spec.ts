import fc from 'fast-check';
import { SERVICE_TOKEN_HEADER } from '@medgenie/contracts';
import { fuzzRoutes, TestOrg } from '@medgenie/testing';
import { startTestRegion, TestRegion } from './support';

/** Fixed, so a failure is the same failure on every run (fast-check prints the seed and path). */
const SEED = 20261201;
const RUNS_PER_ROUTE = 12;

/**
 * Issue 14's property test: random JSON (objects, arrays, strings with any characters, numbers of
 * any size, nulls, nesting) to every route of the regional API, as an org admin and on the internal
 * routes with the service token, with random path parameters and query strings. Whatever comes
 * in, the answer is never a 5xx.
 */
describe('every route of the regional API under random input', () => {
  let region: TestRegion;
  let org: TestOrg;
  beforeAll(async () => {
    region = await startTestRegion({ regionId: 'in' });
    org = await region.createOrg({ plan: 'basic' });
  });
  afterAll(() => region?.close());

  it('never answers 5xx', async () => {
    const routes = region.routes.filter((r) => !r.url.startsWith('/openapi')).map((r) => ({ method: r.method, path: r.url }));
    expect(routes.length).toBeGreaterThan(30);
    const { failures, sent } = await fuzzRoutes({
      routes,
      queryKeys: ['search', 'limit', 'cursor', 'clinicId', 'patientId', 'doctorId', 'date', 'status', 'code', 'kind', 'orgIds', 'from', 'to'],
      seed: SEED,
      runsPerRoute: RUNS_PER_ROUTE,
      extra: fc.constant(undefined),
      send: ({ method, url, payload }) => {
        const json: Record<string, string> = payload !== undefined ? { 'content-type': 'application/json' } : {};
        const auth = url.startsWith('/internal') ? { headers: { [SERVICE_TOKEN_HEADER]: region.serviceToken, ...json } } : { token: org.admin.token, headers: json };
        return region.client.request(method, url, { ...auth, payload });
      },
    });
    expect(failures).toEqual([]);
    expect(sent).toBe(routes.length * RUNS_PER_ROUTE);
  });
});
