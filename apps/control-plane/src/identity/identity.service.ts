import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@medgenie/http';
import { ErrorCode, fail } from '../common/errors';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { KeysService } from '../keys/keys.service';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { ChangePasswordDto, LoginDto, TokenPair } from './dto/auth.dto';
import { PasswordHasher } from './password-hasher';
import { assertAcceptablePassword } from './password-policy';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

/** Identity: login with lockout, access tokens, rotating refresh tokens with reuse detection. */
@Injectable()
export class IdentityService {
  constructor(
    private readonly users: UsersRepository,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly keys: KeysService,
    private readonly hasher: PasswordHasher,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {}

  async login(dto: LoginDto): Promise<TokenPair> {
    const user = await this.checkPassword(dto.email, dto.password);
    if (user.mustChangePassword) {
      throw fail(ErrorCode.PasswordChangeRequired, 'Change the temporary password first (POST /v1/auth/password)');
    }
    return this.issue(user, randomUUID());
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const hash = sha256(refreshToken);
    const used = await this.refreshTokens.spend(hash);
    if (!used) {
      const known = await this.refreshTokens.findByHash(hash);
      if (known?.usedAt) {
        // A rotated-out token came back: someone holds a copy. End the whole session family.
        await this.refreshTokens.revokeFamily(known.familyId);
        throw fail(ErrorCode.RefreshTokenReused, 'This refresh token was already used; the session has been ended');
      }
      throw fail(ErrorCode.InvalidRefreshToken, 'The refresh token is invalid or expired');
    }
    const user = await this.users.findById(used.userId);
    if (!user || user.status === 'disabled') throw fail(ErrorCode.InvalidRefreshToken, 'The refresh token is invalid or expired');
    return this.issue(user, used.familyId);
  }

  async logout(refreshToken: string): Promise<void> {
    const known = await this.refreshTokens.findByHash(sha256(refreshToken));
    if (known) await this.refreshTokens.revokeFamily(known.familyId);
  }

  /** A new password ends every session of the user. */
  async changePassword(dto: ChangePasswordDto): Promise<void> {
    const user = await this.checkPassword(dto.email, dto.currentPassword);
    assertAcceptablePassword(dto.newPassword, user.email);
    if (dto.newPassword === dto.currentPassword) throw fail(ErrorCode.WeakPassword, 'The new password must differ from the current one');
    await this.users.setPassword(user.id, await this.hasher.hash(dto.newPassword));
  }

  /** Checks email and password with lockout and backoff; the same answer for unknown emails. */
  private async checkPassword(email: string, password: string): Promise<User> {
    const user = await this.users.findByEmail(email);
    if (!user) {
      await this.hasher.verifyNothing(password);
      throw fail(ErrorCode.InvalidCredentials, 'Email or password is incorrect');
    }
    if (user.lockedUntil && user.lockedUntil.getTime() > Date.now()) throw this.locked(user.lockedUntil);
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      const lockedUntil = await this.users.recordFailedLogin(user.id, this.config.lockout);
      if (lockedUntil && lockedUntil.getTime() > Date.now()) throw this.locked(lockedUntil);
      throw fail(ErrorCode.InvalidCredentials, 'Email or password is incorrect');
    }
    if (user.status === 'disabled') throw fail(ErrorCode.InvalidCredentials, 'Email or password is incorrect');
    if (user.failedLogins > 0) await this.users.update(user.id, { failedLogins: 0, lockedUntil: null });
    return user;
  }

  private locked(until: Date): DomainError {
    const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
    return fail(ErrorCode.AccountLocked, `Too many failed attempts; try again in ${seconds} s`, seconds);
  }

  /** Access token + a new refresh token in the given family. */
  async issue(user: User, familyId: string): Promise<TokenPair> {
    const claims: Record<string, unknown> = { sub: user.id, role: user.role };
    if (user.organizationId) {
      const org = await this.organizations.findById(user.organizationId);
      if (!org) throw fail(ErrorCode.InvalidCredentials, 'Email or password is incorrect');
      if (org.status === 'suspended' || org.status === 'deleting') {
        throw fail(ErrorCode.OrganizationNotActive, `Your organization is ${org.status}`);
      }
      claims.org = org.id;
      claims.region = org.regionId;
    }
    const ttl = this.config.tokens.accessTtlSeconds;
    const accessToken = await this.keys.sign(claims, ttl);
    const refreshToken = `rt_${randomBytes(32).toString('base64url')}`;
    await this.refreshTokens.insert({
      id: randomUUID(),
      userId: user.id,
      familyId,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(Date.now() + this.config.tokens.refreshTtlSeconds * 1000),
      usedAt: null,
      revokedAt: null,
    });
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: ttl };
  }
}
