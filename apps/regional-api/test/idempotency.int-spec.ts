import { randomBytes, randomUUID } from 'node:crypto';
import { BlobStore } from '@medgenie/blob';
import { SERVICE_TOKEN_HEADER } from '@medgenie/contracts';
import type { ErrorBody } from '@medgenie/http';
import { TestMember, TestOrg } from '@medgenie/testing';
import { PatientView } from '../src/patients/patients.service';
import { withClient } from './db';
import { createPatient } from './dental-support';
import { RACE_ENV, startTestRegion, testBlob, testDb, TestRegion } from './support';

const PNG = (size: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(size - 8)]);
const store = new BlobStore({ connectionString: testBlob().connectionString, timeoutMs: 5_000, maxTries: 1 });

const count = (sql: string, params: unknown[]) =>
  withClient(testDb().adminUrl, async (c) => Number((await c.query<{ n: number }>(sql, params)).rows[0].n));
const patientRows = (orgId: string, mobile: string) =>
  count('select count(*)::int as n from patients where organization_id = $1 and mobile_number = $2', [orgId, mobile]);
const keyRows = (orgId: string, key?: string) =>
  count('select count(*)::int as n from idempotency_keys where organization_id = $1 and ($2::text is null or idempotency_key = $2)', [orgId, key ?? null]);

let phone = 0;
/** A mobile number no other test uses. */
const mobile = () => `+9199${String(Date.now() % 1_000_000).padStart(6, '0')}${String((phone += 1) % 100).padStart(2, '0')}`;

/**
 * Idempotency-Key on POST and PATCH (issue 10): a retry with the same key and body answers the first
 * answer and writes nothing; concurrent duplicates make one record; the key is scoped to the org
 * and user that sent it; failures leave no key behind.
 */
