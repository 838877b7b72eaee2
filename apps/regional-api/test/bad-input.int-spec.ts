import { TestOrg } from '@medgenie/testing';
import { withClient } from './db';
import { startTestRegion, testDb, TestRegion } from './support';

describe('bad input gets a clear 4xx and loses nothing', () => {
  let region: TestRegion;
  let org: TestOrg;
  let other: TestOrg;
  let patientId: string;
  const asha = { firstName: 'Asha', lastName: 'Rao', mobileNumber: '+919876543210' };

  beforeAll(async () => {
    region = await startTestRegion();
    [org, other] = await Promise.all([region.createOrg(), region.createOrg()]);
    const res = await region.client.post<{ id: string }>('/v1/patients', asha, { token: org.admin.token });
    expect(res.status).toBe(201);
    patientId = res.body.id;
  });
  afterAll(() => region?.close());

  const countPatients = (orgId: string) =>
    withClient(testDb().adminUrl, async (c) => Number((await c.query('select count(*) as n from patients where organization_id = $1', [orgId])).rows[0].n));

  it.each(['not-a-uuid', '123', `${'0'.repeat(8)}-0000-0000-0000-00000000000g`, "1' or '1'='1"])('400 for a malformed id: %s', async (id) => {
    for (const base of ['/v1/patients', '/v1/clinics', '/v1/memberships']) {
      const res = await region.client.get<{ statusCode: number; message: string }>(`${base}/${encodeURIComponent(id)}`, { token: org.admin.token });
      expect(res.status).toBe(400);
      expect(res.body.statusCode).toBe(400);
    }
  });

  it('400 for over-long strings', async () => {
    const res = await region.client.post<{ message: string }>('/v1/patients', { ...asha, firstName: 'A'.repeat(101) }, { token: org.admin.token });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('firstName');
    const search = await region.client.get(`/v1/patients?search=${'a'.repeat(101)}`, { token: org.admin.token });
    expect(search.status).toBe(400);
  });

  it('400 that reports every problem of the body, not only the first', async () => {
    const before = await countPatients(org.orgId);
    const res = await region.client.post<{ statusCode: number; error: string; message: string; code: string; requestId: string; errors: { field: string; messages: string[] }[] }>(
      '/v1/patients',
      { firstName: '', lastName: 'Rao', mobileNumber: 'call me', gender: 'robot' },
      { token: org.admin.token },
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'VALIDATION_FAILED', requestId: expect.any(String) });
    expect(res.body.errors.map((e) => e.field).sort()).toEqual(['firstName', 'gender', 'mobileNumber']);
    for (const { field, messages } of res.body.errors) {
      expect(messages.length).toBeGreaterThan(0);
      for (const m of messages) expect(res.body.message).toContain(m);
      expect(res.body.message).toContain(field);
    }
    expect(await countPatients(org.orgId)).toBe(before);
  });

  it('400 for unknown fields, top-level and nested', async () => {
    const res = await region.client.post<{ message: string }>('/v1/patients', { ...asha, firstName: 'Ravi', isAdmin: true }, { token: org.admin.token });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('isAdmin');
    const nested = await region.client.post('/v1/patients', { ...asha, firstName: 'Ravi', address: { city: 'Pune', evil: 1 } }, { token: org.admin.token });
    expect(nested.status).toBe(400);
    const query = await region.client.get('/v1/patients?orgId=x', { token: org.admin.token });
    expect(query.status).toBe(400);
  });

  it('400 for wrong types, formats and ranges', async () => {
    const cases = [
      { ...asha, firstName: 'Ravi', mobileNumber: 'call me' },
      { ...asha, firstName: 'Ravi', dateOfBirth: '31/12/1990' },
      { ...asha, firstName: 'Ravi', dateOfBirth: '1990-02-30' },
      { ...asha, firstName: 'Ravi', gender: 'robot' },
      { ...asha, firstName: 12 },
      { lastName: 'NoFirst', mobileNumber: '+919876543210' },
    ];
    for (const body of cases) {
      expect((await region.client.post('/v1/patients', body, { token: org.admin.token })).status).toBe(400);
    }
    for (const q of ['limit=0', 'limit=1000', 'limit=abc', 'offset=-1']) {
      expect((await region.client.get(`/v1/patients?${q}`, { token: org.admin.token })).status).toBe(400);
    }
  });

  it('400 for malformed JSON', async () => {
    const res = await region.client.request<{ statusCode: number }>('POST', '/v1/patients', {
      token: org.admin.token,
      headers: { 'content-type': 'application/json' },
      payload: '{"firstName": ',
    });
    expect(res.status).toBe(400);
    expect(res.body.statusCode).toBe(400);
  });

  it('413 for a body over 1 MiB, as JSON', async () => {
    const before = await countPatients(org.orgId);
    const res = await region.client.post<{ statusCode: number; error: string }>(
      '/v1/patients',
      { ...asha, firstName: 'Big', notes: 'x'.repeat(1024 * 1024) },
      { token: org.admin.token },
    );
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    expect(await countPatients(org.orgId)).toBe(before);
  });

  it('409 for a duplicate (mobile number, first name) in one org, whatever the case or spacing', async () => {
    const before = await countPatients(org.orgId);
    for (const dup of [asha, { ...asha, firstName: 'asha', lastName: 'Other' }, { ...asha, mobileNumber: '+91 98765-43210' }]) {
      const res = await region.client.post<{ code: string }>('/v1/patients', dup, { token: org.admin.token });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('PATIENT_EXISTS');
    }
    expect(await countPatients(org.orgId)).toBe(before);
    const original = await region.client.get<{ lastName: string }>(`/v1/patients/${patientId}`, { token: org.admin.token });
    expect(original.body.lastName).toBe('Rao');
  });

  it('allows the same (mobile number, first name) in another org', async () => {
    const res = await region.client.post('/v1/patients', asha, { token: other.admin.token });
    expect(res.status).toBe(201);
  });

  it('409 when an update would duplicate another patient', async () => {
    const second = await region.client.post<{ id: string }>('/v1/patients', { ...asha, firstName: 'Meera' }, { token: org.admin.token });
    const res = await region.client.patch(`/v1/patients/${second.body.id}`, { firstName: 'Asha' }, { token: org.admin.token });
    expect(res.status).toBe(409);
    const unchanged = await region.client.get<{ firstName: string }>(`/v1/patients/${second.body.id}`, { token: org.admin.token });
    expect(unchanged.body.firstName).toBe('Meera');
  });

  it('404 as JSON for an unknown route, and no stack trace in any error', async () => {
    const res = await region.client.get<Record<string, unknown>>('/v1/nothing-here', { token: org.admin.token });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/);
  });
});
