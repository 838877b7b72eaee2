import { randomUUID } from 'node:crypto';
import { SERVICE_TOKEN_HEADER } from '@medgenie/contracts';
import type { ErrorBody } from '@medgenie/http';
import { TestOrg } from '@medgenie/testing';
import { withClient } from './db';
import { startTestRegion, testDb, TestRegion } from './support';

const DAY = 86_400_000;

const overdueSinceInDb = (orgId: string) =>
  withClient(testDb().adminUrl, async (c) => {
    const { rows } = await c.query<{ since: Date | null }>('select payment_overdue_since as since from organizations where id = $1', [orgId]);
    return rows[0].since;
  });

/**
 * Dunning (issue 13), the region's side: the control plane holds an org whose payment is overdue
 * past its grace period, and the region makes it read-only as after a trial (402 PAYMENT_OVERDUE on
 * writes; reads, and replays of earlier answers, keep working) until a paid invoice lifts the hold.
 */
describe('the payment-overdue hold: writes stop while it is set, reads do not', () => {
  let region: TestRegion;
  let a: TestOrg;
  let b: TestOrg;
  beforeAll(async () => {
    region = await startTestRegion({ regionId: 'in' });
    [a, b] = await Promise.all([region.createOrg({ plan: 'basic' }), region.createOrg({ plan: 'basic' })]);
  });
  afterAll(() => region?.close());

  const service = () => ({ headers: { [SERVICE_TOKEN_HEADER]: region.serviceToken } });
  const hold = (orgId: string, paymentOverdueSince: unknown) =>
    region.client.patch<ErrorBody>(`/internal/v1/organizations/${orgId}`, { paymentOverdueSince }, service());
  let seq = 0;
  const patient = () => {
    seq += 1;
    return { firstName: 'Dunn', lastName: `L${seq}`, mobileNumber: `+9196${String(Date.now() % 1e6).padStart(6, '0')}${String(seq).padStart(2, '0')}` };
  };
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
  const upload = (org: TestOrg, patientId: string) =>
    region.client.request<ErrorBody>('POST', `/v1/dental/attachments?kind=photo&patientId=${patientId}&clinicId=${org.clinicIds[0]}`, {
      token: org.admin.token,
      payload: jpeg,
      headers: { 'content-type': 'image/jpeg' },
    });

  it('refuses the held org\'s writes with 402 PAYMENT_OVERDUE, keeps its reads and replays, leaves the other org alone, and lifts at once', async () => {
    const asA = { token: a.admin.token };
    const asB = { token: b.admin.token };
    const key = randomUUID();
    const keyedBody = patient();
    const first = await region.client.post<{ id: string }>('/v1/patients', keyedBody, { ...asA, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    const created = first.body;
    const otherPatient = (await region.client.post<{ id: string }>('/v1/patients', patient(), asB)).body;

    const since = new Date(Date.now() - 8 * DAY);
    expect((await hold(a.orgId, since.toISOString())).status).toBe(200);
    expect(await overdueSinceInDb(a.orgId)).toEqual(since);

    for (const res of [
      await region.client.post<ErrorBody>('/v1/patients', patient(), asA),
      await region.client.patch<ErrorBody>(`/v1/patients/${created.id}`, { lastName: 'Changed' }, asA),
      await region.client.patch<ErrorBody>(`/v1/patients/${created.id}`, { lastName: 'Keyed' }, { ...asA, headers: { 'idempotency-key': randomUUID() } }),
      await region.client.patch<ErrorBody>('/v1/organization/settings', { timezone: 'Asia/Kolkata' }, asA),
      await region.client.delete<ErrorBody>(`/v1/patients/${created.id}`, asA),
      // A route with its own transactions (an upload) is refused too, before anything streams in.
      await upload(a, created.id),
    ]) {
      expect(res.status).toBe(402);
      expect(res.body.code).toBe('PAYMENT_OVERDUE');
      expect(res.body.paymentOverdueSince).toBe(since.toISOString());
      expect(res.body.message).toContain(since.toISOString().slice(0, 10));
    }

    // Reads keep working, and the organization says since when it is unpaid.
    const patientRead = await region.client.get<{ lastName: string }>(`/v1/patients/${created.id}`, asA);
    expect(patientRead.status).toBe(200);
    expect(patientRead.body.lastName).toBe(keyedBody.lastName);
    expect((await region.client.get('/v1/patients', asA)).status).toBe(200);
    expect((await region.client.get(`/v1/dental/attachments?patientId=${created.id}`, asA)).status).toBe(200);
    const org = await region.client.get<Record<string, unknown>>('/v1/organization', asA);
    expect(org.status).toBe(200);
    expect(org.body.paymentOverdueSince).toBe(since.toISOString());

    // A retry of an answer given before the hold is a replay, not a write.
    const replayed = await region.client.post<{ id: string }>('/v1/patients', keyedBody, { ...asA, headers: { 'idempotency-key': key } });
    expect(replayed.status).toBe(201);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body.id).toBe(created.id);

    // The other org in the same region is not held: its writes go through, and it shows no hold.
    expect((await region.client.post('/v1/patients', patient(), asB)).status).toBe(201);
    expect((await region.client.patch(`/v1/patients/${otherPatient.id}`, { lastName: 'Changed' }, asB)).status).toBe(200);
    expect((await upload(b, otherPatient.id)).status).toBe(201);
    expect((await region.client.get<Record<string, unknown>>('/v1/organization', asB)).body).not.toHaveProperty('paymentOverdueSince');

    // The control plane's own calls are not writes of the org's users; one without the field leaves the hold.
    expect((await region.client.patch(`/internal/v1/organizations/${a.orgId}`, { name: 'Still provisioned' }, service())).status).toBe(200);
    expect((await region.client.post<ErrorBody>('/v1/patients', patient(), asA)).body.code).toBe('PAYMENT_OVERDUE');

    // A paid invoice: the hold is lifted, and writes work again at once.
    expect((await hold(a.orgId, null)).status).toBe(200);
    expect(await overdueSinceInDb(a.orgId)).toBeNull();
    expect((await region.client.get<Record<string, unknown>>('/v1/organization', asA)).body).not.toHaveProperty('paymentOverdueSince');
    expect((await region.client.post('/v1/patients', patient(), asA)).status).toBe(201);
    expect((await region.client.patch(`/v1/patients/${created.id}`, { lastName: 'Changed' }, asA)).status).toBe(200);
    expect((await upload(a, created.id)).status).toBe(201);
  });

  it('refuses a paymentOverdueSince that is not a date, and changes nothing', async () => {
    const org = await region.createOrg({ plan: 'basic' });
    const bad = await hold(org.orgId, 'yesterday');
    expect(bad.status).toBe(400);
    expect(await overdueSinceInDb(org.orgId)).toBeNull();
    expect((await region.client.post('/v1/patients', patient(), { token: org.admin.token })).status).toBe(201);

    // Nor does it lift a hold that is set, or touch anything else the call names.
    const since = new Date(Date.now() - DAY);
    expect((await hold(org.orgId, since.toISOString())).status).toBe(200);
    const alsoBad = await region.client.patch(`/internal/v1/organizations/${org.orgId}`, { name: 'Renamed', paymentOverdueSince: 'yesterday' }, service());
    expect(alsoBad.status).toBe(400);
    expect(await overdueSinceInDb(org.orgId)).toEqual(since);
    const view = await region.client.get<Record<string, unknown>>('/v1/organization', { token: org.admin.token });
    expect(view.body.name).not.toBe('Renamed');
    expect(view.body.paymentOverdueSince).toBe(since.toISOString());
    expect((await hold(org.orgId, 12)).status).toBe(400);
  });
});
