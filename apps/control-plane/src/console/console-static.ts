import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_STATUS, ErrorCode } from '../common/errors';

/**
 * Paths the console never answers: the APIs keep their own routes and their JSON 404s, whatever
 * the single-page app's fallback would say.
 */
export const API_PREFIXES = ['/v1', '/internal', '/api', '/.well-known', '/openapi.json', '/healthz', '/readyz', '/assets'] as const;

/**
 * The console's HTML: scripts and styles from this origin only (the build has no inline script),
 * never framed, no referrer, no content sniffing.
 */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** A year: asset names carry a hash of their content, so a new build is a new URL. */
const ASSET_MAX_AGE_MS = 365 * 86_400_000;

function isApiPath(path: string): boolean {
  return API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** A path whose last segment names a file (`/favicon.ico`): a missing file is a 404, not the app. */
function looksLikeFile(path: string): boolean {
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last.includes('.');
}

/**
 * Serves the console's build (apps/console, `vite build` into `distDir`) on the control plane:
 * `/assets/*` with long cache headers, and `index.html` (never cached, with the security headers)
 * for `/` and every other GET that is not an API path, so deep links (`/organizations/…`) load the
 * app, which routes them itself. The build is looked for on each request: without it the control
 * plane still starts and `/` answers 503 CONSOLE_NOT_BUILT until `npm run build` has run.
 */
export async function serveConsole(fastify: FastifyInstance, distDir: string): Promise<void> {
  const indexFile = join(distDir, 'index.html');
  await fastify.register(fastifyStatic, {
    root: join(distDir, 'assets'),
    prefix: '/assets/',
    wildcard: true,
    index: false,
    decorateReply: false,
    immutable: true,
    maxAge: ASSET_MAX_AGE_MS,
    setHeaders: (reply) => void reply.header('x-content-type-options', 'nosniff'),
  });

  const app = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?', 1)[0];
    if (isApiPath(path) || looksLikeFile(path)) return reply.callNotFound();
    let html: Buffer;
    try {
      html = await readFile(indexFile);
    } catch {
      const statusCode = ERROR_STATUS[ErrorCode.ConsoleNotBuilt];
      return reply
        .status(statusCode)
        .header('cache-control', 'no-store')
        .send({ statusCode, error: 'Service Unavailable', message: 'The console is not built: run npm run build', code: ErrorCode.ConsoleNotBuilt });
    }
    return reply.headers({ ...CONSOLE_SECURITY_HEADERS, 'cache-control': 'no-cache', 'content-type': 'text/html; charset=utf-8' }).send(html);
  };
  fastify.get('/', app);
  fastify.get('/*', app);
  if (!existsSync(indexFile)) fastify.log.warn({ distDir }, 'the console is not built (npm run build): / answers 503 until it is');
}
