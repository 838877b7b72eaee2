import { randomBytes, randomUUID } from 'node:crypto';
import { SERVICE_TOKEN_HEADER } from '@medgenie/contracts';
import { TestOrg } from '@medgenie/testing';
import { UsageReport } from '../src/usage/usage.dto';
import { UsageService } from '../src/usage/usage.service';
import { withClient } from './db';
import { createPatient } from './dental-support';
import { startTestRegion, testDb, TestRegion } from './support';

const PNG = (size: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(size - 8)]);
const today = () => new Date().toISOString().slice(0, 10);

describe('usage reported to the control plane (GET /internal/v1/usage)', () => {
  let region: TestRegion;
  let a: TestOrg;
  let b: TestOrg;
  let other: TestOrg;

  const report = (orgIds: string[], query = '') =>
    region.client.get<UsageReport & { message?: unknown }>(`/internal/v1/usage?orgIds=${orgIds.join(',')}${query}`, {
      headers: { [SERVICE_TOKEN_HEADER]: region.serviceToken },
    });

  beforeAll(async () => {
    region = await startTestRegion();
    [a, b, other] = await Promise.all([region.createOrg({ extraClinics: 1 }), region.createOrg(), region.createOrg({ extraClinics: 2 })]);
    // a: 2 clinics, admin (a doctor) + one doctor + two staff, 3 patients, one 1,000-byte attachment.
    await Promise.all([a.addMember('doctor', [a.clinicIds[0]]), a.addMember('staff', [a.clinicIds[0]]), a.addMember('staff', [a.clinicIds[1]])]);
    const patient = await createPatient(region, a, 'Asha');
    await Promise.all([createPatient(region, a, 'Bina'), createPatient(region, a, 'Chitra')]);
    const upload = await region.client.request('POST', `/v1/dental/attachments?${new URLSearchParams({ patientId: patient, clinicId: a.clinicIds[0], kind: 'xray' })}`, {
      token: a.admin.token,
      payload: PNG(1000),
      headers: { 'content-type': 'image/png' },
    });
    expect(upload.status).toBe(201);
    // b: 1 clinic, the admin alone, 1 patient.
    await createPatient(region, b, 'Dev');
    // other: plenty of everything, none of which may show in a's or b's counts.
    await Promise.all([other.addMember('staff', [other.clinicIds[0]]), other.addMember('doctor', [other.clinicIds[1]])]);
    for (const name of ['Esha', 'Farah', 'Gita', 'Hema']) await createPatient(region, other, name);
  });
  afterAll(() => region?.close());

  it('answers the counts of each org asked for, and nothing of another org', async () => {
    await region.app.get(UsageService).flush();
    const res = await report([a.orgId, b.orgId]);
    expect(res.status).toBe(200);
    expect(res.body.regionId).toBe(region.regionId);
    expect(res.body.unknown).toEqual([]);
    const byOrg = Object.fromEntries(res.body.organizations.map((o) => [o.orgId, o]));
    expect(Object.keys(byOrg).sort()).toEqual([a.orgId, b.orgId].sort());
    expect(byOrg[a.orgId]).toMatchObject({ doctors: 2, patients: 3, clinics: 2, staff: 2, storageBytes: 1000 });
    expect(byOrg[b.orgId]).toMatchObject({ doctors: 1, patients: 1, clinics: 1, staff: 0, storageBytes: 0 });
    // Every request made with a's tokens above was counted (in memory, then flushed): 4 patients' and the upload's at least.
    expect(byOrg[a.orgId].apiRequests.date).toBe(today());
    expect(byOrg[a.orgId].apiRequests.count).toBeGreaterThanOrEqual(4);
    expect(byOrg[b.orgId].apiRequests.count).toBeGreaterThanOrEqual(1);
  });

  it('counts API requests per org and day in memory and writes them with one upsert per org, not per request', async () => {
    const before = (await report([b.orgId])).body.organizations[0].apiRequests.count;
    for (let i = 0; i < 5; i += 1) expect((await region.client.get('/v1/patients', { token: b.admin.token })).status).toBe(200);
    const rowsBefore = await withClient(testDb().adminUrl, async (c) =>
      (await c.query('select api_requests::int as n from usage_daily where organization_id = $1 and day = $2', [b.orgId, today()])).rows[0]?.n as number,
    );
    expect(rowsBefore).toBe(before); // nothing written yet: the five requests are in memory
    const after = (await report([b.orgId])).body.organizations[0].apiRequests.count;
    expect(after).toBe(before + 5);
    const rows = await withClient(testDb().adminUrl, async (c) => (await c.query('select day from usage_daily where organization_id = $1', [b.orgId])).rows);
    expect(rows).toHaveLength(1);
  });

  it('reports another day as asked, names orgs it does not hold, and refuses a bad list', async () => {
    const res = await report([a.orgId, randomUUID()], '&date=2020-01-01');
    expect(res.status).toBe(200);
    expect(res.body.organizations[0]).toMatchObject({ orgId: a.orgId, apiRequests: { date: '2020-01-01', count: 0 } });
    expect(res.body.unknown).toHaveLength(1);
    expect((await report(['not-a-uuid'])).status).toBe(400);
    expect((await report(Array.from({ length: 201 }, () => randomUUID()))).status).toBe(400);
  });

  it('is the control plane’s only: a user token gets 401', async () => {
    const res = await region.client.get(`/internal/v1/usage?orgIds=${a.orgId}`, { token: a.admin.token });
    expect(res.status).toBe(401);
  });
});
