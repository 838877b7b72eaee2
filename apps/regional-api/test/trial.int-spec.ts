import { SERVICE_TOKEN_HEADER } from '@medgenie/contracts';
import { Clock } from '../src/organizations/trial';
import { startTestRegion, TestRegion } from './support';

const DAY = 86_400_000;

describe('the trial (seed 002): writes end with it, reads do not', () => {
  let region: TestRegion;
  beforeAll(async () => {
    region = await startTestRegion({ regionId: 'in' });
  });
  afterAll(() => region?.close());
  afterEach(() => jest.restoreAllMocks());

  const service = () => ({ headers: { [SERVICE_TOKEN_HEADER]: region.serviceToken } });
  let seq = 0;
  const patient = () => {
    seq += 1;
    return { firstName: 'Tria', lastName: `L${seq}`, mobileNumber: `+9195${String(Date.now() % 1e6).padStart(6, '0')}${String(seq).padStart(2, '0')}` };
  };

  it('answers writes with 402 TRIAL_EXPIRED after trialEndsAt (by the injected clock), keeps reads, and lifts it on a paid plan', async () => {
    const org = await region.createOrg({ plan: 'trial' });
    const endsAt = new Date(Date.now() + 30 * DAY);
    expect((await region.client.patch(`/internal/v1/organizations/${org.orgId}`, { trialEndsAt: endsAt.toISOString() }, service())).status).toBe(200);
    const as = { token: org.admin.token };
    const before = await region.client.get<{ trialEndsAt?: string }>('/v1/organization', as);
    expect(before.body.trialEndsAt).toBe(endsAt.toISOString());
    const created = await region.client.post<{ id: string }>('/v1/patients', patient(), as);
    expect(created.status).toBe(201);

    jest.spyOn(region.app.get(Clock), 'now').mockReturnValue(new Date(endsAt.getTime() + 1000));
    for (const res of [
      await region.client.post<{ code: string }>('/v1/patients', patient(), as),
      await region.client.patch<{ code: string }>(`/v1/patients/${created.body.id}`, { lastName: 'Changed' }, as),
      await region.client.patch<{ code: string }>('/v1/organization/settings', { timezone: 'Asia/Kolkata' }, as),
      await region.client.delete<{ code: string }>(`/v1/patients/${created.body.id}`, as),
    ]) {
      expect(res.status).toBe(402);
      expect(res.body.code).toBe('TRIAL_EXPIRED');
    }
    // A route with its own transactions (an upload) is refused too, before anything streams in.
    const upload = await region.client.request<{ code: string }>('POST', `/v1/dental/attachments?kind=photo&patientId=${created.body.id}&clinicId=${org.clinicIds[0]}`, {
      token: org.admin.token,
      payload: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]),
      headers: { 'content-type': 'image/jpeg' },
    });
    expect(upload.status).toBe(402);
    expect(upload.body.code).toBe('TRIAL_EXPIRED');
    expect((await region.client.get(`/v1/patients/${created.body.id}`, as)).status).toBe(200);
    expect((await region.client.get('/v1/patients', as)).status).toBe(200);
    expect((await region.client.get('/v1/organization', as)).status).toBe(200);
    // The control plane's own calls are not writes of the org's users.
    expect((await region.client.patch(`/internal/v1/organizations/${org.orgId}`, { name: 'Still provisioned' }, service())).status).toBe(200);

    // A paid plan: trialEndsAt is gone, writes work again.
    expect((await region.client.patch(`/internal/v1/organizations/${org.orgId}`, { plan: 'basic' }, service())).status).toBe(200);
    const after = await region.client.get<Record<string, unknown>>('/v1/organization', as);
    expect(after.body.plan).toBe('basic');
    expect(after.body).not.toHaveProperty('trialEndsAt');
    expect((await region.client.post('/v1/patients', patient(), as)).status).toBe(201);
  });

  it('shows no trialEndsAt off the trial plan, and refuses one that is not a date', async () => {
    const org = await region.createOrg({ plan: 'enterprise' });
    expect((await region.client.get<Record<string, unknown>>('/v1/organization', { token: org.admin.token })).body).not.toHaveProperty('trialEndsAt');
    const bad = await region.client.patch(`/internal/v1/organizations/${org.orgId}`, { trialEndsAt: 'soon' }, service());
    expect(bad.status).toBe(400);
  });
});
