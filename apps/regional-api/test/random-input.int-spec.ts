import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { SERVICE_TOKEN_HEADER } from '@medgenie/contracts';
import { TestOrg } from '@medgenie/testing';
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

  const param = fc.oneof(fc.uuid(), fc.constant(randomUUID()), fc.string({ maxLength: 40 }), fc.integer().map(String));
  const query = fc.dictionary(fc.constantFrom('search', 'limit', 'cursor', 'clinicId', 'patientId', 'doctorId', 'date', 'status', 'code', 'kind', 'orgIds', 'from', 'to'), fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String), fc.uuid()), { maxKeys: 3 });
  const body = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 }));

  it('never answers 5xx', async () => {
    const routes = region.routes.filter((r) => !r.url.startsWith('/openapi'));
    expect(routes.length).toBeGreaterThan(30);
    const failures: string[] = [];
    let sent = 0;
    for (const route of routes) {
      const internal = route.url.startsWith('/internal');
      await fc.assert(
        fc.asyncProperty(fc.array(param, { minLength: 3, maxLength: 3 }), query, body, async (params, q, payload) => {
          let i = 0;
          const path = route.url.replace(/:[A-Za-z]+/g, () => encodeURIComponent(params[i++ % params.length]) || 'x');
          const search = new URLSearchParams(q).toString();
          const url = `${path}${search ? `?${search}` : ''}`;
          const hasBody = route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH';
          sent += 1;
          const res = await region.client.request(route.method, url, {
            ...(internal ? { headers: { [SERVICE_TOKEN_HEADER]: region.serviceToken, ...(hasBody ? { 'content-type': 'application/json' } : {}) } } : { token: org.admin.token, headers: hasBody ? { 'content-type': 'application/json' } : {} }),
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
