import { randomUUID } from 'node:crypto';
import { ClsService } from 'nestjs-cls';
import { OrgScope, TransactionHost } from '@medgenie/database';
import { DomainError, ErrorBody } from '@medgenie/http';
import { RequestContext } from '@medgenie/tenancy';
import { TestOrg } from '@medgenie/testing';
import { Page } from '../src/common/page';
import { ExpandedShortKey, ShortKeyItemView, ShortKeysService, ShortKeyView } from '../src/short-keys/short-keys.service';
import { withClient } from './db';
import { startTestRegion, testDb, TestRegion } from './support';

describe('short keys', () => {
  let region: TestRegion;
  let a: TestOrg;
  let b: TestOrg;
  const global: Record<string, string> = {};
  let aOwnMedicine: string;

  beforeAll(async () => {
    region = await startTestRegion();
    [a, b] = await Promise.all([region.createOrg(), region.createOrg()]);
    for (const [key, query] of [
      ['paracetamol', 'search=paracetamol&form=tablet'],
      ['cetirizine', 'search=cetirizine'],
      ['ors', 'search=oral%20rehydration'],
      ['chlorhexidine', 'search=chlorhexidine&form=mouthwash'],
    ]) {
      const res = await region.client.get<{ items: { id: string }[] }>(`/v1/medicines?${query}&scope=global`, { token: a.admin.token });
      global[key] = res.body.items[0].id;
    }
    const own = await region.client.post<{ id: string }>('/v1/medicines', { name: 'Dolo', form: 'tablet', strength: '650 mg' }, { token: a.admin.token });
    aOwnMedicine = own.body.id;
  });
  afterAll(() => region?.close());

  const line = (medicineId: string, extra: Partial<ShortKeyItemView> = {}) => ({ medicineId, dosage: '1 tablet', frequency: '1-1-1', duration: '3 days', ...extra });
  const create = (org: TestOrg, body: Record<string, unknown>, token = org.admin.token) =>
    region.client.post<ShortKeyView & ErrorBody>('/v1/short-keys', body, { token });
  const countKeys = (orgId: string) =>
    withClient(testDb().adminUrl, async (c) => Number((await c.query('select count(*)::int as n from short_keys where organization_id = $1', [orgId])).rows[0].n));

  /** ShortKeysService.expand as prescriptions call it: inside a request's context and transaction. */
  async function expand(org: TestOrg, codeOrId: string): Promise<ExpandedShortKey> {
    const app = region.app;
    const context = app.get(RequestContext);
    return app.get(ClsService).run(() => {
      context.setRequestId(randomUUID());
      context.setIdentity({ regionId: region.regionId, orgId: org.orgId, userId: org.admin.userId, tokenRole: 'org_admin', sessionId: randomUUID() });
      context.setMembership({ id: org.admin.membershipId, role: 'org_admin', clinics: '*' });
      return app.get(OrgScope).run({ orgId: org.orgId, userId: org.admin.userId, clinicIds: '*' }, (sql) =>
        app.get(TransactionHost).bind(sql, () => app.get(ShortKeysService).expand(codeOrId)),
      );
    });
  }

  it('creates a key whose lines name global and own medicines, and reads it back in order', async () => {
    const res = await create(a, {
      code: 'Fever',
      name: 'Fever, adult',
      description: 'Uncomplicated viral fever',
      items: [
        line(global.paracetamol, { frequency: '1-0-1', duration: '5 days', quantity: 10, instructions: 'after food' }),
        line(aOwnMedicine, { dosage: '1 tablet', frequency: 'SOS', duration: '3 days' }),
        line(global.ors, { dosage: '1 sachet in 1 l water', frequency: 'after each loose stool', duration: '2 days' }),
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ code: 'Fever', name: 'Fever, adult', isActive: true });
    expect(res.body.items.map((i) => [i.position, i.medicineName, i.strength])).toEqual([
      [0, 'Paracetamol', '500 mg'],
      [1, 'Dolo', '650 mg'],
      [2, 'Oral Rehydration Salts', '20.5 g/l'],
    ]);
    expect(res.body.items[0]).toMatchObject({ quantity: 10, instructions: 'after food', medicineActive: true });
    const read = await region.client.get<ShortKeyView>(`/v1/short-keys/${res.body.id}`, { token: a.admin.token });
    expect(read.body).toEqual(res.body);
  });

  it('keeps codes unique per org regardless of case (409), but not across orgs', async () => {
    expect((await create(a, { code: 'ALLERGY', name: 'Allergy', items: [line(global.cetirizine)] })).status).toBe(201);
    const clash = await create(a, { code: 'allergy', name: 'Again', items: [line(global.cetirizine)] });
    expect(clash.status).toBe(409);
    expect(clash.body.code).toBe('SHORT_KEY_CODE_TAKEN');
    expect((await create(b, { code: 'allergy', name: 'Allergy in B', items: [line(global.cetirizine)] })).status).toBe(201);

    const other = await create(a, { code: 'ALLERGY-2', name: 'Other', items: [line(global.cetirizine)] });
    const rename = await region.client.patch<ErrorBody>(`/v1/short-keys/${other.body.id}`, { code: 'Allergy' }, { token: a.admin.token });
    expect(rename.status).toBe(409);
    expect(rename.body.code).toBe('SHORT_KEY_CODE_TAKEN');
  });

  it('lists by code prefix, case-insensitively, and by active', async () => {
    for (const code of ['DENT-1', 'dent-2', 'DENTAL_X']) {
      expect((await create(a, { code, name: code, items: [line(global.chlorhexidine)] })).status).toBe(201);
    }
    const list = (q: string) => region.client.get<Page<ShortKeyView>>(`/v1/short-keys?${q}`, { token: a.admin.token });
    expect((await list('code=dent')).body.items.map((k) => k.code)).toEqual(['DENT-1', 'dent-2', 'DENTAL_X']);
    expect((await list('code=DENT-')).body.items.map((k) => k.code)).toEqual(['DENT-1', 'dent-2']);
    const first = (await list('code=dent&limit=2')).body;
    expect(first.hasMore).toBe(true);
    expect(first.items[0].items[0].medicineName).toBe('Chlorhexidine Gluconate');

    const dental = (await list('code=DENTAL')).body.items[0];
    await region.client.patch(`/v1/short-keys/${dental.id}`, { isActive: false }, { token: a.admin.token });
    expect((await list('code=dent&active=true')).body.items.map((k) => k.code)).toEqual(['DENT-1', 'dent-2']);
    expect((await list('code=dent&active=false')).body.items.map((k) => k.code)).toEqual(['DENTAL_X']);
    expect((await list('code=a%25')).status).toBe(400);
  });

  it('replaces every line on PATCH with items, atomically: a bad line leaves the old ones', async () => {
    const made = await create(a, { code: 'COLD', name: 'Cold', items: [line(global.cetirizine), line(global.paracetamol)] });
    const url = `/v1/short-keys/${made.body.id}`;
    const replaced = await region.client.patch<ShortKeyView>(url, { name: 'Common cold', items: [line(global.paracetamol, { quantity: 6 })] }, { token: a.admin.token });
    expect(replaced.status).toBe(200);
    expect(replaced.body.name).toBe('Common cold');
    expect(replaced.body.items.map((i) => [i.medicineName, i.quantity])).toEqual([['Paracetamol', 6]]);

    const bad = await region.client.patch<ErrorBody>(url, { name: 'Broken', items: [line(global.cetirizine), line(randomUUID())] }, { token: a.admin.token });
    expect(bad.status).toBe(404);
    expect(bad.body.code).toBe('MEDICINE_NOT_FOUND');
    const kept = await region.client.get<ShortKeyView>(url, { token: a.admin.token });
    expect(kept.body.name).toBe('Common cold');
    expect(kept.body.items.map((i) => i.medicineName)).toEqual(['Paracetamol']);
    expect((await region.client.patch(url, { items: [] }, { token: a.admin.token })).status).toBe(400);
    expect((await region.client.patch(url, { code: null }, { token: a.admin.token })).status).toBe(400);
  });

  it("refuses another org's medicine (404 MEDICINE_NOT_FOUND) on create and on update, and makes nothing", async () => {
    const before = await countKeys(b.orgId);
    const res = await create(b, { code: 'STOLEN', name: 'Stolen', items: [line(global.paracetamol), line(aOwnMedicine)] });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('MEDICINE_NOT_FOUND');
    expect(await countKeys(b.orgId)).toBe(before);

    const own = await create(b, { code: 'B-OWN', name: 'B own', items: [line(global.paracetamol)] });
    const patch = await region.client.patch<ErrorBody>(`/v1/short-keys/${own.body.id}`, { items: [line(aOwnMedicine)] }, { token: b.admin.token });
    expect(patch.status).toBe(404);
    expect((await region.client.get<ShortKeyView>(`/v1/short-keys/${own.body.id}`, { token: b.admin.token })).body.items[0].medicineId).toBe(global.paracetamol);
  });

  it("refuses another org's medicine in the database too, whatever the code does", async () => {
    const key = await create(b, { code: 'B-DB', name: 'B db', items: [line(global.paracetamol)] });
    await withClient(testDb().appUrl, async (c) => {
      await c.query('begin');
      await c.query("select set_config('app.org_id', $1, true), set_config('app.clinic_ids', '*', true)", [b.orgId]);
      await expect(
        c.query(
          `insert into short_key_items (organization_id, short_key_id, position, medicine_id, dosage, frequency, duration)
           values ($1, $2, 5, $3, 'x', 'x', 'x')`,
          [b.orgId, key.body.id, aOwnMedicine],
        ),
      ).rejects.toMatchObject({ code: '23503' });
      await c.query('rollback');
      await c.query('begin');
      await c.query("select set_config('app.org_id', $1, true), set_config('app.clinic_ids', '*', true)", [b.orgId]);
      await expect(
        c.query('update short_key_items set medicine_id = $1 where organization_id = $2 and short_key_id = $3', [aOwnMedicine, b.orgId, key.body.id]),
      ).rejects.toMatchObject({ code: '23503' });
      await c.query('rollback');
    });
  });

  it('refuses a deactivated medicine (409), bad codes and bad lines (400)', async () => {
    const med = await region.client.post<{ id: string }>('/v1/medicines', { name: 'Retired', form: 'syrup' }, { token: a.admin.token });
    await region.client.patch(`/v1/medicines/${med.body.id}`, { isActive: false }, { token: a.admin.token });
    const inactive = await create(a, { code: 'RETIRED', name: 'Retired', items: [line(med.body.id)] });
    expect(inactive.status).toBe(409);
    expect(inactive.body.code).toBe('MEDICINE_INACTIVE');
    for (const body of [
      { code: 'HAS SPACE', name: 'x', items: [line(global.paracetamol)] },
      { code: 'X'.repeat(21), name: 'x', items: [line(global.paracetamol)] },
      { code: '', name: 'x', items: [line(global.paracetamol)] },
      { code: 'NOITEMS', name: 'x', items: [] },
      { code: 'BADQTY', name: 'x', items: [line(global.paracetamol, { quantity: 0 })] },
      { code: 'NODOSE', name: 'x', items: [{ medicineId: global.paracetamol, frequency: 'x', duration: 'x' }] },
      { code: 'BADID', name: 'x', items: [line('not-a-uuid')] },
    ]) {
      expect((await create(a, body)).status).toBe(400);
    }
  });

  it('lets org admins and doctors write keys; staff only read them', async () => {
    const doctor = await a.addMember('doctor', [a.clinicIds[0]]);
    const staff = await a.addMember('staff', [a.clinicIds[0]]);
    const made = await create(a, { code: 'DOC', name: 'By a doctor', items: [line(global.paracetamol)] }, doctor.token);
    expect(made.status).toBe(201);
    expect((await create(a, { code: 'STAFF', name: 'By staff', items: [line(global.paracetamol)] }, staff.token)).status).toBe(403);
    expect((await region.client.patch(`/v1/short-keys/${made.body.id}`, { name: 'x' }, { token: staff.token })).status).toBe(403);
    expect((await region.client.delete(`/v1/short-keys/${made.body.id}`, { token: staff.token })).status).toBe(403);
    expect((await region.client.get(`/v1/short-keys/${made.body.id}`, { token: staff.token })).status).toBe(200);
    expect((await region.client.get(`/v1/short-keys?code=doc`, { token: staff.token })).status).toBe(200);
  });

  it('expands a key by code (any case) or id into its lines whose medicine is active', async () => {
    const med = await region.client.post<{ id: string }>('/v1/medicines', { name: 'Soon retired', form: 'tablet' }, { token: a.admin.token });
    const made = await create(a, {
      code: 'Gastro',
      name: 'Gastroenteritis',
      items: [line(global.ors, { quantity: 5 }), line(med.body.id), line(global.paracetamol, { instructions: 'if fever' })],
    });
    const byCode = await expand(a, 'gastro');
    expect(byCode.shortKeyId).toBe(made.body.id);
    expect(byCode.items.map((i) => [i.medicineId, i.medicineName, i.dosage, i.quantity])).toEqual([
      [global.ors, 'Oral Rehydration Salts', '1 tablet', 5],
      [med.body.id, 'Soon retired', '1 tablet', null],
      [global.paracetamol, 'Paracetamol', '1 tablet', null],
    ]);
    expect(await expand(a, made.body.id)).toEqual(byCode);

    await region.client.patch(`/v1/medicines/${med.body.id}`, { isActive: false }, { token: a.admin.token });
    expect((await expand(a, 'GASTRO')).items.map((i) => i.medicineName)).toEqual(['Oral Rehydration Salts', 'Paracetamol']);
    // GET still shows the line, marked.
    const read = await region.client.get<ShortKeyView>(`/v1/short-keys/${made.body.id}`, { token: a.admin.token });
    expect(read.body.items.map((i) => i.medicineActive)).toEqual([true, false, true]);
  });

  it('expands neither an unknown, an inactive nor another org\'s key: 404 SHORT_KEY_NOT_FOUND', async () => {
    const made = await create(a, { code: 'SLEEPY', name: 'Inactive', isActive: false, items: [line(global.cetirizine)] });
    expect(made.status).toBe(201);
    for (const [org, codeOrId] of [
      [a, 'SLEEPY'],
      [a, made.body.id],
      [a, 'NOPE'],
      [a, "x' or 1=1"],
      [a, randomUUID()],
      [b, 'FEVER'],
    ] as const) {
      await expect(expand(org, codeOrId)).rejects.toMatchObject({ code: 'SHORT_KEY_NOT_FOUND', status: 404 });
      await expect(expand(org, codeOrId)).rejects.toBeInstanceOf(DomainError);
    }
  });

  it('deletes an unused key; one a prescription was written with is 409 SHORT_KEY_IN_USE', async () => {
    const unused = await create(a, { code: 'UNUSED', name: 'Unused', items: [line(global.paracetamol)] });
    expect((await region.client.delete(`/v1/short-keys/${unused.body.id}`, { token: a.admin.token })).status).toBe(204);
    expect((await region.client.get(`/v1/short-keys/${unused.body.id}`, { token: a.admin.token })).status).toBe(404);
    expect((await region.client.delete(`/v1/short-keys/${unused.body.id}`, { token: a.admin.token })).status).toBe(404);

    const used = await create(a, { code: 'USED', name: 'Used', items: [line(global.paracetamol)] });
    const patient = await region.client.post<{ id: string }>('/v1/patients', { firstName: 'Uma', lastName: 'Used', mobileNumber: '+919800000001' }, { token: a.admin.token });
    await withClient(testDb().adminUrl, async (c) => {
      const doctor = (await c.query('select id from doctors where organization_id = $1 and membership_id = $2', [a.orgId, a.admin.membershipId])).rows[0].id;
      const rx = (
        await c.query('insert into prescriptions (organization_id, clinic_id, patient_id, doctor_id) values ($1, $2, $3, $4) returning id', [
          a.orgId,
          a.clinicIds[0],
          patient.body.id,
          doctor,
        ])
      ).rows[0].id;
      await c.query(
        `insert into prescription_items (organization_id, clinic_id, prescription_id, position, medicine_id, medicine_name, dosage, frequency, duration, short_key_id)
         values ($1, $2, $3, 0, $4, 'Paracetamol', '1 tablet', '1-1-1', '3 days', $5)`,
        [a.orgId, a.clinicIds[0], rx, global.paracetamol, used.body.id],
      );
    });
    const refused = await region.client.delete<ErrorBody>(`/v1/short-keys/${used.body.id}`, { token: a.admin.token });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('SHORT_KEY_IN_USE');
    expect((await region.client.patch<ShortKeyView>(`/v1/short-keys/${used.body.id}`, { isActive: false }, { token: a.admin.token })).body.isActive).toBe(false);
  });

  it('records audit events for reads and writes, with ids and counts only', async () => {
    const made = await create(b, { code: 'AUDIT', name: 'Audit me', items: [line(global.paracetamol)] });
    await region.client.get(`/v1/short-keys/${made.body.id}`, { token: b.admin.token });
    await region.client.get('/v1/short-keys?code=aud', { token: b.admin.token });
    await expand(b, 'audit');
    const events = await withClient(testDb().adminUrl, async (c) =>
      (await c.query(`select action, details from audit_events where organization_id = $1 and resource_type = 'short_key'`, [b.orgId])).rows,
    );
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['short_key.create', 'short_key.read', 'short_key.search', 'short_key.expand']));
    expect(JSON.stringify(events)).not.toMatch(/audit me|"aud"/i);
  });
});
