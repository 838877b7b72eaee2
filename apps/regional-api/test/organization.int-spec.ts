import { randomUUID } from 'node:crypto';
import { SERVICE_TOKEN_HEADER } from '@medgenie/contracts';
import { withClient } from './db';
import { RACE_ENV, startTestRegion, testDb, TestRegion } from './support';

describe('organization settings, plan limits and provisioning', () => {
  let region: TestRegion;
  beforeAll(async () => {
    region = await startTestRegion({ regionId: 'in', env: RACE_ENV });
  });
  afterAll(() => region?.close());
  const service = () => ({ headers: { [SERVICE_TOKEN_HEADER]: region.serviceToken } });

  it("reads the org and updates branding, language (among the region's) and timezone", async () => {
    const org = await region.createOrg();
    const got = await region.client.get<{ id: string; regionId: string; availableLanguages: string[] }>('/v1/organization', { token: org.admin.token });
    expect(got.body).toMatchObject({ id: org.orgId, regionId: 'in', availableLanguages: ['en', 'hi'] });
    const res = await region.client.patch(
      '/v1/organization/settings',
      { branding: { displayName: 'Apollo', primaryColor: '#0a7cff' }, language: 'hi', timezone: 'Asia/Kolkata' },
      { token: org.admin.token },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ settings: { branding: { displayName: 'Apollo', primaryColor: '#0a7cff' }, language: 'hi', timezone: 'Asia/Kolkata' } });
    // Branding merges: a field given changes, the others stay; null removes one.
    const color = await region.client.patch<{ settings: { branding: Record<string, string> } }>('/v1/organization/settings', { branding: { primaryColor: '#123456' } }, { token: org.admin.token });
    expect(color.body.settings.branding).toEqual({ displayName: 'Apollo', primaryColor: '#123456' });
    // Two admins changing different fields at the same moment both keep theirs.
    await Promise.all([
      region.client.patch('/v1/organization/settings', { branding: { logoUrl: 'https://cdn.example.org/apollo.png' } }, { token: org.admin.token }),
      region.client.patch('/v1/organization/settings', { branding: { displayName: 'Apollo Hospitals' } }, { token: org.admin.token }),
    ]);
    const both = await region.client.get<{ settings: { branding: Record<string, string> } }>('/v1/organization', { token: org.admin.token });
    expect(both.body.settings.branding).toEqual({ displayName: 'Apollo Hospitals', primaryColor: '#123456', logoUrl: 'https://cdn.example.org/apollo.png' });
    const cleared = await region.client.patch<{ settings: { branding: Record<string, string> } }>('/v1/organization/settings', { branding: { logoUrl: null } }, { token: org.admin.token });
    expect(cleared.body.settings.branding).toEqual({ displayName: 'Apollo Hospitals', primaryColor: '#123456' });
    const fr = await region.client.patch<{ code: string }>('/v1/organization/settings', { language: 'fr' }, { token: org.admin.token });
    expect(fr.status).toBe(400);
    expect(fr.body.code).toBe('UNSUPPORTED_LANGUAGE');
    expect((await region.client.patch('/v1/organization/settings', { timezone: 'Mars/Olympus' }, { token: org.admin.token })).status).toBe(400);
    expect((await region.client.patch('/v1/organization/settings', { branding: { logoUrl: 'javascript:alert(1)' } }, { token: org.admin.token })).status).toBe(400);
    const doctor = await org.addMember('doctor', [org.clinicIds[0]]);
    expect((await region.client.patch('/v1/organization/settings', { language: 'en' }, { token: doctor.token })).status).toBe(403);
  });

  it('enforces the plan clinic limit with a clear error (trial: 1 clinic)', async () => {
    const org = await region.createOrg({ plan: 'trial' });
    const res = await region.client.post<{ code: string; message: string }>('/v1/clinics', { name: 'Second' }, { token: org.admin.token });
    expect(res.status).toBe(402);
    expect(res.body.code).toBe('PLAN_LIMIT_REACHED');
    expect(res.body.message).toBe('Your plan allows 1 clinic; upgrade to add more');
  });

  it('manages clinics: create, rename, move the primary, refuse deleting the primary', async () => {
    const org = await region.createOrg();
    const created = await region.client.post<{ id: string; code: string }>(
      '/v1/clinics',
      { name: 'Delhi Branch', timezone: 'Asia/Kolkata', phone: '+91 11 2345 6789', address: { city: 'Delhi' } },
      { token: org.admin.token },
    );
    expect(created.status).toBe(201);
    expect(created.body.code).toBe('DELHI-BRANCH');
    expect((await region.client.post('/v1/clinics', { name: 'Delhi Branch' }, { token: org.admin.token })).status).toBe(409);
    expect((await region.client.delete(`/v1/clinics/${org.clinicIds[0]}`, { token: org.admin.token })).status).toBe(409);
    const moved = await region.client.patch(`/v1/clinics/${created.body.id}`, { isPrimary: true }, { token: org.admin.token });
    expect(moved.body).toMatchObject({ isPrimary: true });
    const old = await region.client.get(`/v1/clinics/${org.clinicIds[0]}`, { token: org.admin.token });
    expect(old.body).toMatchObject({ isPrimary: false });
    expect((await region.client.delete(`/v1/clinics/${org.clinicIds[0]}`, { token: org.admin.token })).status).toBe(204);
  });

  it('lists memberships with their clinic access for org admins', async () => {
    const org = await region.createOrg();
    const staff = await org.addMember('staff', [org.clinicIds[0]]);
    const res = await region.client.get<{ id: string; role: string; clinicIds: unknown }[]>('/v1/memberships', { token: org.admin.token });
    expect(res.body.map((m) => [m.role, m.clinicIds]).sort()).toEqual([
      ['org_admin', '*'],
      ['staff', [org.clinicIds[0]]],
    ]);
    expect((await region.client.get('/v1/memberships', { token: staff.token })).status).toBe(403);
  });

  it('provisioning is idempotent on the org id and refuses a taken slug', async () => {
    const orgId = randomUUID();
    const body = {
      organizationId: orgId,
      slug: `idem-${orgId.slice(0, 8)}`,
      name: 'Idempotent Clinic',
      plan: 'basic',
      clinic: { id: randomUUID(), name: 'Main' },
      admin: { userId: randomUUID(), displayName: 'Admin' },
    };
    const first = await region.client.post<Record<string, unknown>>('/internal/v1/organizations', body, service());
    const second = await region.client.post<Record<string, unknown>>('/internal/v1/organizations', body, service());
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect({ ...second.body, created: true }).toEqual(first.body);
    const counts = await withClient(testDb().adminUrl, async (c) =>
      (
        await c.query(
          `select (select count(*)::int from organizations where id = $1) as orgs,
                  (select count(*)::int from clinics where organization_id = $1) as clinics,
                  (select count(*)::int from memberships where organization_id = $1) as members`,
          [orgId],
        )
      ).rows[0],
    );
    expect(counts).toEqual({ orgs: 1, clinics: 1, members: 1 });
    const taken = await region.client.post('/internal/v1/organizations', { ...body, organizationId: randomUUID() }, service());
    expect(taken.status).toBe(409);
    const concurrent = { ...body, organizationId: randomUUID(), slug: `conc-${orgId.slice(0, 8)}` };
    const results = await Promise.all(Array.from({ length: 5 }, () => region.client.post('/internal/v1/organizations', concurrent, service())));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
  });

  it('refuses internal routes without the service credential', async () => {
    expect((await region.client.post('/internal/v1/organizations', {})).status).toBe(401);
    expect((await region.client.post('/internal/v1/organizations', {}, { headers: { [SERVICE_TOKEN_HEADER]: 'wrong' } })).status).toBe(401);
  });

  it("refuses a suspended org's tokens and lets them in again once reactivated", async () => {
    const org = await region.createOrg();
    expect((await region.client.get('/v1/patients', { token: org.admin.token })).status).toBe(200);
    expect((await region.client.patch(`/internal/v1/organizations/${org.orgId}`, { status: 'suspended' }, service())).status).toBe(200);
    const refused = await region.client.get<{ code: string }>('/v1/patients', { token: org.admin.token });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('ORGANIZATION_NOT_ACTIVE');
    expect((await region.client.patch(`/internal/v1/organizations/${org.orgId}`, { status: 'active' }, service())).status).toBe(200);
    expect((await region.client.get('/v1/patients', { token: org.admin.token })).status).toBe(200);
  });
});
