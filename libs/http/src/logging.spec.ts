import { Writable } from 'node:stream';
import { ClsService, ClsServiceManager } from 'nestjs-cls';
import { RequestContext } from '@medgenie/tenancy';
import Fastify from 'fastify';
import { createServiceLogger, logRequests } from './logging';

function capture() {
  const records: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      records.push(...chunk.toString().split('\n').filter(Boolean).map((l: string) => JSON.parse(l) as Record<string, unknown>));
      done();
    },
  });
  return { records, stream };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('createServiceLogger', () => {
  const cls = ClsServiceManager.getClsService() as ClsService;
  const context = new RequestContext(cls);

  it('puts service and region on every line, and the request id, org and user on lines written within a request', async () => {
    const { records, stream } = capture();
    const logger = createServiceLogger({ service: 'regional-api', regionId: 'in', stream });
    logger.info('outside');
    await cls.run(async () => {
      context.setRequestId('req-1');
      context.setIdentity({ regionId: 'in', orgId: 'org-1', userId: 'user-1', tokenRole: 'staff', sessionId: '00000000-0000-4000-8000-000000000001' });
      logger.warn({ attempt: 2 }, 'inside');
    });
    await flush();
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ service: 'regional-api', region: 'in', msg: 'outside' });
    expect(records[0]).not.toHaveProperty('req');
    expect(records[1]).toMatchObject({ service: 'regional-api', region: 'in', msg: 'inside', attempt: 2, req: { id: 'req-1' }, org: 'org-1', user: 'user-1' });
  });

  it('writes nothing below its level', async () => {
    const { records, stream } = capture();
    const logger = createServiceLogger({ service: 'control-plane', level: 'warn', stream });
    logger.info('quiet');
    logger.error('loud');
    await flush();
    expect(records.map((r) => r.msg)).toEqual(['loud']);
  });
});

describe('logRequests', () => {
  it('logs each request once, but not the probes, nor the gateways’ routine reports unless they fail', async () => {
    const { records, stream } = capture();
    const app = Fastify();
    logRequests(app, createServiceLogger({ service: 'control-plane', stream }), { quietWhenOk: /^\/internal\/v1\/gateways\/[^/]+\/view$/ });
    app.get('/healthz', async () => ({ ok: true }));
    app.get('/v1/regions', async () => []);
    app.put('/internal/v1/gateways/:id/view', async (request, reply) => reply.code((request.params as { id: string }).id === 'bad' ? 400 : 204).send());
    for (const [method, url] of [
      ['GET', '/healthz'],
      ['GET', '/v1/regions?x=1'],
      ['PUT', '/internal/v1/gateways/gw-1/view'],
      ['PUT', '/internal/v1/gateways/bad/view'],
    ] as const) {
      await app.inject({ method, url });
    }
    await app.close();
    await flush();
    expect(records.map((r) => r.msg)).toEqual(['GET /v1/regions 200', 'PUT /internal/v1/gateways/bad/view 400']);
  });
});
