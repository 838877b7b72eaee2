import Fastify from 'fastify';
import { guardInput, inspectValue } from './input-guard';
import { instantProblem } from './instant';

describe('guardInput', () => {
  const app = Fastify();
  guardInput(app, { maxDepth: 8 });
  app.post('/echo', async (req) => ({ ok: true, body: req.body }));
  app.get('/find/:id', async (req) => ({ ok: true, query: req.query }));
  beforeAll(() => app.ready());
  afterAll(() => app.close());

  const post = (payload: string) => app.inject({ method: 'POST', url: '/echo', payload, headers: { 'content-type': 'application/json' } });
  const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

  it('lets ordinary bodies and queries through', async () => {
    expect((await post('{"name":"Asha","items":[{"a":1}]}')).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/find/abc?search=sharma' })).statusCode).toBe(200);
    expect((await post(nested(8))).statusCode).toBe(200);
  });

  it.each([
    ['a NUL in a string', '{"name":"As\\u0000ha"}', 'NUL'],
    ['a NUL in a key', '{"na\\u0000me":"Asha"}', 'NUL'],
    ['nesting past the limit', nested(9), 'nested deeper than 8'],
    ['100,000 levels of nesting', nested(100_000), 'nested deeper than 8'],
  ])('refuses %s with 400 INVALID_INPUT and a clear message', async (_what, payload, message) => {
    const res = await post(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, code: 'INVALID_INPUT', message: expect.stringContaining(message) });
  });

  it('refuses a NUL in the query string or the path', async () => {
    expect((await app.inject({ method: 'GET', url: '/find/abc?search=sh%00arma' })).json()).toMatchObject({ code: 'INVALID_INPUT', message: 'The query string contains a NUL character' });
    expect((await app.inject({ method: 'GET', url: '/find/a%00bc' })).statusCode).toBe(400);
  });

  it('walks without recursion (no stack overflow on a deep value)', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    expect(inspectValue(deep, 32, 'The body')).toBe('The body is nested deeper than 32 levels');
  });
});

describe('instantProblem', () => {
  it.each(['2030-03-10T09:30:00+05:30', '2030-03-10T09:30Z', '2028-02-29T00:00:00.123-04:00', '2030-12-31T23:59:59Z'])('accepts %s', (v) => {
    expect(instantProblem(v)).toBeNull();
  });

  it.each([
    ['2030-02-30T09:00:00+05:30', 'not a day of the calendar'],
    ['2029-02-29T09:00:00Z', 'not a day of the calendar'],
    ['2030-04-31T09:00:00Z', 'not a day of the calendar'],
    ['2030-13-01T09:00:00Z', 'no month 13'],
    ['2030-03-10T24:00:00Z', 'not a time of day'],
    ['2030-03-10T09:60:00Z', 'not a time of day'],
    ['2030-03-10T09:30:00', 'with an offset'],
    ['2030-03-10', 'with an offset'],
    ['2030-03-10T09:30:00+15:00', 'offset no time zone has'],
  ])('refuses %s', (v, message) => {
    expect(instantProblem(v)).toContain(message);
  });
});
