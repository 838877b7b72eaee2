import { createHash } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { FlagDefinition, toUnleashFeatures } from '@medgenie/contracts';
import { TestIssuer } from '@medgenie/testing';

async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function close(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export interface Echo {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  bodyBytes: number;
  region: string;
}

/** A region's API at its HTTP boundary: echoes what reached it; can go down or hang. */
export class StubRegion {
  port = 0;
  /** hang: accepts, never answers; hang-requests: answers its health probes only. */
  mode: 'up' | 'hang' | 'hang-requests' = 'up';
  requests = 0;
  /** Requests under /v1/slow wait for this to be opened (held connections, on demand). */
  private gate = StubRegion.newGate();
  openGate(): void {
    this.gate.open();
    this.gate = StubRegion.newGate();
  }
  private static newGate(): { promise: Promise<void>; open: () => void } {
    let open = () => undefined as void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    return { promise, open };
  }
  private server?: Server;

  constructor(readonly id: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res).catch(() => res.destroy()));
    this.port = await listen(this.server, port || this.port);
    return this;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.mode === 'hang') return; // accepts, never answers
    if (req.url === '/healthz' || req.url === '/readyz') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    this.requests += 1;
    if (this.mode === 'hang-requests') return;
    if (req.url?.startsWith('/v1/slow')) await this.gate.promise;
    let bodyBytes = 0;
    for await (const chunk of req) bodyBytes += (chunk as Buffer).length;
    const echo: Echo = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes, region: this.id };
    res.writeHead(200, { 'content-type': 'application/json', connection: 'keep-alive', 'keep-alive': 'timeout=5', 'x-upstream': this.id });
    res.end(JSON.stringify(echo));
  }

  async stop(): Promise<void> {
    if (this.server) await close(this.server);
  }
}

export interface StubOrg {
  organizationId: string;
  slug: string;
  regionId: string;
  status: string;
  plan: string;
}

/** The control plane at its HTTP boundary: region list, registry lookup, JWKS, and the Unleash client API for flags. */
export class StubControlPlane {
  port = 0;
  orgs = new Map<string, StubOrg>();
  /** Verified custom domains: domain -> organization id. */
  customDomains = new Map<string, string>();
  lookups = 0;
  down = false;
  /** The flag definitions served at /api/client/features, to the client token `flagToken` only. */
  flags: FlagDefinition[] = [];
  flagToken = '';
  /** The flag endpoints answer 503 (the rest of the control plane still answers). */
  flagsDown = false;
  /** What the flag SDK sent: feature fetches (and how many got 304), registrations, metrics. */
  flagCalls = { features: 0, notModified: 0, register: 0, metrics: 0 };
  /** Accepts connections and never answers (a control plane that hangs rather than fails). */
  hang = false;
  /** The gateways' views of the regions as last reported (PUT), by gateway id; a DELETE removes one. */
  gatewayViews = new Map<string, { at: string; regions: Record<string, { routing: boolean; ready: boolean; probeFailures: number }> }>();
  private server?: Server;

  constructor(
    readonly serviceToken: string,
    readonly issuer: TestIssuer,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.port = await listen(this.server, port || this.port);
    return this;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const json = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (this.hang) return;
    if (this.down) return json(503, { statusCode: 503 });
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/healthz' || url.pathname === '/readyz') return json(200, { status: 'ok' });
    if (url.pathname === '/v1/regions') {
      return json(200, [
        { id: 'us', domain: 'medgenie.com', localDomain: 'us.localhost' },
        { id: 'in', domain: 'medgenie.in', localDomain: 'in.localhost' },
        { id: 'ca', domain: 'medgenie.ca', localDomain: 'ca.localhost' },
      ]);
    }
    if (url.pathname === '/.well-known/jwks.json') return json(200, { keys: [this.issuer.publicJwk] });
    if (url.pathname.startsWith('/api/client/')) return this.flagApi(req, res, url.pathname, json);
    if (url.pathname === '/internal/v1/registry/lookup') {
      if (req.headers['x-service-token'] !== this.serviceToken) return json(401, { statusCode: 401 });
      this.lookups += 1;
      const host = url.searchParams.get('host') ?? '';
      const custom = this.orgs.get(this.customDomains.get(host) ?? '');
      if (custom) return json(200, { ...custom, name: custom.slug, hostRegionId: null });
      const [label, ...rest] = host.split('.');
      const domain = rest.join('.');
      const hostRegion = { 'us.localhost': 'us', 'in.localhost': 'in', 'ca.localhost': 'ca', 'medgenie.com': 'us', 'medgenie.in': 'in', 'medgenie.ca': 'ca' }[domain];
      const org = [...this.orgs.values()].find((o) => o.slug === label);
      if (!org || !hostRegion) return json(404, { statusCode: 404 });
      return json(200, { ...org, name: org.slug, hostRegionId: hostRegion });
    }
    const view = /^\/internal\/v1\/gateways\/([^/]+)\/view$/.exec(url.pathname);
    if (view) return this.gatewayView(req, res, decodeURIComponent(view[1]), json);
    if (url.pathname.startsWith('/v1/')) return json(200, { controlPlane: true, path: url.pathname });
    return json(404, { statusCode: 404 });
  }

  private gatewayView(req: IncomingMessage, res: ServerResponse, gatewayId: string, json: (status: number, body: unknown) => void): void {
    if (req.headers['x-service-token'] !== this.serviceToken) return json(401, { statusCode: 401 });
    if (req.method === 'DELETE') {
      this.gatewayViews.delete(gatewayId);
      return void res.writeHead(204).end();
    }
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      this.gatewayViews.set(gatewayId, JSON.parse(body));
      res.writeHead(204).end();
    });
  }

  private flagApi(req: IncomingMessage, res: ServerResponse, path: string, json: (status: number, body: unknown) => void): void {
    if (this.flagsDown) return json(503, { statusCode: 503 });
    if (!this.flagToken || req.headers.authorization !== this.flagToken) return json(401, { statusCode: 401 });
    req.resume();
    if (path === '/api/client/register') {
      this.flagCalls.register += 1;
      return void res.writeHead(202).end();
    }
    if (path === '/api/client/metrics') {
      this.flagCalls.metrics += 1;
      return void res.writeHead(202).end();
    }
    if (path !== '/api/client/features') return json(404, { statusCode: 404 });
    this.flagCalls.features += 1;
    const body = JSON.stringify(toUnleashFeatures(this.flags));
    const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
    if (req.headers['if-none-match'] === etag) {
      this.flagCalls.notModified += 1;
      return void res.writeHead(304, { etag }).end();
    }
    res.writeHead(200, { 'content-type': 'application/json', etag }).end(body);
  }

  async stop(): Promise<void> {
    if (this.server) await close(this.server);
  }
}
