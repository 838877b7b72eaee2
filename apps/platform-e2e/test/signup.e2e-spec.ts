import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { request } from 'undici';
import { call, databases, Platform, startGateway, startPlatform } from './platform';

const PASSWORD = 'correct horse battery staple';

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

const count = async (url: string, sql: string, params: unknown[]) => Number((await query<{ n: string }>(url, sql, params))[0].n);

interface Signup {
  organizationId: string;
  clinicId: string;
  userId: string;
  status: string;
  accessToken: string;
  refreshToken: string;
}

describe('signup across the control plane and two real regions', () => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await startPlatform('signup');
  }, 90_000);
  afterAll(() => platform?.stop());

  const cp = () => platform.controlPlane.url;
  const signupBody = (regionId: string) => {
    const slug = `e2e-${randomBytes(4).toString('hex')}`;
    return {
      organizationName: `E2E ${slug}`,
      slug,
      regionId,
      adminName: 'E2E Admin',
      adminEmail: `${slug}@example.test`,
      adminPassword: PASSWORD,
      clinicName: 'Main Clinic',
    };
  };

  it("keeps each org's rows in its own region and no patient data in the control plane", async () => {
    const dbs = databases('signup');
    const created: Record<string, Signup> = {};
    for (const regionId of ['in', 'ca'] as const) {
      const res = await call<Signup>(cp(), 'POST', '/v1/signup', { body: signupBody(regionId) });
      expect(res.status).toBe(201);
      created[regionId] = res.body;
      const patient = await call<{ id: string }>(platform.regions[regionId].url, 'POST', '/v1/patients', {
        token: res.body.accessToken,
        body: { firstName: 'Priya', lastName: `Zed${regionId}`, mobileNumber: '+919876512345' },
      });
      expect(patient.status).toBe(201);
      const read = await call(platform.regions[regionId].url, 'GET', `/v1/patients/${patient.body.id}`, { token: res.body.accessToken });
      expect(read.status).toBe(200);
    }

    const here = { in: dbs.region_in.adminUrl, ca: dbs.region_ca.adminUrl };
    for (const [regionId, other] of [
      ['in', 'ca'],
      ['ca', 'in'],
    ] as const) {
      const orgId = created[regionId].organizationId;
      expect(await count(here[regionId], 'select count(*) as n from organizations where id = $1', [orgId])).toBe(1);
      expect(await count(here[regionId], 'select count(*) as n from patients where organization_id = $1', [orgId])).toBe(1);
      for (const table of ['organizations', 'clinics', 'memberships', 'patients', 'audit_events']) {
        const column = table === 'organizations' ? 'id' : 'organization_id';
        const sql = `select count(*) as n from ${table} where ${column} = $1`;
        expect(await count(here[other], sql, [orgId])).toBe(0);
      }
    }

    // The control plane holds no patient data: no such table, and no patient's name or number anywhere.
    const cpTables = await query<{ table_name: string }>(
      dbs.control_plane.adminUrl,
      "select table_name from information_schema.tables where table_schema = 'public'",
    );
    expect(cpTables.map((t) => t.table_name)).not.toEqual(expect.arrayContaining(['patients']));
    for (const { table_name } of cpTables) {
      const sql = `select count(*) as n from ${table_name} t where t::text ilike '%priya%' or t::text like '%9876512345%' or t::text ilike '%zedin%'`;
      expect({ table: table_name, n: await count(dbs.control_plane.adminUrl, sql, []) }).toEqual({ table: table_name, n: 0 });
    }

    // A token of one region is refused in the other.
    const crossed = await call(platform.regions.ca.url, 'GET', '/v1/patients', { token: created.in.accessToken });
    expect(crossed.status).toBe(401);
  });

  it('finishes a signup made while the region was down, with no duplicate rows', async () => {
    const dbs = databases('signup');
    await platform.regions.ca.stop();
    const body = signupBody('ca');
    let res;
    try {
      res = await call<Signup>(cp(), 'POST', '/v1/signup', { body });
      expect(res.status).toBe(202);
      expect(res.body.status).toBe('provisioning');
    } finally {
      await platform.regions.ca.start();
    }
    const orgId = res.body.organizationId;
    const deadline = Date.now() + 20_000;
    let status = '';
    while (Date.now() < deadline) {
      status = (await query<{ status: string }>(dbs.control_plane.adminUrl, 'select status from organizations where id = $1', [orgId]))[0].status;
      if (status === 'active') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe('active');
    expect(await count(dbs.region_ca.adminUrl, 'select count(*) as n from organizations where id = $1', [orgId])).toBe(1);
    expect(await count(dbs.region_ca.adminUrl, 'select count(*) as n from clinics where organization_id = $1', [orgId])).toBe(1);
    expect(await count(dbs.region_ca.adminUrl, 'select count(*) as n from memberships where organization_id = $1', [orgId])).toBe(1);

    const login = await call<{ accessToken: string }>(cp(), 'POST', '/v1/auth/login', { body: { email: body.adminEmail, password: PASSWORD } });
    expect(login.status).toBe(200);
    expect((await call(platform.regions.ca.url, 'GET', '/v1/patients', { token: login.body.accessToken })).status).toBe(200);
  });

  it('refuses a suspended org in its region and lets it back when reactivated', async () => {
    const res = await call<Signup>(cp(), 'POST', '/v1/signup', { body: signupBody('in') });
    const token = res.body.accessToken;
    const region = platform.regions.in.url;
    expect((await call(region, 'GET', '/v1/patients', { token })).status).toBe(200);

    const dbs = databases('signup');
    // A platform admin, made directly in the control plane's database for this test.
    const adminEmail = `root-${randomBytes(3).toString('hex')}@medgenie.test`;
    const { hash } = await import('@node-rs/argon2');
    await query(
      dbs.control_plane.adminUrl,
      `insert into users (id, email, password_hash, name, role, status) values (gen_random_uuid(), $1, $2, 'Root', 'platform_admin', 'active')`,
      [adminEmail, await hash(PASSWORD)],
    );
    const admin = await call<{ accessToken: string }>(cp(), 'POST', '/v1/auth/login', { body: { email: adminEmail, password: PASSWORD } });
    expect(admin.status).toBe(200);

    const suspended = await call(cp(), 'POST', `/v1/admin/organizations/${res.body.organizationId}/suspend`, { token: admin.body.accessToken });
    expect(suspended.body).toMatchObject({ status: 'suspended', regionSynced: true });
    expect((await call(region, 'GET', '/v1/patients', { token })).status).toBe(403);

    await call(cp(), 'POST', `/v1/admin/organizations/${res.body.organizationId}/reactivate`, { token: admin.body.accessToken });
    expect((await call(region, 'GET', '/v1/patients', { token })).status).toBe(200);
  });

  it('ends a session in the region, at the gateway and in the control plane within 5 s: logout, then a password change', async () => {
    const body = signupBody('in');
    const first = await call<Signup>(cp(), 'POST', '/v1/signup', { body });
    expect(first.status).toBe(201);
    const second = await call<Signup>(cp(), 'POST', '/v1/auth/login', { body: { email: body.adminEmail, password: PASSWORD } });
    expect(second.status).toBe(200);
    const gateway = await startGateway(platform);
    try {
      const host = `${body.slug}.in.localhost`;
      // undici's request, not fetch: fetch drops a Host header.
      const viaGateway = async (token: string) => {
        const res = await request(`${gateway.url}/v1/patients`, { headers: { host, authorization: `Bearer ${token}` } });
        await res.body.dump();
        return res.statusCode;
      };
      const everywhere = async (token: string) => [
        (await call(platform.regions.in.url, 'GET', '/v1/patients', { token })).status,
        await viaGateway(token),
        (await call(cp(), 'GET', '/v1/members', { token })).status,
      ];
      /** How long until every layer refuses the token (401), polled; fails past 5 s. */
      const refusedWithin = async (token: string): Promise<number> => {
        const started = Date.now();
        for (;;) {
          const statuses = await everywhere(token);
          if (statuses.every((s) => s === 401)) return Date.now() - started;
          if (Date.now() - started > 5_000) throw new Error(`still accepted after 5 s: ${statuses.join(', ')}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      expect(await everywhere(first.body.accessToken)).toEqual([200, 200, 200]);
      expect(await everywhere(second.body.accessToken)).toEqual([200, 200, 200]);

      expect((await call(cp(), 'POST', '/v1/auth/logout', { body: { refreshToken: first.body.refreshToken } })).status).toBe(204);
      expect(await refusedWithin(first.body.accessToken)).toBeLessThan(5_000);
      const ended = await call<{ message: string }>(platform.regions.in.url, 'GET', '/v1/patients', { token: first.body.accessToken });
      expect(ended.body.message).toMatch(/session has ended/);
      expect((await call(cp(), 'POST', '/v1/auth/refresh', { body: { refreshToken: first.body.refreshToken } })).status).toBe(401);
      // The other session of the same user goes on.
      expect(await everywhere(second.body.accessToken)).toEqual([200, 200, 200]);

      const newPassword = 'a brand new passphrase 7';
      expect((await call(cp(), 'POST', '/v1/auth/password', { body: { email: body.adminEmail, currentPassword: PASSWORD, newPassword } })).status).toBe(204);
      expect(await refusedWithin(second.body.accessToken)).toBeLessThan(5_000);
      const again = await call<{ accessToken: string }>(cp(), 'POST', '/v1/auth/login', { body: { email: body.adminEmail, password: newPassword } });
      expect(again.status).toBe(200);
      expect(await everywhere(again.body.accessToken)).toEqual([200, 200, 200]);
    } finally {
      await gateway.stop();
    }
  });
});
