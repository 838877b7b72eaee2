import { randomUUID } from 'node:crypto';
import type { ErrorBody } from '@medgenie/http';
import { TestOrg } from '@medgenie/testing';
import { startTestRegion, TestRegion } from './support';

/**
 * Issue 14, the input pipeline: what a client can put in a request that used to reach Postgres or
 * the calendar and come back as a 5xx or a wrong booking. Each answers 400 with a clear message.
 */
describe('the regional API input pipeline', () => {
  let region: TestRegion;
  let org: TestOrg;
  beforeAll(async () => {
    region = await startTestRegion({ regionId: 'in' });
    org = await region.createOrg({ plan: 'basic' });
  });
  afterAll(() => region?.close());

  const raw = (method: string, url: string, payload: string | Buffer) =>
    region.client.request<ErrorBody>(method, url, { token: org.admin.token, payload, headers: { 'content-type': 'application/json' } });

  it('refuses a NUL in a body, in a key or in a search, with 400, and stores nothing', async () => {
    const res = await raw('POST', '/v1/patients', JSON.stringify({ firstName: 'As\u0000ha', lastName: 'Rao', mobileNumber: '+919812300777' }));
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('NUL');
    const found = await region.client.get<{ items: unknown[] }>('/v1/patients?search=Rao', { token: org.admin.token });
    expect(found.body.items).toHaveLength(0);
    expect((await region.client.get<ErrorBody>('/v1/patients?search=ra%00o', { token: org.admin.token })).status).toBe(400);
  });

  it('refuses a body that is not valid UTF-8', async () => {
    const body = Buffer.concat([Buffer.from('{"firstName":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","lastName":"Rao","mobileNumber":"+919812300778"}')]);
    const res = await raw('POST', '/v1/patients', body);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('The request body is not valid UTF-8');
  });

  it('refuses deeply nested JSON', async () => {
    const res = await raw('PATCH', '/v1/organization', JSON.stringify({ branding: JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) }));
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('nested deeper than 32');
  });

  it('refuses an impossible calendar date and a timestamp without an offset for an appointment', async () => {
    const base = { clinicId: org.clinicIds[0], patientId: randomUUID(), doctorId: randomUUID(), durationMinutes: 15 };
    const feb30 = await region.client.post<ErrorBody>('/v1/appointments', { ...base, startsAt: '2031-02-30T10:00:00+05:30' }, { token: org.admin.token });
    expect(feb30.status).toBe(400);
    expect(JSON.stringify(feb30.body)).toContain('startsAt is not a day of the calendar (2031-02-30)');
    const floating = await region.client.post<ErrorBody>('/v1/appointments', { ...base, startsAt: '2031-03-10T10:00:00' }, { token: org.admin.token });
    expect(floating.status).toBe(400);
    expect(JSON.stringify(floating.body)).toContain('with an offset');
  });
});
