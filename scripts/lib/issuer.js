'use strict';
/**
 * The local development token issuer: stands in for the control plane until it exists.
 * An ES256 key pair made once (kept in .medgenie/secrets.json), its public half served as a JWKS
 * on 127.0.0.1, and access tokens signed with the private half. Tokens name DEV_ISSUER, which
 * no deployed region trusts.
 */
const http = require('node:http');
const jose = require('jose');

const DEV_ISSUER = 'https://console.medgenie.local';
const DEV_AUDIENCE = 'medgenie-api';
const JWKS_PATH = '/.well-known/jwks.json';

/** A new key pair as JWKs (private with `d`, and public), with a thumbprint kid. */
async function generateIssuerKey() {
  const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const privateJwk = await jose.exportJWK(privateKey);
  const kid = `dev-${(await jose.calculateJwkThumbprint(privateJwk)).slice(0, 16)}`;
  return { kid, privateJwk };
}

function publicJwkOf({ kid, privateJwk }) {
  const pub = { ...privateJwk };
  delete pub.d; // the private scalar
  return { ...pub, kid, alg: 'ES256', use: 'sig' };
}

/** Signs an access token for a member of an organization in a region. */
async function mintAccessToken(key, { userId, orgId, regionId, role }, expiresInSeconds = 12 * 3600) {
  const privateKey = await jose.importJWK(key.privateJwk, 'ES256');
  const now = Math.floor(Date.now() / 1000);
  const token = await new jose.SignJWT({ org: orgId, region: regionId, role })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInSeconds)
    .sign(privateKey);
  return { token, expiresAt: new Date((now + expiresInSeconds) * 1000).toISOString() };
}

/** Serves the JWKS on 127.0.0.1:port; resolves with the server and the JWKS URL. */
function serveJwks(key, port) {
  const body = JSON.stringify({ keys: [publicJwkOf(key)] });
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && url === JWKS_PATH) {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' }).end(body);
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve({ server, jwksUrl: `http://127.0.0.1:${server.address().port}${JWKS_PATH}` });
    });
  });
}

module.exports = { DEV_ISSUER, DEV_AUDIENCE, generateIssuerKey, publicJwkOf, mintAccessToken, serveJwks };
