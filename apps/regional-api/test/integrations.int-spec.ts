import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toUnleashFeatures } from '@medgenie/contracts';
import { TestIssuer, TestOrg } from '@medgenie/testing';
import { withClient } from './db';
import { startTestRegion, testDb, TestRegion } from './support';

/**
 * The organization's settings for the flag-gated integrations (issue 12): a WhatsApp sender
 * number (`whatsapp_integration`), a UPI VPA (`upi_payments`) and a fax number
 * (`fax_integration`). Seed 000 targets them by region (WhatsApp and UPI in India, fax in Canada
 * and the US), which the regions without a control plane evaluate; a small stand-in for the
 * control plane's Unleash client API targets them by org.
 */

const URL = '/v1/organization/integrations';

interface Answer {
  whatsappSenderNumber?: string | null;
  upiVpa?: string | null;
  faxNumber?: string | null;
  code?: string;
  message?: string;
  errors?: { field: string; messages: string[] }[];
}

const get = (region: TestRegion, token: string) => region.client.get<Answer>(URL, { token });
const patch = (region: TestRegion, token: string, body: unknown) => region.client.patch<Answer>(URL, body, { token });

/** The org's row as stored (read as the superuser). */
async function stored(orgId: string): Promise<Record<string, string | null> | undefined> {
  return withClient(testDb().adminUrl, async (c) => {
    const { rows } = await c.query(
      'select whatsapp_sender_number as "whatsappSenderNumber", upi_vpa as "upiVpa", fax_number as "faxNumber" from organization_integrations where organization_id = $1',
      [orgId],
    );
    return rows[0];
  });
}

async function auditEvents(orgId: string): Promise<{ actorUserId: string; details: Record<string, unknown>; text: string }[]> {
  return withClient(testDb().adminUrl, async (c) => {
    const { rows } = await c.query(
      `select actor_user_id as "actorUserId", details, to_jsonb(e)::text as text from audit_events e
        where organization_id = $1 and action = 'organization.integrations.update' order by occurred_at, id`,
      [orgId],
    );
    return rows;
  });
}

