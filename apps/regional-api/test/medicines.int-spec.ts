import { randomUUID } from 'node:crypto';
import type { ErrorBody } from '@medgenie/http';
import { TestOrg } from '@medgenie/testing';
import { MedicineView } from '../src/medicines/medicines.service';
import { Page } from '../src/common/page';
import { GLOBAL_MEDICINES } from '../src/migrations/1764000100000-global-medicine-catalogue';
import { withClient } from './db';
import { startTestRegion, testDb, TestRegion } from './support';

describe('medicines', () => {
  let region: TestRegion;
  let a: TestOrg;
  let b: TestOrg;
  let paracetamol: MedicineView;

  beforeAll(async () => {
    region = await startTestRegion();
    [a, b] = await Promise.all([region.createOrg(), region.createOrg()]);
    const page = await region.client.get<Page<MedicineView>>('/v1/medicines?search=paracetamol&form=tablet', { token: a.admin.token });
    paracetamol = page.body.items.find((m) => m.strength === '500 mg')!;
  });
  afterAll(() => region?.close());

  const search = (org: TestOrg, query: string) => region.client.get<Page<MedicineView>>(`/v1/medicines?${query}`, { token: org.admin.token });
  const create = (org: TestOrg, body: Record<string, unknown>, token = org.admin.token) =>
    region.client.post<MedicineView & ErrorBody>('/v1/medicines', body, { token });
  const globalRow = (id: string) =>
    withClient(testDb().adminUrl, async (c) => (await c.query('select name, is_active, updated_at from medicines where id = $1', [id])).rows[0]);

  describe('the global catalogue', () => {
    it('is seeded with at least 50 medicines, all global, identified as the migration lists them', async () => {
      const rows = await withClient(testDb().adminUrl, async (c) =>
        (await c.query('select name, form, strength from medicines where organization_id is null')).rows,
      );
      expect(rows.length).toBeGreaterThanOrEqual(50);
      expect(rows.length).toBe(GLOBAL_MEDICINES.length);
      for (const [name, , form, strength] of GLOBAL_MEDICINES) {
        expect(rows).toContainEqual({ name, form, strength });
      }
    });

    it('is visible to every org, page by page', async () => {
      expect(paracetamol).toMatchObject({ scope: 'global', name: 'Paracetamol', form: 'tablet', strength: '500 mg', isActive: true });
      for (const org of [a, b]) {
        const read = await region.client.get<MedicineView>(`/v1/medicines/${paracetamol.id}`, { token: org.admin.token });
        expect(read.status).toBe(200);
        expect(read.body).toEqual(paracetamol);
      }
      const seen = new Set<string>();
      for (let offset = 0; ; offset += 100) {
        const page = (await search(b, `scope=global&limit=100&offset=${offset}`)).body;
        page.items.forEach((m) => seen.add(m.id));
        if (!page.hasMore) break;
      }
      expect(seen.size).toBe(GLOBAL_MEDICINES.length);
    });

    it('is writable by no org through the API: 403 MEDICINE_IS_GLOBAL, nothing changed', async () => {
      const before = await globalRow(paracetamol.id);
      for (const org of [a, b]) {
        const patch = await region.client.patch<ErrorBody>(`/v1/medicines/${paracetamol.id}`, { name: 'Hijacked' }, { token: org.admin.token });
        expect(patch.status).toBe(403);
        expect(patch.body.code).toBe('MEDICINE_IS_GLOBAL');
        const deactivate = await region.client.patch<ErrorBody>(`/v1/medicines/${paracetamol.id}`, { isActive: false }, { token: org.admin.token });
        expect(deactivate.status).toBe(403);
        const del = await region.client.delete<ErrorBody>(`/v1/medicines/${paracetamol.id}`, { token: org.admin.token });
        expect(del.status).toBe(403);
        expect(del.body.code).toBe('MEDICINE_IS_GLOBAL');
      }
      expect(await globalRow(paracetamol.id)).toEqual(before);
    });

    it('is writable by no org through SQL either: RLS refuses the app role, even with a tenant set', async () => {
      await withClient(testDb().appUrl, async (c) => {
        const tenant = "select set_config('app.org_id', $1, true), set_config('app.clinic_ids', '*', true)";
        await c.query('begin');
        await c.query(tenant, [a.orgId]);
        await expect(
          c.query(`insert into medicines (organization_id, name, form, strength) values (null, 'Rogue', 'tablet', '1 mg')`),
        ).rejects.toMatchObject({ code: '42501' });
        await c.query('rollback');

        await c.query('begin');
        await c.query(tenant, [a.orgId]);
        expect((await c.query(`update medicines set name = 'Hijacked' where id = $1`, [paracetamol.id])).rowCount).toBe(0);
        expect((await c.query('delete from medicines where id = $1', [paracetamol.id])).rowCount).toBe(0);
        // Nor can an org adopt a global row as its own.
        expect((await c.query('update medicines set organization_id = $1 where id = $2', [a.orgId, paracetamol.id])).rowCount).toBe(0);
        await c.query('rollback');

        // Without a tenant, not even the catalogue is visible (fail closed).
        expect((await c.query('select count(*)::int as n from medicines')).rows[0].n).toBe(0);
      });
      expect(await globalRow(paracetamol.id)).toMatchObject({ name: 'Paracetamol', is_active: true });
    });
  });

  describe("an org's own medicines", () => {
    it('are created by org admins and doctors, not staff, and shared by all clinics', async () => {
      const res = await create(a, { name: 'Dolo', genericName: 'Paracetamol', form: 'tablet', strength: '650 mg', manufacturer: 'Micro Labs' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ scope: 'organization', name: 'Dolo', genericName: 'Paracetamol', manufacturer: 'Micro Labs', isActive: true });

      const doctor = await a.addMember('doctor', [a.clinicIds[0]]);
      expect((await create(a, { name: 'Zerodol', form: 'tablet', strength: '100 mg' }, doctor.token)).status).toBe(201);
      const staff = await a.addMember('staff', [a.clinicIds[0]]);
      expect((await create(a, { name: 'Staff Pill', form: 'tablet' }, staff.token)).status).toBe(403);
      // Any member reads them.
      expect((await region.client.get(`/v1/medicines/${res.body.id}`, { token: staff.token })).status).toBe(200);
    });

    it('are invisible to other orgs: 404 by id, absent from searches, untouchable', async () => {
      const own = await create(a, { name: 'Apollo Secret Syrup', genericName: 'Apollozine', form: 'syrup', strength: '5 mg/5 ml' });
      expect(own.status).toBe(201);
      const url = `/v1/medicines/${own.body.id}`;
      for (const [method, body] of [['GET'], ['PATCH', { name: 'Hijacked' }], ['DELETE']] as const) {
        const res = await region.client.request<ErrorBody>(method, url, { token: b.admin.token, body });
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('MEDICINE_NOT_FOUND');
      }
      expect((await search(b, 'search=apollo')).body.items).toEqual([]);
      expect((await search(b, 'search=apollozine')).body.items).toEqual([]);
      expect((await search(b, 'scope=organization&limit=100')).body.items.map((m) => m.id)).not.toContain(own.body.id);
      expect((await search(a, 'search=apollo')).body.items.map((m) => m.id)).toEqual([own.body.id]);
      expect((await region.client.get<MedicineView>(url, { token: a.admin.token })).body.name).toBe('Apollo Secret Syrup');
    });
  });

  describe('search', () => {
    beforeAll(async () => {
      await create(b, { name: 'Mox', genericName: 'Amoxicillin trihydrate', form: 'capsule', strength: '250 mg' });
    });

    it('matches the start of the name or of the generic name, case-insensitively, global and own together', async () => {
      const amox = (await search(b, 'search=AMOX&limit=100')).body.items.map((m) => `${m.name} ${m.form} ${m.strength} ${m.scope}`);
      expect(amox).toEqual([
        'Amoxicillin capsule 500 mg global',
        'Amoxicillin suspension 250 mg/5 ml global',
        'Co-amoxiclav tablet 625 mg global',
        'Mox capsule 250 mg organization',
      ]);
      // By generic name only: Paracetamol's generic name is "Paracetamol (acetaminophen)", Salbutamol's mentions albuterol.
      expect((await search(b, 'search=sulfamethoxazole')).body.items.map((m) => m.name)).toEqual(['Co-trimoxazole']);
      expect((await search(b, 'search=chlorhexidine')).body.items.map((m) => m.form).sort()).toEqual(['gel', 'mouthwash']);
      expect((await search(b, 'search=zzz')).body.items).toEqual([]);
    });

    it('filters by scope and form, and treats LIKE wildcards as plain characters', async () => {
      expect((await search(b, 'search=amox&scope=organization')).body.items.map((m) => m.name)).toEqual(['Mox']);
      expect((await search(b, 'search=amox&scope=global')).body.items.every((m) => m.scope === 'global')).toBe(true);
      const injections = (await search(b, 'form=injection&limit=100')).body.items;
      expect(injections.length).toBeGreaterThanOrEqual(4);
      expect(injections.every((m) => m.form === 'injection')).toBe(true);
      expect((await search(b, 'search=%25')).body.items).toEqual([]);
      expect((await search(b, 'search=_')).body.items).toEqual([]);
    });

    it('paginates', async () => {
      const first = (await search(b, 'search=a&limit=3')).body;
      expect(first).toMatchObject({ limit: 3, offset: 0, hasMore: true });
      const second = (await search(b, 'search=a&limit=3&offset=3')).body;
      expect(second.items.map((m) => m.id)).not.toEqual(expect.arrayContaining(first.items.map((m) => m.id)));
    });

    it.each([
      ['an unknown scope', 'scope=everyone'],
      ['an unknown form', 'form=pill'],
      ['a limit over 100', 'limit=101'],
      ['an unknown parameter', 'orgId=x'],
    ])('refuses %s (400)', async (_what, query) => {
      expect((await search(b, query)).status).toBe(400);
    });
  });

  describe('changes', () => {
    it('refuses a duplicate in the org, or a copy of a catalogue medicine (409), but not the same in another org', async () => {
      const body = { name: 'Crocin', genericName: 'Paracetamol', form: 'tablet', strength: '500 mg' };
      expect((await create(a, body)).status).toBe(201);
      const again = await create(a, { ...body, name: 'CROCIN ' });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('MEDICINE_EXISTS');
      expect((await create(b, body)).status).toBe(201);
      const copy = await create(a, { name: 'paracetamol', form: 'tablet', strength: '500 mg' });
      expect(copy.status).toBe(409);
      expect(copy.body.code).toBe('MEDICINE_EXISTS');
    });

    it('refuses bad input with 400 and keeps nothing', async () => {
      for (const body of [
        { name: '', form: 'tablet' },
        { name: 'X', form: 'pill' },
        { name: 'X'.repeat(201), form: 'tablet' },
        { name: 'X', form: 'tablet', strength: 'x'.repeat(61) },
        { name: 'X', form: 'tablet', organizationId: null },
      ]) {
        expect((await create(a, body)).status).toBe(400);
      }
    });

    it('updates and deactivates an own medicine; the active filter follows', async () => {
      const made = await create(a, { name: 'Pan', genericName: 'Pantoprazole', form: 'tablet', strength: '40 mg' });
      const url = `/v1/medicines/${made.body.id}`;
      const updated = await region.client.patch<MedicineView>(url, { manufacturer: 'Alkem', strength: '20 mg' }, { token: a.admin.token });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ name: 'Pan', strength: '20 mg', manufacturer: 'Alkem' });
      expect((await region.client.patch(url, { name: null }, { token: a.admin.token })).status).toBe(400);
      expect((await region.client.patch<MedicineView>(url, { isActive: false }, { token: a.admin.token })).body.isActive).toBe(false);
      expect((await search(a, 'search=pan&active=true')).body.items.map((m) => m.id)).not.toContain(made.body.id);
      expect((await search(a, 'search=pan&active=false')).body.items.map((m) => m.id)).toEqual([made.body.id]);
      // Renaming into a duplicate of a catalogue medicine is refused too.
      const clash = await region.client.patch<ErrorBody>(url, { name: 'Pantoprazole', strength: '40 mg' }, { token: a.admin.token });
      expect(clash.status).toBe(409);
    });

    it('deletes an unused own medicine (org admins only); one a short key names is 409 MEDICINE_IN_USE', async () => {
      const unused = await create(a, { name: 'Unused', form: 'cream' });
      const doctor = await a.addMember('doctor', [a.clinicIds[0]]);
      expect((await region.client.delete(`/v1/medicines/${unused.body.id}`, { token: doctor.token })).status).toBe(403);
      expect((await region.client.delete(`/v1/medicines/${unused.body.id}`, { token: a.admin.token })).status).toBe(204);
      expect((await region.client.get(`/v1/medicines/${unused.body.id}`, { token: a.admin.token })).status).toBe(404);

      const used = await create(a, { name: 'Used', form: 'cream' });
      const key = await region.client.post(
        '/v1/short-keys',
        { code: 'USED', name: 'Uses it', items: [{ medicineId: used.body.id, dosage: 'thin layer', frequency: 'twice a day', duration: '7 days' }] },
        { token: a.admin.token },
      );
      expect(key.status).toBe(201);
      const refused = await region.client.delete<ErrorBody>(`/v1/medicines/${used.body.id}`, { token: a.admin.token });
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('MEDICINE_IN_USE');
      expect((await region.client.get(`/v1/medicines/${used.body.id}`, { token: a.admin.token })).status).toBe(200);
      expect((await region.client.delete(`/v1/medicines/${randomUUID()}`, { token: a.admin.token })).status).toBe(404);
    });

    it('records an audit event for reads and writes, with ids and counts only', async () => {
      const made = await create(b, { name: 'Audited', form: 'gel' });
      await region.client.get(`/v1/medicines/${made.body.id}`, { token: b.admin.token });
      await search(b, 'search=audited');
      const events = await withClient(testDb().adminUrl, async (c) =>
        (await c.query(`select action, resource_id, details from audit_events where organization_id = $1 and resource_type = 'medicine' order by occurred_at`, [b.orgId])).rows,
      );
      const actions = events.map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['medicine.create', 'medicine.read', 'medicine.search']));
      expect(JSON.stringify(events)).not.toMatch(/audited/i);
    });
  });
});
