import { TestOrg } from '@medgenie/testing';
import { Page as PageOf } from '../src/common/page';
import { withClient } from './db';
import { startTestRegion, testDb, TestRegion } from './support';

type Patient = { id: string; firstName: string; mobileNumber: string; emergencyContact: { phone: string } | null };
type Page = PageOf<Patient>;
type ErrorBody = { code: string; message: string; errors?: { field: string }[] };

const rowsWithMobile = (orgId: string, mobile: string) =>
  withClient(testDb().adminUrl, async (c) =>
    Number((await c.query('select count(*)::int as n from patients where organization_id = $1 and mobile_number = $2', [orgId, mobile])).rows[0].n),
  );
const patientCount = (orgId: string) =>
  withClient(testDb().adminUrl, async (c) => Number((await c.query('select count(*)::int as n from patients where organization_id = $1', [orgId])).rows[0].n));

describe('phone numbers stored in E.164 with the region’s country as the default', () => {
  describe('region in', () => {
    let region: TestRegion;
    let a: TestOrg;
    let b: TestOrg;

    beforeAll(async () => {
      region = await startTestRegion({ regionId: 'in' });
      [a, b] = await Promise.all([region.createOrg(), region.createOrg()]);
    });
    afterAll(() => region?.close());

    const search = (org: TestOrg, term: string) =>
      region.client.get<Page>(`/v1/patients?${new URLSearchParams({ search: term })}`, { token: org.admin.token });

    it('stores 09812345678 as +919812345678, and +919812345678 with the same first name is the same patient (409)', async () => {
      const created = await region.client.post<Patient>(
        '/v1/patients',
        { firstName: 'Anita', lastName: 'Desai', mobileNumber: '09812345678', emergencyContact: { name: 'Vik', phone: '098450 99999' } },
        { token: a.admin.token },
      );
      expect(created.status).toBe(201);
      expect(created.body.mobileNumber).toBe('+919812345678');
      expect(created.body.emergencyContact?.phone).toBe('+919845099999');
      const again = await region.client.post<ErrorBody>('/v1/patients', { firstName: 'Anita', lastName: 'D', mobileNumber: '+919812345678' }, { token: a.admin.token });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('PATIENT_EXISTS');
      // Another first name on the same number is another patient, stored with the same spelling.
      const sibling = await region.client.post<Patient>('/v1/patients', { firstName: 'Rohan', lastName: 'Desai', mobileNumber: '+91 98123 45678' }, { token: a.admin.token });
      expect(sibling.status).toBe(201);
      expect(sibling.body.mobileNumber).toBe('+919812345678');
      expect(await rowsWithMobile(a.orgId, '+919812345678')).toBe(2);
    });

    it('finds the patient by any spelling of the number, and by its start', async () => {
      for (const term of ['09812345678', '+919812345678', '98123 45678', '+91 98123 45678', '98123', '+9198123']) {
        const res = await search(a, term);
        expect(res.status).toBe(200);
        expect(res.body.items.map((p) => p.firstName).sort()).toEqual(['Anita', 'Rohan']);
      }
    });

    it('finds a number stored before E.164 (the raw digits) by its national and its E.164 spelling', async () => {
      const legacy = await region.client.post<Patient>('/v1/patients', { firstName: 'Old', lastName: 'Row', mobileNumber: '+919700011122' }, { token: a.admin.token });
      expect(legacy.status).toBe(201);
      await withClient(testDb().adminUrl, (c) => c.query(`update patients set mobile_number = '09700011122' where id = $1`, [legacy.body.id]));
      for (const term of ['09700011122', '+919700011122', '+91 97000 11122']) {
        expect((await search(a, term)).body.items.map((p) => p.id)).toEqual([legacy.body.id]);
      }
    });

    it('keeps name search as it was', async () => {
      expect((await search(a, 'anita')).body.items.map((p) => p.firstName)).toEqual(['Anita']);
    });

    it('refuses an invalid number with 400 naming the field, and stores nothing', async () => {
      const before = await patientCount(a.orgId);
      for (const body of [
        { firstName: 'Bad', lastName: 'Number', mobileNumber: '12345' },
        { firstName: 'Bad', lastName: 'Number', mobileNumber: '+9112345678' },
        { firstName: 'Bad', lastName: 'Contact', mobileNumber: '9812300001', emergencyContact: { name: 'X', phone: '+15550001111' } },
      ]) {
        const res = await region.client.post<ErrorBody>('/v1/patients', body, { token: a.admin.token });
        expect(res.status).toBe(400);
        const field = body.emergencyContact ? 'emergencyContact.phone' : 'mobileNumber';
        expect(res.body.message).toContain(field);
        expect(res.body.errors?.map((e) => e.field)).toContain(field);
      }
      expect(await patientCount(a.orgId)).toBe(before);
    });

    it('normalizes on update and refuses an invalid number there too', async () => {
      const created = await region.client.post<Patient>('/v1/patients', { firstName: 'Upd', lastName: 'Ate', mobileNumber: '+919811000001' }, { token: a.admin.token });
      const updated = await region.client.patch<Patient>(`/v1/patients/${created.body.id}`, { mobileNumber: '098110 00002' }, { token: a.admin.token });
      expect(updated.status).toBe(200);
      expect(updated.body.mobileNumber).toBe('+919811000002');
      const invalid = await region.client.patch<ErrorBody>(`/v1/patients/${created.body.id}`, { mobileNumber: '0000000' }, { token: a.admin.token });
      expect(invalid.status).toBe(400);
      expect(invalid.body.message).toContain('mobileNumber');
      const read = await region.client.get<Patient>(`/v1/patients/${created.body.id}`, { token: a.admin.token });
      expect(read.body.mobileNumber).toBe('+919811000002');
    });

    it('another org searching the same number finds nothing', async () => {
      for (const term of ['09812345678', '+919812345678']) {
        const res = await search(b, term);
        expect(res.status).toBe(200);
        expect(res.body.items).toEqual([]);
      }
    });
  });

  describe('region us', () => {
    let region: TestRegion;
    let org: TestOrg;

    beforeAll(async () => {
      region = await startTestRegion({ regionId: 'us' });
      org = await region.createOrg();
    });
    afterAll(() => region?.close());

    it('normalizes (202) 555-0111 to +12025550111 and finds it by its national spelling', async () => {
      const res = await region.client.post<Patient>('/v1/patients', { firstName: 'Grace', lastName: 'Hopper', mobileNumber: '(202) 555-0111' }, { token: org.admin.token });
      expect(res.status).toBe(201);
      expect(res.body.mobileNumber).toBe('+12025550111');
      const found = await region.client.get<Page>(`/v1/patients?${new URLSearchParams({ search: '202-555-0111' })}`, { token: org.admin.token });
      expect(found.body.items.map((p) => p.id)).toEqual([res.body.id]);
    });

    it("stores a clinic's phone as E.164 too, and refuses one that is not a number", async () => {
      const clinic = await region.client.post<{ id: string; phone: string }>('/v1/clinics', { name: 'Midtown', phone: '(212) 555-0199' }, { token: org.admin.token });
      expect(clinic.status).toBe(201);
      expect(clinic.body.phone).toBe('+12125550199');
      const changed = await region.client.patch<{ phone: string }>(`/v1/clinics/${clinic.body.id}`, { phone: '+1 415 555 0100' }, { token: org.admin.token });
      expect(changed.body.phone).toBe('+14155550100');
      expect((await region.client.patch(`/v1/clinics/${clinic.body.id}`, { phone: '1234567' }, { token: org.admin.token })).status).toBe(400);
    });
  });
});