describe('idempotent retries', () => {
  let region: TestRegion;
  let a: TestOrg;
  let b: TestOrg;
  let secondAdmin: TestMember;

  beforeAll(async () => {
    // A pool smaller than the concurrency of the race below: duplicates wait for connections and on the key.
    // Those waits are what this suite is about, not their bounds (RACE_ENV): on a loaded CI machine
    // the first upload's transaction outlasted the 500 ms lock timeout a duplicate waits on the key
    // under, which answered it 503.
    region = await startTestRegion({ poolSize: 4, env: RACE_ENV });
    [a, b] = await Promise.all([region.createOrg(), region.createOrg()]);
    secondAdmin = await a.addMember('org_admin', []);
  });
  afterAll(() => region?.close());

  const post = <T>(url: string, body: unknown, token: string, key?: string) =>
    region.client.post<T>(url, body, { token, headers: key === undefined ? {} : { 'idempotency-key': key } });
  const patch = <T>(url: string, body: unknown, token: string, key?: string) =>
    region.client.patch<T>(url, body, { token, headers: key === undefined ? {} : { 'idempotency-key': key } });

  it('answers a retry of POST /v1/patients with the first answer, and creates one patient', async () => {
    const key = randomUUID();
    const body = { firstName: 'Asha', lastName: 'Rao', mobileNumber: mobile() };
    const first = await post<PatientView>('/v1/patients', body, a.admin.token, key);
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    // The same body with its keys in another order is the same request.
    const retry = await post<PatientView>('/v1/patients', { mobileNumber: body.mobileNumber, lastName: 'Rao', firstName: 'Asha' }, a.admin.token, key);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.headers['content-type']).toContain('application/json');
    expect(retry.body).toEqual(first.body);
    expect(await patientRows(a.orgId, body.mobileNumber)).toBe(1);
    expect(await keyRows(a.orgId, key)).toBe(1);
  });

  it('makes exactly one record when the same request races with itself', async () => {
    const patient = await createPatient(region, a, 'Race');
    const key = `race-${randomUUID()}`;
    const body = { patientId: patient, clinicId: a.clinicIds[0], tooth: 36, condition: 'caries', notes: 'distal lesion' };
    const answers = await Promise.all(Array.from({ length: 16 }, () => post<{ id: string }>('/v1/dental/observations', body, a.admin.token, key)));
    expect(answers.map((r) => r.status)).toEqual(Array(16).fill(201));
    expect(new Set(answers.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(answers.filter((r) => r.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
    expect(await count('select count(*)::int as n from dental_observations where organization_id = $1 and patient_id = $2', [a.orgId, patient])).toBe(1);
    expect(await count("select count(*)::int as n from audit_events where organization_id = $1 and action = 'dental_observation.create' and resource_id = $2", [a.orgId, answers[0].body.id])).toBe(1);
  });

  it('creates a record per request without a key, as before, and stores no key', async () => {
    const patient = await createPatient(region, b, 'Nokey');
    const body = { patientId: patient, clinicId: b.clinicIds[0], tooth: 11, condition: 'fracture' };
    const [one, two] = await Promise.all([post<{ id: string }>('/v1/dental/observations', body, b.admin.token), post<{ id: string }>('/v1/dental/observations', body, b.admin.token)]);
    expect([one.status, two.status]).toEqual([201, 201]);
    expect(one.body.id).not.toBe(two.body.id);
    expect(one.headers['idempotent-replayed']).toBeUndefined();
    expect(await count('select count(*)::int as n from dental_observations where organization_id = $1 and patient_id = $2', [b.orgId, patient])).toBe(2);
    expect(await keyRows(b.orgId)).toBe(0);
  });

  it('refuses the same key with another body (422) and creates nothing', async () => {
    const key = randomUUID();
    const first = await post<PatientView>('/v1/patients', { firstName: 'Meera', lastName: 'Iyer', mobileNumber: mobile() }, a.admin.token, key);
    expect(first.status).toBe(201);
    const otherMobile = mobile();
    const other = await post<ErrorBody>('/v1/patients', { firstName: 'Meera', lastName: 'Iyer', mobileNumber: otherMobile }, a.admin.token, key);
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity', code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(other.body.message).toMatch(/different request/);
    expect(other.body.requestId).toEqual(expect.any(String));
    expect(await patientRows(a.orgId, otherMobile)).toBe(0);
    // Another query string is another request too.
    const query = await post<ErrorBody>('/v1/patients?x=1', { firstName: 'Meera', lastName: 'Iyer', mobileNumber: otherMobile }, a.admin.token, key);
    expect(query.status).toBe(422);
    // The first answer is still there for a true retry.
    const retry = await post<PatientView>('/v1/patients', { firstName: 'Meera', lastName: 'Iyer', mobileNumber: first.body.mobileNumber }, a.admin.token, key);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
  });

  it('replays a PATCH: the first answer, without applying it again', async () => {
    const created = await post<PatientView>('/v1/patients', { firstName: 'Kiran', lastName: 'Rao', mobileNumber: mobile() }, a.admin.token);
    const url = `/v1/patients/${created.body.id}`;
    const key = randomUUID();
    const first = await patch<PatientView>(url, { lastName: 'Menon' }, a.admin.token, key);
    expect(first.status).toBe(200);
    expect(first.body.lastName).toBe('Menon');
    // Changed since by another request (no key).
    expect((await patch<PatientView>(url, { lastName: 'Pillai' }, a.admin.token)).status).toBe(200);

    const retry = await patch<PatientView>(url, { lastName: 'Menon' }, a.admin.token, key);
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect((await region.client.get<PatientView>(url, { token: a.admin.token })).body.lastName).toBe('Pillai');

    // The same key on another patient's path is another request: 422.
    const other = await post<PatientView>('/v1/patients', { firstName: 'Kiran', lastName: 'Rao', mobileNumber: mobile() }, a.admin.token);
    const elsewhere = await patch<ErrorBody>(`/v1/patients/${other.body.id}`, { lastName: 'Menon' }, a.admin.token, key);
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await region.client.get<PatientView>(`/v1/patients/${other.body.id}`, { token: a.admin.token })).body.lastName).toBe('Rao');
  });

  it('stores nothing for a request that fails: a retry runs afresh', async () => {
    // A validation error (400): the key is not kept, so the corrected request may reuse it.
    const key = randomUUID();
    const number = mobile();
    const invalid = await post<ErrorBody>('/v1/patients', { firstName: 'Ravi', mobileNumber: number }, a.admin.token, key);
    expect(invalid.status).toBe(400);
    expect(await keyRows(a.orgId, key)).toBe(0);
    const fixed = await post<PatientView>('/v1/patients', { firstName: 'Ravi', lastName: 'Shah', mobileNumber: number }, a.admin.token, key);
    expect(fixed.status).toBe(201);
    expect(fixed.headers['idempotent-replayed']).toBeUndefined();

    // A conflict (409) is answered again on a retry, from the database, not from a stored answer;
    // once the conflict is gone the retry succeeds.
    const conflictKey = randomUUID();
    const duplicate = { firstName: 'Ravi', lastName: 'Shah', mobileNumber: number };
    const conflict = await post<ErrorBody>('/v1/patients', duplicate, a.admin.token, conflictKey);
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('PATIENT_EXISTS');
    expect(await keyRows(a.orgId, conflictKey)).toBe(0);
    expect((await region.client.delete(`/v1/patients/${fixed.body.id}`, { token: a.admin.token })).status).toBe(204);
    const retried = await post<PatientView>('/v1/patients', duplicate, a.admin.token, conflictKey);
    expect(retried.status).toBe(201);
    expect(retried.body.id).not.toBe(fixed.body.id);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
  });

  it("scopes a key to its org and user: another org or another user with the same key gets its own result", async () => {
    const key = `shared-${randomUUID()}`;
    const body = { firstName: 'Sima', lastName: 'Das', mobileNumber: mobile() };
    const fromA = await post<PatientView>('/v1/patients', body, a.admin.token, key);
    expect(fromA.status).toBe(201);

    // Org B, same key and the very same body: its own patient, in its own org; nothing replayed.
    const fromB = await post<PatientView>('/v1/patients', body, b.admin.token, key);
    expect(fromB.status).toBe(201);
    expect(fromB.headers['idempotent-replayed']).toBeUndefined();
    expect(fromB.body.id).not.toBe(fromA.body.id);
    expect(await patientRows(b.orgId, body.mobileNumber)).toBe(1);
    expect((await region.client.get(`/v1/patients/${fromA.body.id}`, { token: b.admin.token })).status).toBe(404);

    // Another user of org A with the same key: a request of its own (here the org's rule that a
    // mobile number and first name are unique answers it), never A's stored answer.
    const fromSecond = await post<ErrorBody>('/v1/patients', body, secondAdmin.token, key);
    expect(fromSecond.status).toBe(409);
    expect(fromSecond.headers['idempotent-replayed']).toBeUndefined();
    const observationBody = { patientId: fromA.body.id, clinicId: a.clinicIds[0], tooth: 21, condition: 'wear' };
    const obsKey = `obs-${randomUUID()}`;
    const [mine, theirs] = [
      await post<{ id: string }>('/v1/dental/observations', observationBody, a.admin.token, obsKey),
      await post<{ id: string }>('/v1/dental/observations', observationBody, secondAdmin.token, obsKey),
    ];
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();

    // Under RLS, org B's transaction sees none of A's keys.
    const seen = await withClient(testDb().appUrl, async (c) => {
      await c.query('begin');
      await c.query("select set_config('app.org_id', $1, true)", [b.orgId]);
      const { rows } = await c.query('select organization_id from idempotency_keys');
      await c.query('rollback');
      return rows.map((r) => r.organization_id as string);
    });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((org) => org === b.orgId)).toBe(true);
  });

  it('refuses a malformed key with 400 IDEMPOTENCY_KEY_INVALID, and ignores the header where it does not apply', async () => {
    for (const key of ['', 'has space', 'x'.repeat(256), 'tab\there']) {
      const res = await post<ErrorBody>('/v1/patients', { firstName: 'Bad', lastName: 'Key', mobileNumber: mobile() }, a.admin.token, key);
      expect({ key, status: res.status, code: res.body.code }).toEqual({ key, status: 400, code: 'IDEMPOTENCY_KEY_INVALID' });
    }
    expect((await post<PatientView>('/v1/patients', { firstName: 'Good', lastName: 'Key', mobileNumber: mobile() }, a.admin.token, 'x'.repeat(255))).status).toBe(201);
    // GET is idempotent already; internal (service) routes take no key.
    expect((await region.client.get('/v1/patients', { token: a.admin.token, headers: { 'idempotency-key': 'has space' } })).status).toBe(200);
    const internal = await region.client.patch(`/internal/v1/organizations/${b.orgId}`, {}, { headers: { [SERVICE_TOKEN_HEADER]: region.serviceToken, 'idempotency-key': 'has space' } });
    expect(internal.status).toBe(200);
  });

  it('takes any visible ASCII in a key as data: quotes, backslashes and SQL in it change nothing', async () => {
    for (const key of ["it's\\';drop/**/table/**/patients;--", '\\x41\\\\E\'\'', `"$$;$tag$'`]) {
      const body = { firstName: 'Quote', lastName: 'Key', mobileNumber: mobile() };
      const first = await post<PatientView>('/v1/patients', body, a.admin.token, key);
      expect({ key, status: first.status }).toEqual({ key, status: 201 });
      const retry = await post<PatientView>('/v1/patients', body, a.admin.token, key);
      expect({ key, status: retry.status, id: retry.body.id, replayed: retry.headers['idempotent-replayed'] }).toEqual({ key, status: 201, id: first.body.id, replayed: 'true' });
      expect(await keyRows(a.orgId, key)).toBe(1);
    }
  });

  it('ignores and replaces a key older than 24 hours, and purges expired keys as keyed requests come in', async () => {
    const key = randomUUID();
    const body = { firstName: 'Old', lastName: 'Key', mobileNumber: mobile() };
    const first = await post<PatientView>('/v1/patients', body, a.admin.token, key);
    expect(first.status).toBe(201);
    const stale = Array.from({ length: 5 }, () => randomUUID());
    await withClient(testDb().adminUrl, async (c) => {
      await c.query(`update idempotency_keys set created_at = now() - interval '25 hours' where organization_id = $1 and idempotency_key = $2`, [a.orgId, key]);
      for (const old of stale) {
        await c.query(
          `insert into idempotency_keys (organization_id, user_id, method, route, idempotency_key, fingerprint, response_status, response_body, created_at)
           values ($1, $2, 'POST', '/v1/patients', $3, decode(repeat('ab', 32), 'hex'), 201, '{}', now() - interval '30 hours')`,
          [a.orgId, a.admin.userId, old],
        );
      }
    });
    // The patient exists, so a fresh run of the same request is a conflict: the old answer is not replayed.
    const after = await post<ErrorBody>('/v1/patients', body, a.admin.token, key);
    expect(after.status).toBe(409);
    expect(after.headers['idempotent-replayed']).toBeUndefined();

    // Another body under the expired key is a new request, not a 422.
    const renewed = await post<PatientView>('/v1/patients', { ...body, mobileNumber: mobile() }, a.admin.token, key);
    expect(renewed.status).toBe(201);
    expect(renewed.body.id).not.toBe(first.body.id);
    const replayed = await post<PatientView>('/v1/patients', { ...body, mobileNumber: renewed.body.mobileNumber }, a.admin.token, key);
    expect(replayed.body.id).toBe(renewed.body.id);
    expect(await keyRows(a.orgId, key)).toBe(1);
    // The request that succeeded purged the org's expired keys (the 409 above rolled its purge back).
    expect(await count(`select count(*)::int as n from idempotency_keys where organization_id = $1 and idempotency_key = any ($2)`, [a.orgId, stale])).toBe(0);
  });

  describe('attachment uploads', () => {
    let patient: string;
    const uploadUrl = () => `/v1/dental/attachments?${new URLSearchParams({ patientId: patient, clinicId: a.clinicIds[0], kind: 'xray' })}`;
    const upload = (file: Buffer, key: string) =>
      region.client.request<{ id: string; sha256: string; code?: string }>('POST', uploadUrl(), {
        token: a.admin.token,
        payload: file,
        headers: { 'content-type': 'image/png', 'idempotency-key': key },
      });
    const attachments = () => count('select count(*)::int as n from dental_attachments where organization_id = $1 and patient_id = $2', [a.orgId, patient]);
    const blobs = async () => (await store.list(BlobStore.containerFor(a.orgId))).length;

    beforeAll(async () => {
      patient = await createPatient(region, a, 'Upload');
    });

    it('replays a retried upload without storing the file again, and refuses another file under the key', async () => {
      const before = await blobs();
      const file = PNG(300 * 1024);
      const key = randomUUID();
      const first = await upload(file, key);
      expect(first.status).toBe(201);
      const retry = await upload(file, key);
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual(first.body);
      expect(await attachments()).toBe(1);
      expect(await blobs()).toBe(before + 1);

      const other = await upload(PNG(300 * 1024), key);
      expect(other.status).toBe(422);
      expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(await attachments()).toBe(1);
      expect(await blobs()).toBe(before + 1);
    });

    it('makes one attachment and keeps one file when the same upload races with itself', async () => {
      const before = { rows: await attachments(), blobs: await blobs() };
      const file = PNG(200 * 1024);
      const key = randomUUID();
      const answers = await Promise.all(Array.from({ length: 6 }, () => upload(file, key)));
      expect(answers.map((r) => r.status)).toEqual(Array(6).fill(201));
      expect(new Set(answers.map((r) => r.body.id)).size).toBe(1);
      expect(await attachments()).toBe(before.rows + 1);
      expect(await blobs()).toBe(before.blobs + 1);
    });
  });
});
