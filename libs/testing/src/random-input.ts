import { randomUUID } from 'node:crypto';
import fc from 'fast-check';

/** A route as its app declares it (`:name` path parameters). */
export interface FuzzRoute {
  method: string;
  path: string;
}

/** One random request: the URL with its parameters and query filled, and the JSON body for POST, PUT and PATCH. */
export interface FuzzRequest<E> {
  method: string;
  url: string;
  /** The JSON text of the body, or undefined for methods without one. */
  payload: string | undefined;
  /** A pick of the caller's own arbitrary (a token, say). */
  extra: E;
}

export interface FuzzOptions<E> {
  routes: FuzzRoute[];
  /** Query keys to draw from (the app's own, so some land on real filters). */
  queryKeys: string[];
  seed: number;
  runsPerRoute: number;
  extra: fc.Arbitrary<E>;
  send(request: FuzzRequest<E>): Promise<{ status: number; body: unknown }>;
}

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Random JSON bodies (any nesting, strings with any characters, numbers of any size), path
 * parameters and query strings to every route, with fast-check and a fixed seed (a failure is the
 * same on every run). Answers the requests that got a 5xx, described, and how many were sent.
 */
export async function fuzzRoutes<E>(options: FuzzOptions<E>): Promise<{ failures: string[]; sent: number }> {
  const param = fc.oneof(fc.uuid(), fc.constant(randomUUID()), fc.string({ maxLength: 40 }), fc.integer().map(String));
  const query = fc.dictionary(fc.constantFrom(...options.queryKeys), fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String), fc.uuid()), { maxKeys: 3 });
  const body = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 }));
  const failures: string[] = [];
  let sent = 0;
  for (const route of options.routes) {
    await fc
      .assert(
        fc.asyncProperty(fc.array(param, { minLength: 3, maxLength: 3 }), query, body, options.extra, async (params, q, json, extra) => {
          let i = 0;
          const path = route.path.replace(/:[A-Za-z]+/g, () => encodeURIComponent(params[i++ % params.length]) || 'x');
          const search = new URLSearchParams(q).toString();
          const url = `${path}${search ? `?${search}` : ''}`;
          const payload = WITH_BODY.has(route.method) ? JSON.stringify(json) : undefined;
          sent += 1;
          const res = await options.send({ method: route.method, url, payload, extra });
          if (res.status >= 500) failures.push(`${route.method} ${url} ${payload?.slice(0, 200) ?? ''} -> ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          return res.status < 500;
        }),
        { seed: options.seed, numRuns: options.runsPerRoute, endOnFailure: true },
      )
      .catch(() => undefined);
  }
  return { failures, sent };
}
