import { TestOrg } from '@medgenie/testing';
import { withClient } from './db';
import { startTestRegion, testDb, TestRegion } from './support';

interface AuditRow {
  action: string;
  actor_type: string;
  actor_user_id: string | null;
  resource_type: string;
  resource_id: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
}

describe('audit trail of patient data', () => {
  let region: TestRegion;
  let org: TestOrg;

  beforeAll(async () => {
    region = await startTestRegion();
    org = await region.createOrg();
  });
  afterAll(() => region?.close());

  const events = (orgId: string) =>
    withClient(testDb().adminUrl, async (c) =>
      (await c.query<AuditRow>('select * from audit_events where organization_id = $1 order by occurred_at, action', [orgId])).rows,
    );

  it('records every read and write with actor, resource and request id, and no patient data', async () => {
    const token = org.admin.token;
    const headers = { 'x-request-id': 'req-audit-create' };
    const created = await region.client.post<{ id: string }>(
      '/v1/patients',
      { firstName: 'Nila', lastName: 'Iyer', mobileNumber: '+919811122233' },
      { token, headers },
    );
    expect(created.status).toBe(201);
    const id = created.body.id;
    await region.client.get(`/v1/patients/${id}`, { token, headers: { 'x-request-id': 'req-audit-read' } });
    await region.client.get('/v1/patients?search=nila', { token });
    await region.client.patch(`/v1/patients/${id}`, { lastName: 'Menon' }, { token });
    await region.client.delete(`/v1/patients/${id}`, { token });

    const rows = (await events(org.orgId)).filter((e) => e.resource_type === 'patient');
    expect(rows.map((e) => e.action).sort()).toEqual(['patient.create', 'patient.delete', 'patient.read', 'patient.search', 'patient.update']);
    for (const e of rows) {
      expect(e.actor_type).toBe('user');
      expect(e.actor_user_id).toBe(org.admin.userId);
      expect(e.request_id).toBeTruthy();
    }
    expect(rows.find((e) => e.action === 'patient.create')).toMatchObject({ resource_id: id, request_id: 'req-audit-create' });
    expect(rows.find((e) => e.action === 'patient.read')).toMatchObject({ resource_id: id, request_id: 'req-audit-read' });
    expect(rows.find((e) => e.action === 'patient.search')?.details).toEqual({ count: 1, ids: [id] });
    expect(rows.find((e) => e.action === 'patient.update')?.details).toEqual({ fields: ['lastName'] });
    const text = JSON.stringify(rows);
    for (const phi of ['Nila', 'nila', 'Iyer', 'Menon', '9811122233']) expect(text).not.toContain(phi);
  });

  it('writes nothing when the action fails (same transaction)', async () => {
    const other = await region.createOrg();
    const body = { firstName: 'Tara', lastName: 'Das', mobileNumber: '+919800000001' };
    expect((await region.client.post('/v1/patients', body, { token: other.admin.token })).status).toBe(201);
    const before = (await events(other.orgId)).length;
    expect((await region.client.post('/v1/patients', body, { token: other.admin.token })).status).toBe(409);
    expect((await region.client.get('/v1/patients/00000000-0000-4000-8000-000000000000', { token: other.admin.token })).status).toBe(404);
    expect((await events(other.orgId)).length).toBe(before);
  });

  it('records provisioning by the control plane as a service action', async () => {
    const rows = await events(org.orgId);
    expect(rows.find((e) => e.action === 'organization.provision')).toMatchObject({ actor_type: 'service', actor_user_id: null });
  });
});
