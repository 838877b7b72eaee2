import { isInternalPath, normalizeTarget } from './paths';

describe('normalizeTarget', () => {
  it.each([
    ['/v1/patients?search=x', '/v1/patients', '?search=x'],
    ['/', '/', ''],
    ['/v1/patients/', '/v1/patients/', ''],
    ['/v1/./patients', '/v1/patients', ''],
    ['/v1/a/../patients', '/v1/patients', ''],
    ['/../../v1', '/v1', ''],
    ['/v1//patients', '/v1/patients', ''],
    ['/v1/%70atients', '/v1/patients', ''],
    ['/v1/caf%c3%a9', '/v1/caf%C3%A9', ''],
    ['/v1/a%20b', '/v1/a%20b', ''],
    ['/v1/patients#frag', '/v1/patients', ''],
    ['/v1/x?a=/../internal', '/v1/x', '?a=/../internal'],
  ])('%s -> %s', (raw, path, query) => {
    expect(normalizeTarget(raw)).toEqual({ host: undefined, path, query });
  });

  it('takes the host and path of an absolute-form target', () => {
    expect(normalizeTarget('http://apollo.in.localhost:8080/v1/patients?x=1')).toEqual({ host: 'apollo.in.localhost:8080', path: '/v1/patients', query: '?x=1' });
    expect(normalizeTarget('HTTP://user@apollo.in.localhost')).toEqual({ host: 'apollo.in.localhost', path: '/', query: '' });
  });

  it.each(['/v1/a%2fb', '/v1/a%5Cb', '/v1/%00', '/v1/a\\b', '/v1/%zz', '/v1/%4', '*', 'v1/patients', 'ftp://x/y', 'http:///internal'])('refuses %s', (raw) => {
    expect(normalizeTarget(raw)).toBeNull();
  });

  it.each([
    '/internal/v1/organizations',
    '/%69nternal/v1/organizations',
    '/%69%6E%74%65%72%6E%61%6C/v1/x',
    '/v1/../internal/v1/x',
    '/v1/%2e%2e/internal/v1/x',
    '/v1/%2E%2E/%2E%2E/internal',
    '//internal/v1/x',
    '/./internal',
    '/INTERNAL/v1/x',
    '/Internal',
    'http://apollo.in.localhost/internal/v1/x',
    'http://apollo.in.localhost/v1/..%2finternal',
  ])('sees %s as internal (or refuses it)', (raw) => {
    const target = normalizeTarget(raw);
    expect(target === null || isInternalPath(target.path)).toBe(true);
  });

  it('does not take look-alikes for internal paths', () => {
    expect(isInternalPath('/internals')).toBe(false);
    expect(isInternalPath('/v1/internal')).toBe(false);
  });
});
