/**
 * The least a Node gateway does, for a baseline beside the real one: resolve the org's host once
 * through the control plane's registry, then forward the request as is to the region on an undici
 * Pool and pipe the answer back. No tokens, limits, slots, path checks, breaker or logging.
 * Run it in place of the gateway with
 *   BENCH_GATEWAY_MAIN=dist/bench/bench/lib/floor-gateway.js npm run bench -- gateway
 * (same environment as the gateway's main.js). What it adds over direct is what node:http and
 * undici cost on the machine, whatever the gateway's own code does.
 */
import { createServer, IncomingHttpHeaders } from 'node:http';
import { Pool } from 'undici';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`floor gateway: ${name} is not set`);
  return value;
};
const controlPlane = env('CONTROL_PLANE_URL');
const serviceToken = env('CONTROL_PLANE_SERVICE_TOKEN');
const pools = new Map(Object.entries(JSON.parse(env('REGION_API_URLS')) as Record<string, string>).map(([id, url]) => [id, new Pool(url, { connections: 64 })]));
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'proxy-connection', 'trailer']);

const regionOf = new Map<string, Promise<string | null>>();
function resolve(host: string): Promise<string | null> {
  let region = regionOf.get(host);
  if (!region) {
    region = fetch(`${controlPlane}/internal/v1/registry/lookup?host=${encodeURIComponent(host)}`, { headers: { 'x-service-token': serviceToken } }).then(async (res) =>
      res.ok ? ((await res.json()) as { regionId: string }).regionId : null,
    );
    regionOf.set(host, region);
  }
  return region;
}

function forwardable(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

createServer((req, res) => {
  if (req.url === '/healthz') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  void resolve(String(req.headers.host ?? ''))
    .then(async (regionId) => {
      const pool = regionId ? pools.get(regionId) : undefined;
      if (!pool) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"statusCode":404}');
      const upstream = await pool.request({ method: req.method as 'GET', path: req.url ?? '/', headers: forwardable(req.headers), body: req.method === 'GET' || req.method === 'HEAD' ? null : req });
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(upstream.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      res.writeHead(upstream.statusCode, headers);
      upstream.body.pipe(res);
    })
    .catch(() => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
}).listen(Number(env('GATEWAY_PORT')), process.env.HOST ?? '127.0.0.1');
