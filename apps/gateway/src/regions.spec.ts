import { loadGatewayConfig } from './config';
import { normalizeHost, RegionDirectory } from './regions';

describe('RegionDirectory.classify', () => {
  const directory = new RegionDirectory(
    loadGatewayConfig({ CONTROL_PLANE_URL: 'http://127.0.0.1:1', CONTROL_PLANE_SERVICE_TOKEN: 'x'.repeat(32), REGION_API_URLS: '{"in":"http://127.0.0.1:2"}' }),
  );
  (directory as unknown as { regions: unknown[] }).regions = [
    { id: 'us', domain: 'medgenie.com', localDomain: 'us.localhost' },
    { id: 'in', domain: 'medgenie.in', localDomain: 'in.localhost' },
    { id: 'ca', domain: 'medgenie.ca', localDomain: 'ca.localhost' },
  ];

  it('tells console, api, org and custom hosts apart', () => {
    expect(directory.classify('console.localhost')).toEqual({ kind: 'console' });
    expect(directory.classify('console.medgenie.in')).toEqual({ kind: 'console' });
    expect(directory.classify('api.medgenie.ca')).toEqual({ kind: 'api' });
    expect(directory.classify('api.in.localhost')).toEqual({ kind: 'api' });
    expect(directory.classify('apollo.medgenie.in')).toEqual({ kind: 'org', slug: 'apollo', regionId: 'in' });
    expect(directory.classify('apollo.in.localhost')).toEqual({ kind: 'org', slug: 'apollo', regionId: 'in' });
    expect(directory.classify('sunnybrook.medgenie.ca')).toEqual({ kind: 'org', slug: 'sunnybrook', regionId: 'ca' });
    expect(directory.classify('care.apollo.example')).toEqual({ kind: 'custom', host: 'care.apollo.example' });
    expect(directory.classify('a.b.medgenie.in')).toEqual({ kind: 'custom', host: 'a.b.medgenie.in' });
  });

  it('lists the hosts an org answers to under every region domain', () => {
    expect(directory.hostsForSlug('apollo')).toContain('apollo.medgenie.in');
    expect(directory.hostsForSlug('apollo')).toContain('apollo.ca.localhost');
  });

  it("names an org's host under its own region, local or production as the request was", () => {
    expect(directory.homeHost('apollo', 'in', 'apollo.ca.localhost')).toBe('apollo.in.localhost');
    expect(directory.homeHost('apollo', 'in', 'apollo.medgenie.ca')).toBe('apollo.medgenie.in');
    expect(directory.homeHost('apollo', 'us', 'apollo.medgenie.in')).toBe('apollo.medgenie.com');
    expect(directory.homeHost('apollo', 'xx', 'apollo.medgenie.in')).toBeNull();
  });

  it('normalizes hosts: case, port and trailing dot', () => {
    expect(normalizeHost('Apollo.IN.localhost:8080')).toBe('apollo.in.localhost');
    expect(normalizeHost('apollo.medgenie.in.')).toBe('apollo.medgenie.in');
    expect(normalizeHost(undefined)).toBe('');
  });
});
