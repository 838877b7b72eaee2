import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  url: string;
  body: Record<string, unknown>;
  serviceToken: string | undefined;
}

/**
 * Stands in for a region's /internal routes at their HTTP boundary (the regional API's own tests
 * cover what happens inside): records calls, answers like the region, or fails on demand.
 */
export class StubRegion {
  url = '';
  calls: RecordedCall[] = [];
  /** 'up' answers; 'down' answers 503; 'closed' refuses the connection. */
  mode: 'up' | 'down' = 'up';
  /** When set, answers the calls it returns an answer for (a region's refusal, say), before the defaults. */
  answer?: (call: RecordedCall) => { status: number; body: unknown } | undefined;
  private server?: Server;
  private readonly provisioned = new Map<string, { clinicId: string; membershipId: string }>();

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const body = await readJson(req);
      this.calls.push({ method: req.method ?? '', url: req.url ?? '', body, serviceToken: req.headers['x-service-token'] as string | undefined });
      if (this.mode === 'down') return res.writeHead(503, { 'content-type': 'application/json' }).end('{"statusCode":503}');
      res.setHeader('content-type', 'application/json');
      const answer = this.answer?.(this.calls[this.calls.length - 1]);
      if (answer) return res.writeHead(answer.status).end(JSON.stringify(answer.body));
      if (req.method === 'POST' && req.url === '/internal/v1/organizations') {
        const orgId = body.organizationId as string;
        const existing = this.provisioned.get(orgId);
        const clinicId = (body.clinic as { id: string }).id;
        const result = existing ?? { clinicId, membershipId: crypto.randomUUID() };
        this.provisioned.set(orgId, result);
        return res.writeHead(existing ? 200 : 201).end(JSON.stringify({ organizationId: orgId, ...result, created: !existing }));
      }
      if (req.method === 'PUT' && req.url?.includes('/memberships/')) {
        return res.writeHead(201).end(JSON.stringify({ membershipId: crypto.randomUUID(), created: true }));
      }
      if (req.method === 'POST' && req.url?.endsWith('/ended-sessions')) return res.writeHead(204).end();
      if (req.method === 'GET' && req.url === '/readyz') return res.writeHead(200).end('{"status":"ok"}');
      if (req.method === 'PATCH') return res.writeHead(200).end(JSON.stringify({ organizationId: req.url?.split('/').pop() }));
      return res.writeHead(404).end('{"statusCode":404}');
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  provisionCount(orgId: string): number {
    return this.calls.filter((c) => c.method === 'POST' && c.body.organizationId === orgId && this.mode === 'up').length;
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

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}
