import { ExecutionContext } from '@nestjs/common';
import { DomainError } from '@medgenie/http';
import { ConfigError, loadControlPlaneConfig } from '../config/control-plane.config';
import { FlagClientGuard, FlagClientRequest } from './flag-client.guard';

const BASE = {
  DATABASE_URL: 'postgres://app@127.0.0.1/medgenie_test',
  KEY_ENCRYPTION_SECRET: 'k'.repeat(32),
  REGION_SERVICE_TOKENS: '{}',
  GATEWAY_SERVICE_TOKEN: 'g'.repeat(32),
};
const IN = 'i'.repeat(40);
const NEXT = 'n'.repeat(40);
const GATEWAY = 'w'.repeat(40);

const configWith = (tokens?: string) => loadControlPlaneConfig({ ...BASE, ...(tokens === undefined ? {} : { UNLEASH_CLIENT_TOKENS: tokens }) });

function call(guard: FlagClientGuard, authorization?: string): FlagClientRequest {
  const req: FlagClientRequest = { headers: authorization === undefined ? {} : { authorization } };
  guard.canActivate({ switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext);
  return req;
}

describe('UNLEASH_CLIENT_TOKENS', () => {
  it('is optional: without it no client is known', () => {
    expect(configWith().flags.clientTokens).toEqual({});
  });

  it.each([
    ['not JSON', 'in:abc'],
    ['a short token', JSON.stringify({ in: 'short' })],
    ['an upper-case client', JSON.stringify({ IN: IN })],
    ['a shared token', JSON.stringify({ in: IN, ca: IN })],
  ])('refuses %s, naming the key and never the value', (_what, value) => {
    let error: unknown;
    try {
      configWith(value);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('UNLEASH_CLIENT_TOKENS');
    expect((error as Error).message).not.toContain(IN);
  });
});

describe('FlagClientGuard', () => {
  const guard = new FlagClientGuard(configWith(JSON.stringify({ in: IN, 'in.next': NEXT, gateway: GATEWAY })));

  it("names the caller by its token (a rotation's second token as the same client)", () => {
    expect(call(guard, IN).flagClient).toBe('in');
    expect(call(guard, NEXT).flagClient).toBe('in');
    expect(call(guard, GATEWAY).flagClient).toBe('gateway');
  });

  it.each([undefined, '', `Bearer ${IN}`, IN.slice(1), `${IN} `])('refuses %j with 401', (authorization) => {
    let error: unknown;
    try {
      call(guard, authorization);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).status).toBe(401);
  });
});
