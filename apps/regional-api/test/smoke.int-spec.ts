import { startTestRegion, TestRegion } from './support';

describe('regional API smoke', () => {
  let region: TestRegion;
  beforeAll(async () => {
    region = await startTestRegion();
  });
  afterAll(() => region.close());

  it('creates and reads a patient', async () => {
    const org = await region.createOrg();
    const created = await region.client.post<{ id: string }>(
      '/v1/patients',
      { firstName: 'Asha', lastName: 'Rao', mobileNumber: '+91 98765 43210' },
      { token: org.admin.token },
    );
    expect(created.status).toBe(201);
    const read = await region.client.get<{ firstName: string; mobileNumber: string }>(`/v1/patients/${created.body.id}`, { token: org.admin.token });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ firstName: 'Asha', mobileNumber: '+919876543210' });
  });
});
