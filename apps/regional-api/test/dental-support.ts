import { randomUUID } from 'node:crypto';
import { TestOrg } from '@medgenie/testing';
import { withClient } from './db';
import { testDb, TestRegion } from './support';

let phone = 0;

/** A patient of `org`, made through the API. */
export async function createPatient(region: TestRegion, org: TestOrg, firstName = 'Dina'): Promise<string> {
  phone += 1;
  const mobile = `+9198${String(Date.now() % 1_000_000).padStart(6, '0')}${String(phone % 100).padStart(2, '0')}`;
  const res = await region.client.post<{ id: string }>('/v1/patients', { firstName, lastName: 'Dent', mobileNumber: mobile }, { token: org.admin.token });
  if (res.status !== 201) throw new Error(`creating a patient answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** The doctor profile of a membership (provisioning makes one for the first admin and every doctor). */
export async function doctorOf(orgId: string, membershipId: string): Promise<string> {
  return withClient(testDb().adminUrl, async (c) => {
    await c.query(
      `insert into doctors (organization_id, id, membership_id) values ($1, $2, $3) on conflict (organization_id, membership_id) do nothing`,
      [orgId, randomUUID(), membershipId],
    );
    const { rows } = await c.query<{ id: string }>('select id from doctors where organization_id = $1 and membership_id = $2', [orgId, membershipId]);
    return rows[0].id;
  });
}

export async function auditActions(orgId: string, resourceType: string): Promise<{ action: string; resource_id: string | null; details: Record<string, unknown> }[]> {
  return withClient(testDb().adminUrl, async (c) =>
    (
      await c.query('select action, resource_id, details from audit_events where organization_id = $1 and resource_type = $2 order by occurred_at, action', [
        orgId,
        resourceType,
      ])
    ).rows,
  );
}
