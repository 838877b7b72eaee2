import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { FlagDefinition, toUnleashFeatures } from '@medgenie/contracts';
import type { TestIssuer } from '@medgenie/testing';

export interface StubOrg {
  organizationId: string;
  slug: string;
  regionId: string;
  status: string;
  plan: string;
}

/** The regions the gateway learns from /v1/regions (as apps/gateway/test/stubs.ts serves them). */
const REGIONS = [
  { id: 'us', domain: 'medgenie.com', localDomain: 'us.localhost' },
  { id: 'in', domain: 'medgenie.in', localDomain: 'in.localhost' },
  { id: 'ca', domain: 'medgenie.ca', localDomain: 'ca.localhost' },
];
const HOST_REGION: Record<string, string> = Object.fromEntries(REGIONS.flatMap((r) => [[r.domain, r.id], [r.localDomain, r.id]]));

/**
 * The control plane at the gateway's boundary, and nothing more: the region list, the
 * service-authenticated registry lookup (host -> org -> region), the JWKS, which serves the
 * TestIssuer's key, and the gateways' reports of their view of the regions. The same behaviour
 * as StubControlPlane in apps/gateway/test/stubs.ts, written here because that file is type-checked under the gateway's jest setup, not the
 * benchmarks' tsconfig.
 */
export class BenchControlPlane {
  port = 0;
  readonly orgs = new Map<string, StubOrg>();
  lookups = 0;
  jwksRequests = 0;
  /** The Unleash client API (flag definitions), for the client token `flagToken`; unset: not served. */
  flags?: { token: string; definitions: FlagDefinition[] };
  flagFetches = 0;
  private server?: Server;

  constructor(
    readonly serviceToken: string,
    readonly issuer: TestIssuer,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://x');
    if (/^\/internal\/v1\/gateways\/[^/]+\/view$/.test(url.pathname) && (req.method === 'PUT' || req.method === 'DELETE')) {
      // The gateway's view of the regions (its probes), taken as the control plane takes it (204):
      // refused, the gateway would send it again after every probe instead of every 2 s.
      req.resume();
      if (req.headers['x-service-token'] !== this.serviceToken) return json(401, { statusCode: 401 });
      return void res.writeHead(204).end();
    }
    switch (url.pathname) {
      case '/healthz':
        return json(200, { status: 'ok' });
      case '/v1/regions':
        return json(200, REGIONS);
      case '/.well-known/jwks.json':
        this.jwksRequests += 1;
        return json(200, { keys: [this.issuer.publicJwk] });
      case '/internal/v1/registry/lookup': {
        if (req.headers['x-service-token'] !== this.serviceToken) return json(401, { statusCode: 401 });
        this.lookups += 1;
        const [label, ...rest] = (url.searchParams.get('host') ?? '').split('.');
        const hostRegion = HOST_REGION[rest.join('.')];
        const org = [...this.orgs.values()].find((o) => o.slug === label);
        if (!org || !hostRegion) return json(404, { statusCode: 404 });
        return json(200, { ...org, name: org.slug, hostRegionId: hostRegion });
      }
      case '/api/client/features': {
        if (!this.flags || req.headers.authorization !== this.flags.token) return json(401, { statusCode: 401 });
        this.flagFetches += 1;
        const body = JSON.stringify(toUnleashFeatures(this.flags.definitions));
        const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
        if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
        return void res.writeHead(200, { 'content-type': 'application/json', etag }).end(body);
      }
      case '/api/client/register':
      case '/api/client/metrics':
        req.resume();
        return void res.writeHead(this.flags && req.headers.authorization === this.flags.token ? 202 : 401).end();
      default:
        return json(404, { statusCode: 404 });
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
