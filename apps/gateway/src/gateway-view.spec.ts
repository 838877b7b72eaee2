import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type { GatewayConfig } from './config';
import { GatewayViewReporter } from './gateway-view';
import type { Upstream } from './upstreams';

/** The reporter against a real HTTP server standing in for the control plane's view endpoint. */
describe('GatewayViewReporter', () => {
  let server: Server;
  let status = 503;
  const received: { method: string; url: string; token: string | undefined; body: string }[] = [];
  let reporter: GatewayViewReporter;
  const regions = [{ name: 'in', healthy: true, ready: true, probeFailures: 0 }] as Upstream[];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', token: req.headers['x-service-token'] as string | undefined, body });
        res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    reporter = new GatewayViewReporter({ controlPlane: { url: `http://127.0.0.1:${port}`, serviceToken: 'svc-token', timeoutMs: 2_000 } } as GatewayConfig);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Reports after each probe round (every 500 ms) from `from` for `ms`; returns how many reached the server. */
  const rounds = async (from: number, ms: number) => {
    const before = received.length;
    for (let t = from; t < from + ms; t += 500) await reporter.report(regions, t);
    return received.length - before;
  };

  it('backs off while the control plane refuses, and reports at its usual pace once it answers', async () => {
    // Refusing for a minute: 1 s, 2 s, 4 s, 8 s, then every 10 s, not 120 attempts.
    status = 503;
    const refused = await rounds(0, 60_000);
    expect(refused).toBeGreaterThanOrEqual(5);
    expect(refused).toBeLessThanOrEqual(10);
    const first = received[0];
    expect(first.method).toBe('PUT');
    expect(first.url).toBe(`/internal/v1/gateways/${encodeURIComponent(reporter.gatewayId)}/view`);
    expect(first.token).toBe('svc-token');
    expect(JSON.parse(first.body).regions.in).toEqual({ routing: true, ready: true, probeFailures: 0 });

    // Back: within the back-off's cap it gets a report, then one every 2 s while nothing changes.
    status = 200;
    const sinceBack = await rounds(60_000, 10_500);
    expect(sinceBack).toBeGreaterThanOrEqual(1);
    expect(await rounds(70_500, 20_000)).toBe(10);
  });

  it('reports a region whose state changed in the next round, not after the 2 s refresh', async () => {
    status = 200;
    await rounds(100_000, 500);
    const before = received.length;
    await reporter.report([{ ...regions[0], healthy: false, probeFailures: 3 }], 100_500);
    expect(received.length).toBe(before + 1);
    expect(JSON.parse(received[received.length - 1].body).regions.in).toEqual({ routing: false, ready: true, probeFailures: 3 });
  });
});
