import { Writable } from 'node:stream';
import { startTestRegion } from './support';

describe('logs', () => {
  it('carry request id, org and region, and no patient data', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    let readId = '';
    const region = await startTestRegion({ regionId: 'ca', logStream: stream, env: { LOG_LEVEL: 'info' } });
    try {
      const org = await region.createOrg();
      const headers = { 'x-request-id': 'req-log-check' };
      const created = await region.client.post<{ id: string }>(
        '/v1/patients',
        { firstName: 'Zoltan', lastName: 'Quixote', mobileNumber: '+14165557788', email: 'zq@example.test' },
        { token: org.admin.token, headers },
      );
      expect(created.status).toBe(201);
      await region.client.get('/v1/patients?search=Quixote', { token: org.admin.token });
      await region.client.get('/v1/patients?search=%2B1416555', { token: org.admin.token });
      readId = created.body.id;
      await region.client.get(`/v1/patients/${created.body.id}`, { token: org.admin.token });
    } finally {
      await region.close();
    }
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const create = records.find((r) => (r.req as { id?: string })?.id === 'req-log-check');
    expect(create).toMatchObject({
      region: 'ca',
      service: 'regional-api',
      req: { method: 'POST', path: '/v1/patients' },
      res: { statusCode: 201 },
      msg: 'POST /v1/patients 201',
    });
    expect(create?.org).toMatch(/^[0-9a-f-]{36}$/);
    expect(create?.user).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof create?.responseTime).toBe('number');
    // One line per request (provisioning the org included), each with its own id; searches are logged by path alone.
    const requestLines = records.filter((r) => (r.res as { statusCode?: number } | undefined)?.statusCode !== undefined);
    expect(requestLines.map((r) => (r.req as { path: string }).path)).toEqual([
      '/internal/v1/organizations',
      '/v1/patients',
      '/v1/patients',
      '/v1/patients',
      `/v1/patients/${readId}`,
    ]);
    expect(new Set(requestLines.map((r) => (r.req as { id: string }).id)).size).toBe(5);
    const text = lines.join('\n');
    for (const phi of ['Zoltan', 'Quixote', '4165557788', 'zq@example.test', 'authorization', 'Bearer']) {
      expect(text).not.toContain(phi);
    }
  });
});
