import { TestOrg } from '@medgenie/testing';
import { Page as PageOf } from '../src/common/page';
import { startTestRegion, TestRegion } from './support';

type Page = PageOf<{ id: string; firstName: string; lastName: string; mobileNumber: string }>;

describe('patients', () => {
  let region: TestRegion;
  let org: TestOrg;
  const people = [
    ['Asha', 'Rao', '+919876500001'],
    ['Ashok', 'Kumar', '+919876500002'],
    ['Ravi', 'Ashton', '+919811100003'],
    ['Meera', 'Rao', '+14165550004'],
    ['Kiran', 'Rao', '+14165550005'],
  ];

  beforeAll(async () => {
    region = await startTestRegion();
    org = await region.createOrg();
    for (const [firstName, lastName, mobileNumber] of people) {
      const res = await region.client.post('/v1/patients', { firstName, lastName, mobileNumber }, { token: org.admin.token });
      expect(res.status).toBe(201);
    }
  });
  afterAll(() => region?.close());

  const search = (q: string) => region.client.get<Page>(`/v1/patients?${q}`, { token: org.admin.token });
  const names = (page: Page) => page.items.map((p) => `${p.firstName} ${p.lastName}`);

  it('creates with the full record and reads it back', async () => {
    const body = {
      firstName: 'Lakshmi',
      lastName: 'Nair',
      mobileNumber: '+91 98450 12345',
      dateOfBirth: '1984-07-21',
      gender: 'female',
      email: 'lakshmi@example.test',
      address: { line1: '12 MG Road', city: 'Bengaluru', postalCode: '560001', country: 'IN' },
      bloodGroup: 'B+',
      allergies: ['penicillin'],
      emergencyContact: { name: 'Suresh Nair', relationship: 'spouse', phone: '+919845099999' },
    };
    const created = await region.client.post<{ id: string }>('/v1/patients', body, { token: org.admin.token });
    expect(created.status).toBe(201);
    const read = await region.client.get(`/v1/patients/${created.body.id}`, { token: org.admin.token });
    expect(read.body).toMatchObject({ ...body, mobileNumber: '+919845012345', emergencyContact: { ...body.emergencyContact } });
  });

  it('answers a create with the same record, the same keys, as a read and a list item', async () => {
    const own = await region.createOrg();
    const as = { token: own.admin.token };
    const created = await region.client.post<Record<string, unknown>>('/v1/patients', { firstName: 'Sparse', lastName: 'Record', mobileNumber: '+919812300099' }, as);
    expect(created.status).toBe(201);
    const read = await region.client.get<Record<string, unknown>>(`/v1/patients/${created.body.id}`, as);
    const listed = (await region.client.get<Page>('/v1/patients?search=Sparse', as)).body.items.find((p) => p.id === created.body.id);
    expect(Object.keys(created.body).sort()).toEqual(Object.keys(read.body).sort());
    expect(Object.keys(created.body).sort()).toEqual(Object.keys(listed ?? {}).sort());
    expect(created.body).toEqual(read.body);
    expect(created.body).toMatchObject({ gender: null, email: null, address: null, bloodGroup: null, emergencyContact: null, allergies: [] });
  });

  it('searches by first name, last name, full name and mobile prefix, case-insensitively', async () => {
    expect(names((await search('search=ash')).body)).toEqual(['Ravi Ashton', 'Ashok Kumar', 'Asha Rao']);
    expect(names((await search('search=RAO')).body)).toEqual(['Asha Rao', 'Kiran Rao', 'Meera Rao']);
    expect(names((await search('search=meera%20r')).body)).toEqual(['Meera Rao']);
    expect(names((await search('search=%2B1416555')).body)).toEqual(['Meera Rao', 'Kiran Rao']);
    expect(names((await search('search=%2B9198765')).body)).toEqual(['Asha Rao', 'Ashok Kumar']);
    expect((await search('search=zzz')).body.items).toEqual([]);
  });

  it('treats LIKE wildcards in a search as plain characters', async () => {
    expect((await search('search=%25')).body.items).toEqual([]);
    expect((await search('search=_')).body.items).toEqual([]);
  });

  it('paginates with limit and offset', async () => {
    const first = (await search('search=rao&limit=2')).body;
    expect(first).toMatchObject({ limit: 2, offset: 0, hasMore: true });
    expect(first.items).toHaveLength(2);
    const second = (await search('search=rao&limit=2&offset=2')).body;
    expect(second).toMatchObject({ limit: 2, offset: 2, hasMore: false });
    expect(names(second)).toEqual(['Meera Rao']);
    const all = (await search('limit=100')).body;
    expect(all.items.length).toBe(people.length + 1);
  });

  it('updates some fields and keeps the others', async () => {
    const created = await region.client.post<{ id: string }>(
      '/v1/patients',
      { firstName: 'Farah', lastName: 'Khan', mobileNumber: '+919700000001', bloodGroup: 'O-' },
      { token: org.admin.token },
    );
    const res = await region.client.patch(`/v1/patients/${created.body.id}`, { lastName: 'Siddiqui' }, { token: org.admin.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ firstName: 'Farah', lastName: 'Siddiqui', bloodGroup: 'O-' });
  });

  it('lets doctors and staff register patients but only org admins delete them', async () => {
    const staff = await org.addMember('staff', [org.clinicIds[0]]);
    const created = await region.client.post<{ id: string }>(
      '/v1/patients',
      { firstName: 'Gita', lastName: 'Bose', mobileNumber: '+919700000002' },
      { token: staff.token },
    );
    expect(created.status).toBe(201);
    expect((await region.client.delete(`/v1/patients/${created.body.id}`, { token: staff.token })).status).toBe(403);
    expect((await region.client.delete(`/v1/patients/${created.body.id}`, { token: org.admin.token })).status).toBe(204);
    expect((await region.client.get(`/v1/patients/${created.body.id}`, { token: org.admin.token })).status).toBe(404);
  });
});
