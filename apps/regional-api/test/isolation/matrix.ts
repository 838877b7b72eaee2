import { TestMember, TestOrg } from '@medgenie/testing';
import { TestRegion } from '../support';

/**
 * The isolation matrix's vocabulary. Every route the API serves must have exactly one case; the
 * cases live beside each feature in `test/isolation/*.cases.ts` and are tied to the live route
 * table by isolation.int-spec.ts.
 *
 * `ids.a` and `ids.b` hold, per resource name, one id that org A (the victim) and org B (the
 * caller) own: patient, clinic, membership, plus whatever each case set's `seed` adds.
 */
export interface Ids {
  a: Record<string, string>;
  b: Record<string, string>;
}

/** A path parameter (without ':') mapped to a resource name of `ids`. Default for foreign-id: `{ id: resource }`. */
export type Params = Record<string, string>;
/** A JSON body, or a function of the seeded ids that makes one (its `ids` parameter is typed from here). */
type Body = ((ids: Ids) => unknown) | object | string | number | boolean | null;
/** A query string, as values or built from the seeded ids (e.g. `(ids) => ({ patientId: ids.b.patient })`). */
type Query = Record<string, string> | ((ids: Ids) => Record<string, string>);

/**
 * What a case may send besides its path: a JSON `body`, or a raw `payload` with its
 * `contentType` (for routes that take a file), and a `query` string.
 */
export interface Request {
  body?: Body;
  query?: Query;
  payload?: string | Buffer;
  contentType?: string;
}

export type Case =
  /** B calls the route with A's ids in the path: 404 (a JSON error), and A is unchanged. */
  | { kind: 'foreign-id'; resource: string; params?: Params; body?: Body; query?: Query; payload?: string | Buffer; contentType?: string }
  /** B lists or creates under its own ids: only B's rows come back or are made, and A is unchanged. */
  | {
      kind: 'collection';
      params?: Params;
      listKey?: string;
      status?: number;
      body?: Body;
      query?: Query;
      payload?: string | Buffer;
      contentType?: string;
    }
  /**
   * B sends a body (or query) that points at A's rows, under B's own path ids: refused with
   * `status` (404 unless stated), and A is unchanged.
   */
  | { kind: 'foreign-reference'; params?: Params; status?: number; body?: Body; query?: Query; payload?: string | Buffer; contentType?: string }
  /** The route acts on the caller's organization: B gets B, and A is unchanged. */
  | { kind: 'own-org'; body?: Body }
  /** Control-plane routes: a user token (even an admin's) is refused with 401. */
  | { kind: 'service'; body?: unknown }
  /** No tenant data behind it. */
  | { kind: 'public'; reason: string };

export interface IsolationContext {
  region: TestRegion;
  /** The victim: two clinics, a staff member in its second clinic, three patients. */
  a: TestOrg;
  /** The caller: one clinic, two patients. Its admin's token makes every call. */
  b: TestOrg;
  /** Ids seeded so far (core first, then the case sets in file-name order). */
  ids: Ids;
}

export interface CaseSet {
  /** Adds each org's rows for this feature; returns the resource ids it made, per org. */
  seed?(ctx: IsolationContext): Promise<Partial<Ids>>;
  /** One case per route, or several when a route is worth attacking more than one way. */
  cases: Record<string, Case | Case[]>;
  /** The clinic tier: the same routes attacked from A's first clinic at A's second (see ClinicCase). */
  clinic: ClinicTier;
}

/**
 * The clinic matrix (clinic-isolation.int-spec.ts): the caller is a member of org A granted A's
 * first clinic only, a doctor (with a profile, practising there) or a staff member; the victim is
 * A's second clinic, where the org matrix's seeds put A's appointment, prescriptions and dental
 * records (of a patient who is also seen at the first clinic).
 *
 * The same `Ids` vocabulary, read from the caller's side: `ids.a` is the victim's (A's ids as the
 * org matrix seeded them: clinic = the second clinic and its rows), `ids.b` the caller's own
 * (clinic = the first clinic, patient = the same patient, org-wide ids such as medicine or
 * shortKey = A's, plus what each set's clinic `seed` makes in the first clinic). After each case
 * the second clinic's rows (every table the registry places in a clinic) must be unchanged, and
 * no answer may name the second clinic or a row of it that the request did not name itself.
 */
