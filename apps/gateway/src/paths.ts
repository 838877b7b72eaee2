/**
 * The request target as the gateway decides on it and forwards it (RFC 9112 §3.2, RFC 3986 §5.2.4
 * and §6.2.2). What the gateway checks (`/internal` is never proxied, `/healthz` is its own) must
 * be exactly what the region routes, so the target is normalized once and the normalized form is
 * both checked and forwarded:
 * - absolute-form (`http://host/path`) gives its authority as the host and its path;
 * - percent-escapes of characters that may stand raw in a path segment are decoded
 *   (`/%69nternal` is `/internal`), the others are kept, upper-cased;
 * - dot segments are removed (`/v1/../internal`, `/%2e%2e/internal`), as are empty segments
 *   (`//internal`);
 * - an encoded slash, backslash or NUL, a raw backslash or control character, or a malformed
 *   escape is refused: no route of the platform needs one, and each is read differently by
 *   different servers.
 */
export interface Target {
  /** The host named by an absolute-form target, when there is one (it overrides the Host header). */
  host?: string;
  /** The normalized path, starting with `/`. */
  path: string;
  /** The query string with its `?`, as received, or ''. */
  query: string;
}

/** Characters that may stand raw in a path segment (RFC 3986 pchar), so their escapes decode. */
const RAW_IN_SEGMENT = /[A-Za-z0-9\-._~!$&'()*+,;=:@]/;
const REFUSED_ESCAPES = new Set(['2F', '5C', '00']);

function normalizeSegment(segment: string): string | null {
  let out = '';
  for (let i = 0; i < segment.length; i += 1) {
    const ch = segment[i];
    if (ch === '%') {
      const hex = segment.slice(i + 1, i + 3).toUpperCase();
      if (!/^[0-9A-F]{2}$/.test(hex) || REFUSED_ESCAPES.has(hex)) return null;
      const decoded = String.fromCharCode(parseInt(hex, 16));
      out += RAW_IN_SEGMENT.test(decoded) ? decoded : `%${hex}`;
      i += 2;
    } else if (ch === '\\' || ch.charCodeAt(0) < 0x21 || ch.charCodeAt(0) === 0x7f) {
      return null;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * A path already in normal form: segments of raw path characters, none empty, none starting with
 * a dot, no escapes. Nearly every request's path is one, and is taken as it is.
 */
const NORMAL_PATH = /^(?:\/[A-Za-z0-9\-_~!$&'()*+,;=:@][A-Za-z0-9\-_~!$&'()*+,;=:@.]*)*\/?$/;

/** The normalized target, or null when it is malformed (answer 400). */
export function normalizeTarget(raw: string): Target | null {
  if (raw.charCodeAt(0) === 0x2f) {
    const q = raw.indexOf('?');
    const path = q >= 0 ? raw.slice(0, q) : raw;
    if (NORMAL_PATH.test(path) && raw.indexOf('#') < 0) return { host: undefined, path, query: q >= 0 ? raw.slice(q) : '' };
  }
  let rest = raw;
  let host: string | undefined;
  const absolute = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)/.exec(rest);
  if (absolute) {
    if (!/^https?$/i.test(absolute[1])) return null;
    const authority = absolute[2].replace(/^.*@/, '');
    if (!authority) return null;
    host = authority;
    rest = rest.slice(absolute[0].length) || '/';
  }
  if (rest === '*' || !rest.startsWith('/')) return null;
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const rawPath = q >= 0 ? rest.slice(0, q) : rest;
  const query = q >= 0 ? rest.slice(q) : '';

  const segments: string[] = [];
  const parts = rawPath.split('/');
  for (let i = 1; i < parts.length; i += 1) {
    const segment = normalizeSegment(parts[i]);
    if (segment === null) return null;
    const last = i === parts.length - 1;
    if (segment === '.' || segment === '') {
      if (last) segments.push('');
    } else if (segment === '..') {
      segments.pop();
      if (last) segments.push('');
    } else {
      segments.push(segment);
    }
  }
  // A trailing slash survives ("/v1/patients/" stays distinct), an empty path is "/".
  const path = `/${segments.join('/')}`;
  return { host, path: path === '//' ? '/' : path, query };
}

/** Paths that are the platform's own service-to-service routes, never reachable through the gateway. */
export function isInternalPath(path: string): boolean {
  const lower = path.toLowerCase();
  return lower === '/internal' || lower.startsWith('/internal/');
}
