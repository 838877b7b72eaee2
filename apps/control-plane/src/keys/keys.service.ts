import { randomBytes } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { exportJWK, exportPKCS8, generateKeyPair, importJWK, importPKCS8, JWK, JWTPayload, jwtVerify, KeyLike, SignJWT } from 'jose';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { KeyEncryption } from './key-encryption';
import { SigningKey } from './signing-key.entity';
import { NewSigningKey, SigningKeysRepository } from './signing-keys.repository';

const ALG = 'ES256';
const CACHE_MS = 30_000;

interface ActiveKey {
  kid: string;
  privateKey: KeyLike;
}

/**
 * The control plane's token keys: one active ES256 key signs; after a rotation the previous key
 * stays in the JWKS until every token it signed has expired. Private halves are encrypted at rest.
 */
@Injectable()
export class KeysService implements OnModuleInit {
  private readonly sealing: KeyEncryption;
  private active?: { key: ActiveKey; loadedAt: number };
  private published?: { keys: SigningKey[]; loadedAt: number };
  private readonly verifyKeys = new Map<string, KeyLike>();

  constructor(
    private readonly signingKeys: SigningKeysRepository,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {
    this.sealing = new KeyEncryption(config.keys.encryptionSecret);
  }

  async onModuleInit(): Promise<void> {
    // Another instance may create the first key at the same moment: one of the two stays active.
    if (!(await this.signingKeys.hasActive())) await this.signingKeys.insertFirst(await this.newKey());
  }

  private async newKey(): Promise<NewSigningKey> {
    const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
    const kid = `${new Date().toISOString().slice(0, 10)}-${randomBytes(6).toString('hex')}`;
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
    return {
      kid,
      alg: ALG,
      publicJwk: jwk,
      privateKeyEnc: this.sealing.encrypt(await exportPKCS8(privateKey)),
      retiredAt: null,
      publishUntil: null,
    };
  }

  private async activeKey(): Promise<ActiveKey> {
    if (this.active && Date.now() - this.active.loadedAt < CACHE_MS) return this.active.key;
    const row = await this.signingKeys.findActive();
    const key = { kid: row.kid, privateKey: await importPKCS8(this.sealing.decrypt(row.privateKeyEnc), ALG) };
    this.active = { key, loadedAt: Date.now() };
    return key;
  }

  async sign(claims: JWTPayload, ttlSeconds: number, audience = this.config.tokens.audience): Promise<string> {
    const key = await this.activeKey();
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
      .setIssuer(this.config.tokens.issuer)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .sign(key.privateKey);
  }

  /** Verifies a token this control plane issued (for its own routes). */
  async verify(token: string, audience = this.config.tokens.audience): Promise<JWTPayload> {
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        if (typeof header.kid !== 'string') throw new Error('no kid');
        const cached = this.verifyKeys.get(header.kid);
        if (cached) return cached;
        const jwk = (await this.publishedKeys(true)).find((k) => k.kid === header.kid)?.publicJwk;
        if (!jwk) throw new Error('unknown kid');
        const key = (await importJWK(jwk, ALG)) as KeyLike;
        this.verifyKeys.set(header.kid, key);
        return key;
      },
      { algorithms: [ALG], issuer: this.config.tokens.issuer, audience },
    );
    return payload;
  }

  private async publishedKeys(fresh = false): Promise<SigningKey[]> {
    if (!fresh && this.published && Date.now() - this.published.loadedAt < CACHE_MS) return this.published.keys;
    const keys = await this.signingKeys.listPublished();
    this.published = { keys, loadedAt: Date.now() };
    for (const kid of this.verifyKeys.keys()) if (!keys.some((k) => k.kid === kid)) this.verifyKeys.delete(kid);
    return keys;
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: (await this.publishedKeys()).map((k) => k.publicJwk) };
  }

  /** A new key signs from now on; the old one stays published until its last token expires. */
  async rotate(): Promise<{ kid: string; retiredKid: string | null }> {
    const fresh = await this.newKey();
    const grace = this.config.tokens.accessTtlSeconds + 60;
    const retired = await this.signingKeys.rotate(fresh, grace);
    this.active = undefined;
    this.published = undefined;
    return { kid: fresh.kid, retiredKid: retired };
  }
}