export type ClinicAttacker = 'doctor' | 'staff';

/** What a clinic case sends, and as whom (the clinic-1 doctor unless `as` says). */
export interface ClinicRequest extends Request {
  params?: Params;
  as?: ClinicAttacker;
}

export type ClinicCase =
  /** A clinic-2 row named in the path (`params`, default `{ id: resource }`, from `ids.a`): 404 (a JSON error). */
  | ({ kind: 'other-clinic-id'; resource: string } & ClinicRequest)
  /**
   * The caller lists, reads, creates or changes under its own ids (`ids.b`): a list (or the row
   * read) holds no clinic-2 row and at least one row (none with `empty`); a created row (`status`, default 201) is the first
   * clinic's when its table is clinic-scoped; a change (PATCH, DELETE) answers `status` (default
   * 200, 204) and, like every case, leaves clinic 2's rows as they were.
   */
  | ({ kind: 'own-clinic'; listKey?: string; status?: number; empty?: boolean } & ClinicRequest)
  /** Under its own path ids, a body or query that names clinic 2 or its rows: refused with `status` (404 unless stated). */
  | ({ kind: 'other-clinic-reference'; status?: number } & ClinicRequest)
  /** The role may not call the route: 403 (path ids from `ids.a`: `params`, or `{ id: resource }`). */
  | ({ kind: 'forbidden'; as: ClinicAttacker; resource?: string } & ClinicRequest)
  /**
   * Not clinic-scoped: the resource is the org's (or no tenant data at all), the same from every
   * clinic; `reason` says why. A `probe` calls the route (path ids from `ids.a`, or from `ids.b`
   * for a name only the caller's side has) and expects `status` (201 for POST, 204 for DELETE,
   * else 200) and an answer that names nothing of clinic 2.
   */
  | { kind: 'org-wide'; reason: string; probe?: ClinicRequest & { resource?: string; status?: number } };

export interface ClinicTier {
  /** Adds the caller's own rows in the first clinic (as A's admin or as the attackers); returns their ids for `ids.b`. */
  seed?(ctx: ClinicContext): Promise<Record<string, string>>;
  /** At least one case per route, as for the org matrix. */
  cases: Record<string, ClinicCase | ClinicCase[]>;
}

export interface ClinicContext {
  region: TestRegion;
  /** Org A: clinicIds[0] is the caller's clinic, clinicIds[1] the victim. */
  org: TestOrg;
  /** The callers, both granted the first clinic only; the doctor has a profile and practises there. */
  attackers: { doctor: TestMember & { doctorId: string }; staff: TestMember };
  /** `a`: the victim's (clinic 2), `b`: the caller's own (clinic 1), so far. */
  ids: Ids;
}

export function bodyOf(body: Body | undefined, ids: Ids): unknown {
  return typeof body === 'function' ? (body as (ids: Ids) => unknown)(ids) : body;
}

/** The URL with the case's query string, and the request options for its body or raw payload. */
export function requestOf(url: string, request: Request, ids: Ids): { url: string; body?: unknown; payload?: string | Buffer; headers?: Record<string, string> } {
  const query = typeof request.query === 'function' ? request.query(ids) : request.query;
  const search = query ? `?${new URLSearchParams(query).toString()}` : '';
  if (request.payload !== undefined) {
    return { url: url + search, payload: request.payload, headers: { 'content-type': request.contentType ?? 'application/octet-stream' } };
  }
  return { url: url + search, body: bodyOf(request.body, ids) };
}

/** Fills `:name` path parameters from the given org's ids. */
export function fillPath(template: string, params: Params, ids: Record<string, string>): string {
  return template.replace(/:([A-Za-z]+)/g, (whole, name: string) => {
    const resource = params[name];
    if (!resource) throw new Error(`${template}: no resource named for the path parameter ${whole}`);
    const id = ids[resource];
    if (!id) throw new Error(`${template}: no seeded id for resource ${resource}`);
    return id;
  });
}
