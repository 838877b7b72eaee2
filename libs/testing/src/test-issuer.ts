import { randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, JWK, KeyLike, SignJWT } from 'jose';

export interface MintOptions {
  /** Seconds until expiry (negative: already expired). */
  expiresIn?: number;
  issuer?: string;
  audience?: string;
  kid?: string;
}

export const TEST_ISSUER = 'https://console.medgenie.test';
export const TEST_AUDIENCE = 'medgenie-api';

/**
 * Stands in for the control plane's token issuer in tests: a real ES256 key pair whose public
 * half is served as a JWKS over HTTP, and real signed tokens.
 */
export class TestIssuer {
  private server?: Server;
  private constructor(
    private readonly privateKey: KeyLike,
    readonly publicJwk: JWK,
    readonly kid: string,
  ) {}

  jwksUrl = '';
  /** Answer the JWKS endpoint with 503, as a control plane that is down would. */
  unavailable = false;
  jwksRequests = 0;

  static async create(): Promise<TestIssuer> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = `test-${Date.now().toString(36)}`;
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    const issuer = new TestIssuer(privateKey, publicJwk, kid);
    await issuer.listen();
    return issuer;
  }

  private listen(): Promise<void> {
    this.server = createServer((req, res) => {
      this.jwksRequests += 1;
      if (this.unavailable) {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [this.publicJwk] }));
    });
    return new Promise((resolve) => {
      this.server!.listen(0, '127.0.0.1', () => {
        this.jwksUrl = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/.well-known/jwks.json`;
        resolve();
      });
    });
  }

  async mint(claims: Record<string, unknown>, options: MintOptions = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? this.kid, typ: 'JWT' })
      .setIssuer(options.issuer ?? TEST_ISSUER)
      .setAudience(options.audience ?? TEST_AUDIENCE)
      .setIssuedAt(now - 1)
      .setExpirationTime(now + (options.expiresIn ?? 900))
      .sign(this.privateKey);
  }

  /** An access token for a member of an org in a region. */
  userToken(user: { userId: string; orgId: string; regionId: string; role: string; sessionId?: string }, options?: MintOptions): Promise<string> {
    return this.mint({ sub: user.userId, org: user.orgId, region: user.regionId, role: user.role, sid: user.sessionId ?? randomUUID() }, options);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections(); // keep-alive sockets from the key fetchers
    });
  }
}
