import { randomUUID } from 'node:crypto';
import {
  OrgRole,
  Plan,
  ProvisionMembershipResult,
  ProvisionOrganizationDto,
  ProvisionOrganizationResult,
  SERVICE_TOKEN_HEADER,
} from '@medgenie/contracts';
import { TestClient } from './http-client';
import { TestIssuer } from './test-issuer';

export interface TestMember {
  userId: string;
  membershipId: string;
  role: OrgRole;
  clinicIds: string[];
  token: string;
}

export interface TestOrg {
  orgId: string;
  slug: string;
  regionId: string;
  /** The primary clinic first, then any extra clinics asked for. */
  clinicIds: string[];
  admin: TestMember;
  /** Adds a member with a role and clinic access, through the region's internal endpoint. */
  addMember(role: OrgRole, clinicIds: string[]): Promise<TestMember>;
}

export interface TestOrgOptions {
  client: TestClient;
  issuer: TestIssuer;
  regionId: string;
  serviceToken: string;
  plan?: Plan;
  /** Extra clinics beyond the primary one. */
  extraClinics?: number;
  name?: string;
}

async function expectStatus<T>(promise: Promise<{ status: number; body: T }>, ok: number[], what: string): Promise<T> {
  const res = await promise;
  if (!ok.includes(res.status)) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * A fresh organization in the region, provisioned the way the control plane does it (through
 * the internal endpoint), with an admin token. Every test makes its own, so isolation
 * assertions need no cleanup.
 */
export async function createTestOrg(options: TestOrgOptions): Promise<TestOrg> {
  const { client, issuer, regionId, serviceToken } = options;
  const orgId = randomUUID();
  const slug = `t-${orgId.slice(0, 8)}-${Math.random().toString(36).slice(2, 8)}`;
  const adminUserId = randomUUID();
  const service = { headers: { [SERVICE_TOKEN_HEADER]: serviceToken } };
  const body: ProvisionOrganizationDto = {
    organizationId: orgId,
    slug,
    name: options.name ?? `Test Org ${slug}`,
    plan: options.plan ?? 'enterprise',
    clinic: { id: randomUUID(), name: 'Main Clinic' },
    admin: { userId: adminUserId, displayName: 'Test Admin', email: `admin-${slug}@example.test` },
  };
  const provisioned = await expectStatus<ProvisionOrganizationResult>(
    client.post('/internal/v1/organizations', body, service),
    [201],
    'provisioning',
  );
  const adminToken = await issuer.userToken({ userId: adminUserId, orgId, regionId, role: 'org_admin' });
  const clinicIds = [provisioned.clinicId];
  for (let i = 0; i < (options.extraClinics ?? 0); i += 1) {
    const clinic = await expectStatus<{ id: string }>(
      client.post('/v1/clinics', { name: `Clinic ${i + 2}`, code: `C${i + 2}` }, { token: adminToken }),
      [201],
      'creating a clinic',
    );
    clinicIds.push(clinic.id);
  }

  const addMember = async (role: OrgRole, memberClinics: string[]): Promise<TestMember> => {
    const userId = randomUUID();
    const result = await expectStatus<ProvisionMembershipResult>(
      client.put(
        `/internal/v1/organizations/${orgId}/memberships/${userId}`,
        { role, displayName: `Test ${role}`, clinicIds: memberClinics },
        service,
      ),
      [201],
      'adding a member',
    );
    const token = await issuer.userToken({ userId, orgId, regionId, role });
    return { userId, membershipId: result.membershipId, role, clinicIds: memberClinics, token };
  };

  return {
    orgId,
    slug,
    regionId,
    clinicIds,
    admin: { userId: adminUserId, membershipId: provisioned.membershipId, role: 'org_admin', clinicIds: ['*'], token: adminToken },
    addMember,
  };
}