describe('integration settings where seed 000 turns WhatsApp and UPI on (region in)', () => {
  let region: TestRegion;
  let org: TestOrg;
  beforeAll(async () => {
    region = await startTestRegion({ regionId: 'in' });
    org = await region.createOrg();
  });
  afterAll(() => region?.close());

  it('shows WhatsApp and UPI (unset), never fax', async () => {
    const res = await get(region, org.admin.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ whatsappSenderNumber: null, upiVpa: null });
  });

  it('sets, reads back and clears them; the E.164 number is stored canonically', async () => {
    const set = await patch(region, org.admin.token, { whatsappSenderNumber: '+9109876543210', upiVpa: 'apollo.clinic-1_main@okaxis' });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ whatsappSenderNumber: '+919876543210', upiVpa: 'apollo.clinic-1_main@okaxis' });
    expect(await stored(org.orgId)).toEqual({ whatsappSenderNumber: '+919876543210', upiVpa: 'apollo.clinic-1_main@okaxis', faxNumber: null });

    // Any member reads them.
    const staff = await org.addMember('staff', [org.clinicIds[0]]);
    expect((await get(region, staff.token)).body).toEqual({ whatsappSenderNumber: '+919876543210', upiVpa: 'apollo.clinic-1_main@okaxis' });

    // A field left out is unchanged; null clears.
    const cleared = await patch(region, org.admin.token, { upiVpa: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toEqual({ whatsappSenderNumber: '+919876543210', upiVpa: null });
    expect((await patch(region, org.admin.token, {})).body).toEqual({ whatsappSenderNumber: '+919876543210', upiVpa: null });
  });

  it('refuses fax with 403 FEATURE_DISABLED naming the flag, and changes nothing else of that request', async () => {
    const before = await stored(org.orgId);
    for (const body of [{ faxNumber: '+14165550123' }, { faxNumber: null }, { upiVpa: 'sneaky@ybl', faxNumber: '+14165550123' }]) {
      const res = await patch(region, org.admin.token, body);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FEATURE_DISABLED');
      expect(res.body.message).toContain('fax_integration');
    }
    expect(await stored(org.orgId)).toEqual(before);
  });

  it('answers 400 with field errors for invalid values', async () => {
    const res = await patch(region, org.admin.token, { whatsappSenderNumber: '+91 98765 43210', upiVpa: 'a@okaxis' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors?.map((e) => e.field).sort()).toEqual(['upiVpa', 'whatsappSenderNumber']);
    expect(res.body.errors?.find((e) => e.field === 'whatsappSenderNumber')?.messages[0]).toMatch(/E\.164/);

    const invalid: Record<string, unknown>[] = [
      { whatsappSenderNumber: '9876543210' }, // no country code
      { whatsappSenderNumber: '+15555550123' }, // E.164-shaped, but no such number (libphonenumber-js)
      { whatsappSenderNumber: '+91987' },
      { whatsappSenderNumber: 919876543210 },
      { upiVpa: 'apollo@ok1axis' }, // the handle is letters only
      { upiVpa: 'apollo clinic@okaxis' },
      { upiVpa: 'apollo@' },
      { upiVpa: 'apolloclinic' },
      { upiVpa: `${'a'.repeat(257)}@okaxis` },
      { upiVpa: 'apollo@okaxis@ybl' },
      { faxNumber: 'not a number' }, // invalid is a 400 before the flag is looked at
      { webhookUrl: 'https://example.test' },
    ];
    for (const body of invalid) {
      const refused = await patch(region, org.admin.token, body);
      expect({ body, status: refused.status, code: refused.body.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
      expect(refused.body.errors?.length).toBeGreaterThan(0);
    }
    // The longest local part is fine.
    const longest = `${'a'.repeat(256)}@okaxis`;
    expect((await patch(region, org.admin.token, { upiVpa: longest })).body.upiVpa).toBe(longest);
  });

  it('lets only org admins change them', async () => {
    const before = await stored(org.orgId);
    const doctor = await org.addMember('doctor', [org.clinicIds[0]]);
    const staff = await org.addMember('staff', [org.clinicIds[0]]);
    for (const member of [doctor, staff]) {
      const res = await patch(region, member.token, { whatsappSenderNumber: '+919812345678' });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('ROLE_REQUIRED');
      expect((await get(region, member.token)).status).toBe(200);
    }
    expect((await region.client.get(URL)).status).toBe(401);
    expect(await stored(org.orgId)).toEqual(before);
  });

  it('audits each change by field, without the values', async () => {
    const fresh = await region.createOrg();
    await patch(region, fresh.admin.token, { whatsappSenderNumber: '+919876543210', upiVpa: 'fresh.org@ybl' });
    await patch(region, fresh.admin.token, { whatsappSenderNumber: '+919876543210' }); // unchanged: no event
    await patch(region, fresh.admin.token, { upiVpa: null });
    const events = await auditEvents(fresh.orgId);
    expect(events.map((e) => e.details)).toEqual([
      { fields: ['whatsappSenderNumber', 'upiVpa'], cleared: [] },
      { fields: ['upiVpa'], cleared: ['upiVpa'] },
    ]);
    expect(events.every((e) => e.actorUserId === fresh.admin.userId)).toBe(true);
    for (const e of events) {
      expect(e.text).not.toContain('9876543210');
      expect(e.text).not.toContain('fresh.org');
    }
  });

  it("keeps each org's settings its own", async () => {
    const other = await region.createOrg();
    const mine = await stored(org.orgId);
    expect((await get(region, other.admin.token)).body).toEqual({ whatsappSenderNumber: null, upiVpa: null });
    expect((await patch(region, other.admin.token, { whatsappSenderNumber: '+919000000001', upiVpa: 'other.org@ybl' })).status).toBe(200);
    expect(await stored(org.orgId)).toEqual(mine);
    expect((await get(region, org.admin.token)).body.whatsappSenderNumber).toBe(mine?.whatsappSenderNumber);
    // Row-level security: the app role pinned to the other org sees and changes no row of this one.
    await withClient(testDb().appUrl, async (c) => {
      await c.query('begin');
      await c.query("select set_config('app.org_id', $1, true)", [other.orgId]);
      expect((await c.query('select organization_id from organization_integrations')).rows).toEqual([{ organization_id: other.orgId }]);
      expect((await c.query("update organization_integrations set upi_vpa = 'stolen@ybl' where organization_id = $1", [org.orgId])).rowCount).toBe(0);
      await expect(c.query("insert into organization_integrations (organization_id, upi_vpa) values ($1, 'x.y@ybl')", [org.orgId])).rejects.toMatchObject({ code: '42501' });
      await c.query('rollback');
    });
  });
});

describe('integration settings where seed 000 turns only fax on (region ca)', () => {
  let region: TestRegion;
  let org: TestOrg;
  beforeAll(async () => {
    region = await startTestRegion({ regionId: 'ca' });
    org = await region.createOrg();
  });
  afterAll(() => region?.close());

  it('shows and sets fax only; WhatsApp and UPI answer 403 FEATURE_DISABLED', async () => {
    expect((await get(region, org.admin.token)).body).toEqual({ faxNumber: null });
    const set = await patch(region, org.admin.token, { faxNumber: '+14165550123' });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ faxNumber: '+14165550123' });

    const whatsapp = await patch(region, org.admin.token, { whatsappSenderNumber: '+14165550124' });
    expect(whatsapp.status).toBe(403);
    expect(whatsapp.body).toMatchObject({ code: 'FEATURE_DISABLED', message: expect.stringContaining('whatsapp_integration') });
    const upi = await patch(region, org.admin.token, { upiVpa: 'maple.clinic@okaxis' });
    expect(upi.status).toBe(403);
    expect(upi.body).toMatchObject({ code: 'FEATURE_DISABLED', message: expect.stringContaining('upi_payments') });
    const both = await patch(region, org.admin.token, { whatsappSenderNumber: null, upiVpa: null, faxNumber: null });
    expect(both.status).toBe(403);
    expect(both.body.message).toContain('whatsapp_integration, upi_payments');
    expect(await stored(org.orgId)).toEqual({ whatsappSenderNumber: null, upiVpa: null, faxNumber: '+14165550123' });
    expect((await patch(region, org.admin.token, { faxNumber: '+1416555012' })).status).toBe(400);
  });
});

