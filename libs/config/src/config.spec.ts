import { z } from 'zod';
import { ConfigError, jsonStringRecord, parseEnv } from './index';

describe('parseEnv', () => {
  const schema = z.object({ PORT: z.coerce.number().int(), TOKEN: z.string().min(32), URLS: jsonStringRecord('id -> URL', (v) => v.startsWith('http')) });

  it('returns the parsed configuration', () => {
    expect(parseEnv('app', schema, { PORT: '80', TOKEN: 'x'.repeat(32), URLS: '{"in":"http://a"}' }, ['TOKEN'])).toEqual({
      PORT: 80,
      TOKEN: 'x'.repeat(32),
      URLS: { in: 'http://a' },
    });
  });

  it('names every bad key, marks secrets and never echoes their values', () => {
    const secret = 'short-secret-value';
    let error: unknown;
    try {
      parseEnv('app', schema, { PORT: 'eighty', TOKEN: secret, URLS: '{"in":"ftp://a"}' }, ['TOKEN']);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/^app configuration is invalid/);
    expect(message).toMatch(/PORT: /);
    expect(message).toMatch(/TOKEN: .*\(secret; value not shown\)/);
    expect(message).toMatch(/URLS: must be a JSON object of id -> URL/);
    expect(message).not.toContain(secret);
  });
});
