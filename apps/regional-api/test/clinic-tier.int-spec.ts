import { TestMember, TestOrg } from '@medgenie/testing';
import { withClient } from './db';
import { startTestRegion, testDb, TestRegion } from './support';

describe('clinic tier', () => {
  let region: TestRegion;
  let org: TestOrg;
  let staff: TestMember;
  let doctorBoth: TestMember;
  let nobody: TestMember;

  beforeAll(async () => {
    region = await startTestRegion();
    org = await region.createOrg({ extraClinics: 1 });
    staff = await org.addMember('staff', [org.clinicIds[0]]);
    doctorBoth = await org.addMember('doctor', org.clinicIds);
    nobody = await org.addMember('staff', []);
  });
  afterAll(() => region?.close());

  const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();

  it("staff granted clinic 1 only cannot see clinic 2's rows", async () => {
    const list = await region.client.get<{ id: string }[]>('/v1/clinics', { token: staff.token });
    expect(list.status).toBe(200);
    expect(ids(list.body)).toEqual([org.clinicIds[0]]);
    expect((await region.client.get(`/v1/clinics/${org.clinicIds[1]}`, { token: staff.token })).status).toBe(404);
    expect((await region.client.get(`/v1/clinics/${org.clinicIds[0]}`, { token: staff.token })).status).toBe(200);
  });

  it('a member granted both clinics, and the org admin, see both', async () => {
    for (const token of [doctorBoth.token, org.admin.token]) {
      const list = await region.client.get<{ id: string }[]>('/v1/clinics', { token });
      expect(ids(list.body)).toEqual([...org.clinicIds].sort());
    }
  });

  it('a member with no clinic sees none', async () => {
    const list = await region.client.get<{ id: string }[]>('/v1/clinics', { token: nobody.token });
    expect(list.status).toBe(200);
    expect(list.body).toEqual([]);
  });

  it('only org admins change clinics', async () => {
    expect((await region.client.post('/v1/clinics', { name: 'Rogue' }, { token: staff.token })).status).toBe(403);
    expect((await region.client.patch(`/v1/clinics/${org.clinicIds[0]}`, { name: 'Renamed' }, { token: doctorBoth.token })).status).toBe(403);
  });

  it('holds in the database, below the application', async () => {
    await withClient(testDb().appUrl, async (c) => {
      await c.query('begin');
      await c.query("select set_config('app.org_id', $1, true), set_config('app.clinic_ids', $2, true)", [org.orgId, `{${org.clinicIds[0]}}`]);
      const seen = (await c.query('select id from clinics')).rows.map((r) => r.id);
      expect(seen).toEqual([org.clinicIds[0]]);
      // Writing clinics takes whole-org access.
      const updated = await c.query('update clinics set name = name');
      expect(updated.rowCount).toBe(0);
      await c.query('rollback');
    });
  });
});