describe('integration settings targeted by org (flags from a control plane)', () => {
  const TOKEN = 'flag-client-token-for-integrations'.padEnd(48, 'x');
  let flags: { name: string; enabled: boolean; orgs?: string[] }[] = [];
  let server: Server;
  let issuer: TestIssuer;
  let region: TestRegion;
  let chosen: TestOrg;
  let other: TestOrg;
  const backupDir = mkdtempSync(join(tmpdir(), 'mg-integrations-flags-'));

  /** The Unleash client API's features, each on for the orgs listed (everyone when none are). */
  const features = () =>
    toUnleashFeatures(
      flags.map((flag) => ({
        name: flag.name,
        enabled: flag.enabled,
        strategies: flag.orgs ? [{ constraints: [{ contextName: 'orgId' as const, operator: 'IN' as const, values: flag.orgs }] }] : [],
      })),
    );

  async function eventually(probe: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`not within 10 s: ${what}`);
      await new Promise((done) => setTimeout(done, 50));
    }
  }

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      if (req.headers.authorization !== TOKEN) return void res.writeHead(401).end();
      if (req.method === 'GET' && req.url?.startsWith('/api/client/features')) {
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(features()));
      }
      res.writeHead(202).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    issuer = await TestIssuer.create();
    // Region us: seed 000 would turn none of WhatsApp and UPI on here.
    region = await startTestRegion({
      regionId: 'us',
      issuer,
      env: {
        FLAGS_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
        FLAGS_CLIENT_TOKEN: TOKEN,
        FLAGS_REFRESH_INTERVAL_MS: '200',
        FLAGS_METRICS_INTERVAL_MS: '0',
        FLAGS_BACKUP_DIR: backupDir,
      },
    });
    chosen = await region.createOrg();
    other = await region.createOrg();
    flags = [
      { name: 'whatsapp_integration', enabled: true, orgs: [chosen.orgId] },
      { name: 'upi_payments', enabled: true, orgs: [chosen.orgId] },
      { name: 'fax_integration', enabled: true, orgs: [other.orgId] },
    ];
    await eventually(async () => Object.keys((await get(region, chosen.admin.token)).body).length === 2, 'the org-targeted flags reached the region');
  });

  afterAll(async () => {
    await region?.close();
    await issuer?.close();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    rmSync(backupDir, { recursive: true, force: true });
  });

  it('gives each org the settings its flags turn on', async () => {
    expect((await get(region, chosen.admin.token)).body).toEqual({ whatsappSenderNumber: null, upiVpa: null });
    expect((await get(region, other.admin.token)).body).toEqual({ faxNumber: null });
    expect((await patch(region, chosen.admin.token, { whatsappSenderNumber: '+12025550123', upiVpa: 'chosen.org@ybl' })).status).toBe(200);
    expect((await patch(region, other.admin.token, { upiVpa: 'other.org@ybl' })).body.code).toBe('FEATURE_DISABLED');
    expect((await patch(region, chosen.admin.token, { faxNumber: '+12025550124' })).body.code).toBe('FEATURE_DISABLED');
  });

  it('hides a value once its flag is off (kept, not erased) and shows it again once back on', async () => {
    flags = flags.map((flag) => (flag.name === 'upi_payments' ? { ...flag, enabled: false } : flag));
    await eventually(async () => !('upiVpa' in (await get(region, chosen.admin.token)).body), 'UPI is off');
    expect((await get(region, chosen.admin.token)).body).toEqual({ whatsappSenderNumber: '+12025550123' });
    expect((await patch(region, chosen.admin.token, { upiVpa: null })).body.code).toBe('FEATURE_DISABLED');
    expect((await stored(chosen.orgId))?.upiVpa).toBe('chosen.org@ybl');

    flags = flags.map((flag) => (flag.name === 'upi_payments' ? { ...flag, enabled: true } : flag));
    await eventually(async () => 'upiVpa' in (await get(region, chosen.admin.token)).body, 'UPI is back');
    expect((await get(region, chosen.admin.token)).body).toEqual({ whatsappSenderNumber: '+12025550123', upiVpa: 'chosen.org@ybl' });
  });
});
