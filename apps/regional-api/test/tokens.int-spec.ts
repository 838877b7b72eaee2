import { createHmac, randomUUID } from 'node:crypto';
import { exportSPKI, generateKeyPair, importJWK, SignJWT } from 'jose';
import { SERVICE_TOKEN_HEADER } from '@medgenie/contracts';
import { TestOrg } from '@medgenie/testing';
import { startTestRegion, TestRegion } from './support';

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('access tokens', () => {
  let region: TestRegion;
  let org: TestOrg;
  let claims: Record<string, unknown>;

  beforeAll(async () => {
    region = await startTestRegion({ regionId: 'in' });
    org = await region.createOrg();
    claims = { sub: org.admin.userId, org: org.orgId, region: 'in', role: 'org_admin', sid: randomUUID() };
  });
  afterAll(() => region?.close());

  async function expect401(token: string | undefined) {
    const res = await region.client.get<{ statusCode: number; error: string; message: string }>('/v1/patients', { token });
    expect(res.status).toBe(401);
    expect(String(res.headers['content-type'])).toContain('application/json');
    expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect(typeof res.body.message).toBe('string');
  }

  it('accepts a valid token', async () => {
    const res = await region.client.get('/v1/patients', { token: await region.issuer.mint(claims) });
    expect(res.status).toBe(200);
  });

  it('refuses a request without a token', () => expect401(undefined));

  it('refuses alg "none"', async () => {
    const now = Math.floor(Date.now() / 1000);
    const body = { ...claims, iss: 'https://console.medgenie.test', aud: 'medgenie-api', iat: now, exp: now + 600 };
    await expect401(`${b64url({ alg: 'none', typ: 'JWT', kid: region.issuer.kid })}.${b64url(body)}.`);
  });

  it('refuses HS256 signed with the public key', async () => {
    const now = Math.floor(Date.now() / 1000);
    const body = { ...claims, iss: 'https://console.medgenie.test', aud: 'medgenie-api', iat: now, exp: now + 600 };
    const pem = await exportSPKI(await importJWK(region.issuer.publicJwk, 'ES256') as never);
    for (const secret of [pem, JSON.stringify(region.issuer.publicJwk)]) {
      const signingInput = `${b64url({ alg: 'HS256', typ: 'JWT', kid: region.issuer.kid })}.${b64url(body)}`;
      const signature = createHmac('sha256', secret).update(signingInput).digest('base64url');
      await expect401(`${signingInput}.${signature}`);
    }
  });

  it('refuses an expired token', async () => expect401(await region.issuer.mint(claims, { expiresIn: -60 })));

  it('refuses a wrong issuer', async () => expect401(await region.issuer.mint(claims, { issuer: 'https://evil.example' })));

  it('refuses a wrong audience', async () => expect401(await region.issuer.mint(claims, { audience: 'another-api' })));

  it('refuses a token for another region', async () => expect401(await region.issuer.mint({ ...claims, region: 'ca' })));

  it('refuses an unknown kid', async () => expect401(await region.issuer.mint(claims, { kid: 'no-such-key' })));

  it('refuses a kid with path traversal', async () => {
    await expect401(await region.issuer.mint(claims, { kid: '../../../../etc/passwd' }));
    await expect401(await region.issuer.mint(claims, { kid: '/dev/null' }));
  });

  it('refuses a token signed by another key under the right kid', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: region.issuer.kid })
      .setIssuer('https://console.medgenie.test')
      .setAudience('medgenie-api')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
    await expect401(forged);
  });

  it('refuses garbage', async () => {
    for (const token of ['garbage', 'a.b.c', `${b64url({ alg: 'ES256' })}.${b64url('not json')}.sig`, '']) await expect401(token || 'x');
  });

  it('refuses claims that are not ids or roles', async () => {
    await expect401(await region.issuer.mint({ ...claims, sub: 'admin' }));
    await expect401(await region.issuer.mint({ ...claims, org: "x' or 1=1 --" }));
    await expect401(await region.issuer.mint({ ...claims, role: 'platform_admin' }));
    await expect401(await region.issuer.mint({ ...claims, sid: undefined }));
    await expect401(await region.issuer.mint({ ...claims, sid: 'not-a-session' }));
  });

  it('answers 403 to a valid token whose user has no membership here', async () => {
    const res = await region.client.get('/v1/patients', { token: await region.issuer.mint({ ...claims, sub: randomUUID() }) });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ statusCode: 403, code: 'NOT_A_MEMBER' });
  });

  it('keeps verifying with cached keys while the control plane is down', async () => {
    const token = await region.issuer.mint(claims);
    expect((await region.client.get('/v1/patients', { token })).status).toBe(200);
    region.issuer.unavailable = true;
    try {
      const fresh = await region.issuer.mint(claims);
      expect((await region.client.get('/v1/patients', { token: fresh })).status).toBe(200);
    } finally {
      region.issuer.unavailable = false;
    }
  });

  it('checks what a remembered token grants on every request: a suspended org is refused at once', async () => {
    const other = await region.createOrg();
    const token = other.admin.token;
    expect((await region.client.get('/v1/patients', { token })).status).toBe(200);
    expect((await region.client.get('/v1/patients', { token })).status).toBe(200);
    const service = { headers: { [SERVICE_TOKEN_HEADER]: region.serviceToken } };
    expect((await region.client.patch(`/internal/v1/organizations/${other.orgId}`, { status: 'suspended' }, service)).status).toBe(200);
    const res = await region.client.get('/v1/patients', { token });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'ORGANIZATION_NOT_ACTIVE' });
  });
});

describe('access tokens when the key source is unreachable', () => {
  it('answers 503, not 401 or 500, and recovers when keys are back', async () => {
    const region = await startTestRegion();
    try {
      const org = await region.createOrg();
      // A second region instance starts with a cold key cache and the control plane down.
      const cold = await startTestRegion({ issuer: region.issuer });
      try {
        region.issuer.unavailable = true;
        const res = await cold.client.get('/v1/patients', { token: org.admin.token });
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({ statusCode: 503, code: 'AUTH_UNAVAILABLE' });
        region.issuer.unavailable = false;
        expect((await cold.client.get('/v1/patients', { token: org.admin.token })).status).toBe(200);
      } finally {
        region.issuer.unavailable = false;
        await cold.close();
      }
    } finally {
      await region.close();
    }
  });
});
