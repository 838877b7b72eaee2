import { startPrivateRedis } from '@medgenie/testing';
import { startTestRegion, TestRegion } from './support';

describe('service endpoints', () => {
  let region: TestRegion;
  beforeAll(async () => {
    region = await startTestRegion();
  });
  afterAll(() => region?.close());

  it('answers /healthz and /readyz', async () => {
    expect((await region.client.get('/healthz')).status).toBe(200);
    const ready = await region.client.get<{ status: string; info: Record<string, unknown> }>('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.info).toHaveProperty('database');
  });

  it('serves an OpenAPI document whose schemas carry the validation rules, without internal routes', async () => {
    const res = await region.client.get<{ openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, { properties: Record<string, unknown> }> } }>('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/v1/patients', '/v1/patients/{id}', '/v1/clinics']));
    expect(Object.keys(res.body.paths).some((p) => p.startsWith('/internal'))).toBe(false);
    expect(res.body.components.schemas.CreatePatientDto.properties.firstName).toMatchObject({ maxLength: 100 });
    // Bodies built with PartialType/OmitType are described too (their rules live on the mapped class), and nothing else is added.
    const schemas = res.body.components.schemas as Record<string, { properties: Record<string, unknown>; required?: string[] }>;
    expect(schemas.UpdatePatientDto.properties.firstName).toMatchObject({ maxLength: 100 });
    expect(schemas.UpdatePatientDto.required ?? []).toEqual([]);
    expect(Object.keys(schemas.UpdateObservationDto.properties)).not.toContain('patientId');
    expect(Object.keys(schemas.UpdateObservationDto.properties).length).toBeGreaterThan(0);
  });

  it('checks the real Redis when REDIS_URL is set', async () => {
    const withRedis = await startTestRegion({ env: { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' } });
    try {
      const res = await withRedis.client.get<{ info: Record<string, { status: string }> }>('/readyz');
      expect(res.status).toBe(200);
      expect(res.body.info.redis.status).toBe('up');
    } finally {
      await withRedis.close();
    }
  });

  it('reports Redis down, fast, without taking the region out of service (no request needs it)', async () => {
    const broken = await startTestRegion({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    try {
      const started = Date.now();
      const res = await broken.client.get<{ status: string; info: Record<string, { status: string }> }>('/readyz');
      expect(res.status).toBe(200);
      expect(res.body.info.redis.status).toBe('down');
      expect(res.body.info.database.status).toBe('up');
      expect(Date.now() - started).toBeLessThan(1500);
      expect((await broken.client.get('/healthz')).status).toBe(200);
    } finally {
      await broken.close();
    }
  });

  it('answers /readyz before the gateway\'s probe gives up while Redis hangs, even with a long database wait', async () => {
    const redis = await startPrivateRedis();
    // The database may take 3 s to be declared down; Redis, which decides nothing, may not hold the answer that long.
    const region2 = await startTestRegion({ env: { REDIS_URL: redis.url, DATABASE_READY_TIMEOUT_MS: '3000' } });
    try {
      expect((await region2.client.get<{ info: Record<string, { status: string }> }>('/readyz')).body.info.redis.status).toBe('up');
      redis.freeze();
      const probeGivesUpAfter = 1_000; // the gateway's HEALTH_TIMEOUT_MS
      const answer = region2.client.get<{ status: string; info: Record<string, { status: string }> }>('/readyz');
      const outcome = await Promise.race([answer, new Promise((resolve) => setTimeout(resolve, probeGivesUpAfter, 'probe gave up'))]);
      expect(outcome).not.toBe('probe gave up');
      const res = await answer;
      expect(res.status).toBe(200);
      expect(res.body.info.redis.status).toBe('down');
      expect(res.body.info.database.status).toBe('up');
    } finally {
      redis.thaw();
      await region2.close();
      await redis.stop();
    }
  });
});
