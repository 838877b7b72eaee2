import { Client } from 'pg';
import { SERVICE_TOKEN_HEADER } from '@medgenie/contracts';
import { DomainVerifier } from '../src/organizations/domain-verifier';
import { cpDb, signupBody, startTestControlPlane, TestControlPlane, unique } from './support';

interface DomainView {
  domain: string;
  verified: boolean;
  verifiedAt: string | null;
  txtRecord: { type: string; name: string; value: string };
}
interface DomainsBody {
  organizationId: string;
  domains: DomainView[];
}
interface ErrorBody {
  code: string;
  message: string;
  txtRecord?: { name: string; value: string };
}

describe('custom domains and slugs that cannot be hijacked', () => {
  let cp: TestControlPlane;
  let adminToken: string;
  const gateway = () => ({ headers: { [SERVICE_TOKEN_HEADER]: cp.gatewayToken } });

  beforeAll(async () => {
    cp = await startTestControlPlane();
    adminToken = (await cp.client.post<{ accessToken: string }>('/v1/auth/login', cp.platformAdmin)).body.accessToken;
  });
  afterAll(() => cp?.close());

  async function signup(overrides: Record<string, unknown> = {}) {
    const body = signupBody(overrides);
    const res = await cp.client.post<{ organizationId: string; accessToken: string }>('/v1/signup', body);
    expect(res.status).toBe(201);
    return { ...body, ...res.body };
  }
  const setDomains = (orgId: string, domains: string[]) => cp.client.patch<DomainsBody & ErrorBody>(`/v1/admin/organizations/${orgId}/domains`, { domains }, { token: adminToken });
  const verify = (orgId: string, domain: string, body: Record<string, unknown> = {}) =>
    cp.client.post<DomainView & ErrorBody & { changed: boolean }>(`/v1/admin/organizations/${orgId}/domains/${domain}/verify`, body, { token: adminToken });
  const lookup = (host: string) => cp.client.get<{ organizationId: string; hostRegionId: string | null }>(`/internal/v1/registry/lookup?host=${host}`, gateway());

  it('refuses platform host names: region domains, anything under them (any org, console, api), localhost', async () => {
    const org = await signup({ regionId: 'in' });
    const other = await signup({ regionId: 'ca' });
    for (const domain of [
      `${other.slug}.medgenie.in`,
      `${other.slug}.in.localhost`,
      'medgenie.in',
      'in.localhost',
      'console.medgenie.com',
      'api.medgenie.ca',
      'x.medgenie.ca',
      'console.localhost',
      'MEDGENIE.IN.',
      `Console.MedGenie.com.`,
    ]) {
      const res = await setDomains(org.organizationId, [domain]);
      expect({ domain, status: res.status, code: res.body.code }).toEqual({ domain, status: 400, code: 'DOMAIN_RESERVED' });
    }
    // Nothing was kept.
    expect((await cp.client.get<DomainsBody>(`/v1/admin/organizations/${org.organizationId}/domains`, { token: adminToken })).body.domains).toEqual([]);
  });

  it("refuses another org's custom domain, however it is spelled (409 DOMAIN_TAKEN)", async () => {
    const a = await signup();
    const b = await signup();
    const domain = `care.${a.slug}.example`;
    expect((await setDomains(a.organizationId, [domain])).status).toBe(200);
    for (const spelling of [domain, domain.toUpperCase(), `${domain}.`]) {
      const res = await setDomains(b.organizationId, [spelling]);
      expect({ spelling, status: res.status, code: res.body.code }).toEqual({ spelling, status: 409, code: 'DOMAIN_TAKEN' });
    }
  });

  it('serves a custom domain only once verified; GET shows the TXT record; verification survives a PATCH that keeps it', async () => {
    const org = await signup();
    const domain = `clinic.${org.slug}.example`;
    const set = await setDomains(org.organizationId, [`CLINIC.${org.slug.toUpperCase()}.EXAMPLE.`]);
    expect(set.status).toBe(200);
    expect(set.body.domains).toEqual([
      { domain, verified: false, verifiedAt: null, txtRecord: { type: 'TXT', name: `_medgenie-verify.${domain}`, value: expect.stringMatching(/^medgenie-verify=[0-9a-f]{32}$/) } },
    ]);
    expect((await lookup(domain)).status).toBe(404);

    const forced = await verify(org.organizationId, domain, { force: true });
    expect(forced.status).toBe(200);
    expect(forced.body).toMatchObject({ domain, verified: true, changed: true });
    const found = await lookup(domain);
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ organizationId: org.organizationId, hostRegionId: null });
    expect((await lookup(`${domain.toUpperCase()}.:8080`)).status).toBe(200);
    // Idempotent, and the forced verification is in the audit trail.
    expect((await verify(org.organizationId, domain, { force: true })).body).toMatchObject({ verified: true, changed: false });
    const audit = await cp.client.get<{ action: string; targetId: string; details: Record<string, string> }[]>('/v1/admin/audit?limit=500', { token: adminToken });
    const verifications = audit.body.filter((e) => e.targetId === org.organizationId && e.action === 'organization.domain.verify');
    expect(verifications).toHaveLength(1);
    expect(verifications[0].details).toMatchObject({ domain, method: 'forced' });

    // Adding a second domain keeps the first verified (and its token); the new one waits.
    const second = `book.${org.slug}.example`;
    const both = await setDomains(org.organizationId, [domain, second]);
    expect(both.body.domains.map((d) => [d.domain, d.verified])).toEqual([
      [second, false],
      [domain, true],
    ]);
    expect(both.body.domains.find((d) => d.domain === domain)?.txtRecord).toEqual(set.body.domains[0].txtRecord);
    const listed = await cp.client.get<DomainsBody>(`/v1/admin/organizations/${org.organizationId}/domains`, { token: adminToken });
    expect(listed.body.domains).toEqual(both.body.domains);
    expect((await lookup(domain)).status).toBe(200);
    expect((await lookup(second)).status).toBe(404);
    // Removed: no longer served.
    expect((await setDomains(org.organizationId, [second])).status).toBe(200);
    expect((await lookup(domain)).status).toBe(404);
  });

  it('verifies against DNS: no TXT record answers 409 DOMAIN_NOT_VERIFIED naming the record to publish', async () => {
    const org = await signup();
    const domain = `${org.slug}.invalid`;
    const set = await setDomains(org.organizationId, [domain]);
    const record = set.body.domains[0].txtRecord;
    const res = await verify(org.organizationId, domain);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('DOMAIN_NOT_VERIFIED');
    expect(res.body.message).toContain(`_medgenie-verify.${domain}`);
    expect(res.body.message).toContain(record.value);
    expect(res.body.txtRecord).toMatchObject({ name: record.name, value: record.value });
    expect((await lookup(domain)).status).toBe(404);
    // A domain the org does not have, and another org's domain, are not found.
    expect((await verify(org.organizationId, `other.${org.slug}.invalid`, { force: true })).body.code).toBe('DOMAIN_NOT_FOUND');
    const other = await signup();
    expect((await verify(other.organizationId, domain, { force: true })).status).toBe(404);
    expect((await lookup(domain)).status).toBe(404);
  });

  it('verifies against DNS: the published TXT record verifies the domain (method dns in the audit trail)', async () => {
    const org = await signup();
    const domain = `www.${org.slug}.example`;
    const record = (await setDomains(org.organizationId, [domain])).body.domains[0].txtRecord;
    const dns = jest.spyOn(cp.app.get(DomainVerifier), 'txtRecords');
    try {
      dns.mockResolvedValueOnce(['v=spf1 -all', 'medgenie-verify=not-the-token']);
      expect((await verify(org.organizationId, domain)).body.code).toBe('DOMAIN_NOT_VERIFIED');
      dns.mockResolvedValueOnce(['v=spf1 -all', record.value]);
      const res = await verify(org.organizationId, domain);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ domain, verified: true, changed: true });
      expect(dns).toHaveBeenLastCalledWith(`_medgenie-verify.${domain}`);
    } finally {
      dns.mockRestore();
    }
    expect((await lookup(domain)).body).toMatchObject({ organizationId: org.organizationId });
    const audit = await cp.client.get<{ action: string; targetId: string; details: Record<string, string> }[]>('/v1/admin/audit?limit=500', { token: adminToken });
    expect(audit.body.find((e) => e.targetId === org.organizationId && e.action === 'organization.domain.verify')?.details).toMatchObject({ domain, method: 'dns' });
  });

  it('has the domain-verification migration applied: every domain carries a verification token', async () => {
    const c = new Client({ connectionString: cpDb().adminUrl });
    await c.connect();
    try {
      const rows = (await c.query('select count(*)::int as n from organization_domains where verification_token is null')).rows[0];
      expect(rows.n).toBe(0);
      const migration = (await c.query(`select 1 from schema_migrations where name = 'DomainVerification1764860000000'`)).rowCount;
      expect(migration).toBe(1);
    } finally {
      await c.end();
    }
  });

  it('refuses a signup slug whose <slug>.<region domain> is a custom domain kept from before the rules', async () => {
    const holder = await signup();
    const slug = unique('legacy').toLowerCase();
    // Such a domain can no longer be set (it is under a platform domain); one from before the rules can still exist.
    const c = new Client({ connectionString: cpDb().adminUrl });
    await c.connect();
    try {
      await c.query(`insert into organization_domains (domain, organization_id, verification_token, verified_at) values ($1, $2, 'legacy', now())`, [
        `${slug}.medgenie.ca`,
        holder.organizationId,
      ]);
    } finally {
      await c.end();
    }
    const res = await cp.client.post<ErrorBody>('/v1/signup', signupBody({ slug, regionId: 'in' }));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('SLUG_TAKEN');
  });

  it('refuses look-alike slugs (digit for letter, punycode) with 409 SLUG_LOOKALIKE, and accepts an unrelated one', async () => {
    const suffix = unique('x').toLowerCase().replace(/[^a-z]/g, '').slice(0, 10) || 'zz';
    await signup({ slug: `apollo-${suffix}` });
    for (const slug of [`apo11o-${suffix}`, `ap0ll0-${suffix}`, `apol1o-${suffix}`]) {
      const res = await cp.client.post<ErrorBody>('/v1/signup', signupBody({ slug }));
      expect({ slug, status: res.status, code: res.body.code }).toEqual({ slug, status: 409, code: 'SLUG_LOOKALIKE' });
      expect(res.body.message).toContain('digit-for-letter');
      expect(res.body.message).not.toContain(`apollo-${suffix}`);
    }
    const puny = await cp.client.post<ErrorBody>('/v1/signup', signupBody({ slug: 'xn--pple-43d' }));
    expect(puny.status).toBe(409);
    expect(puny.body.code).toBe('SLUG_LOOKALIKE');
    expect(puny.body.message).toContain('punycode');
    // Letter for letter is not a look-alike; neither is an unrelated slug.
    await signup({ slug: `apolio-${suffix}` });
    await signup({ slug: `hermes-${suffix}` });
  });

  it('a look-alike of a slug that has digits is refused the other way round', async () => {
    const suffix = unique('y').toLowerCase().replace(/[^a-z]/g, '').slice(0, 10) || 'zz';
    await signup({ slug: `c1inic-${suffix}` });
    const res = await cp.client.post<ErrorBody>('/v1/signup', signupBody({ slug: `clinic-${suffix}` }));
    expect(res.body.code).toBe('SLUG_LOOKALIKE');
  });
});
