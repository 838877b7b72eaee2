import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, forbidden } from '@medgenie/http';
import { ErrorCode } from '../common/errors';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { KeysService } from '../keys/keys.service';
import { Organization } from '../organizations/organization.entity';
import { ChangePasswordDto, LoginDto, TokenPair } from './dto/auth.dto';
import { PasswordHasher } from './password-hasher';
import { assertAcceptablePassword } from './password-policy';
import { RefreshToken, User } from './user.entity';

const unauthorized = (code: string, message: string) => new DomainError(code, message, HttpStatus.UNAUTHORIZED);
const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

/** Identity: login with lockout, access tokens, rotating refresh tokens with reuse detection. */
@Injectable()
export class IdentityService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: KeysService,
    private readonly hasher: PasswordHasher,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {}

  async login(dto: LoginDto): Promise<TokenPair> {
    const user = await this.checkPassword(dto.email, dto.password);
    if (user.mustChangePassword) {
      throw forbidden(ErrorCode.PasswordChangeRequired, 'Change the temporary password first (POST /v1/auth/password)');
    }
    return this.issue(user, randomUUID());
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const hash = sha256(refreshToken);
    const [rows]: [{ user_id: string; family_id: string }[], number] = await this.dataSource.query(
      `update refresh_tokens set used_at = now()
        where token_hash = $1 and used_at is null and revoked_at is null and expires_at > now()
        returning user_id, family_id`,
      [hash],
    );
    const used = rows[0];
    if (!used) {
      const known = await this.dataSource.getRepository(RefreshToken).findOneBy({ tokenHash: hash });
      if (known?.usedAt) {
        // A rotated-out token came back: someone holds a copy. End the whole session family.
        await this.revokeFamily(known.familyId);
        throw unauthorized(ErrorCode.RefreshTokenReused, 'This refresh token was already used; the session has been ended');
      }
      throw unauthorized(ErrorCode.InvalidRefreshToken, 'The refresh token is invalid or expired');
    }
    const user = await this.dataSource.getRepository(User).findOneBy({ id: used.user_id });
    if (!user || user.status === 'disabled') throw unauthorized(ErrorCode.InvalidRefreshToken, 'The refresh token is invalid or expired');
    return this.issue(user, used.family_id);
  }

  async logout(refreshToken: string): Promise<void> {
    const known = await this.dataSource.getRepository(RefreshToken).findOneBy({ tokenHash: sha256(refreshToken) });
    if (known) await this.revokeFamily(known.familyId);
  }

  async changePassword(dto: ChangePasswordDto): Promise<void> {
    const user = await this.checkPassword(dto.email, dto.currentPassword);
    assertAcceptablePassword(dto.newPassword, user.email);
    if (dto.newPassword === dto.currentPassword) {
      throw new DomainError(ErrorCode.WeakPassword, 'The new password must differ from the current one', HttpStatus.BAD_REQUEST);
    }
    const passwordHash = await this.hasher.hash(dto.newPassword);
    await this.dataSource.transaction(async (m) => {
      await m.getRepository(User).update({ id: user.id }, { passwordHash, mustChangePassword: false, passwordChangedAt: new Date() });
      await m.query('update refresh_tokens set revoked_at = now() where user_id = $1 and revoked_at is null', [user.id]);
    });
  }

  /** Checks email and password with lockout and backoff; the same answer for unknown emails. */
  private async checkPassword(email: string, password: string): Promise<User> {
    const user = await this.dataSource.getRepository(User).createQueryBuilder('u').where('lower(u.email) = :email', { email }).getOne();
    if (!user) {
      await this.hasher.verifyNothing(password);
      throw unauthorized(ErrorCode.InvalidCredentials, 'Email or password is incorrect');
    }
    if (user.lockedUntil && user.lockedUntil.getTime() > Date.now()) throw this.locked(user.lockedUntil);
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      const lockedUntil = await this.recordFailure(user.id);
      if (lockedUntil) throw this.locked(lockedUntil);
      throw unauthorized(ErrorCode.InvalidCredentials, 'Email or password is incorrect');
    }
    if (user.status === 'disabled') throw unauthorized(ErrorCode.InvalidCredentials, 'Email or password is incorrect');
    if (user.failedLogins > 0) await this.dataSource.getRepository(User).update({ id: user.id }, { failedLogins: 0, lockedUntil: null });
    return user;
  }

  private async recordFailure(userId: string): Promise<Date | null> {
    const { threshold, baseSeconds, maxSeconds } = this.config.lockout;
    const [rows]: [{ locked_until: Date | null }[], number] = await this.dataSource.query(
      `update users set failed_logins = failed_logins + 1,
              locked_until = case when failed_logins + 1 >= $2
                                  then now() + make_interval(secs => least($3 * power(2, failed_logins + 1 - $2), $4))
                                  else locked_until end
        where id = $1 returning locked_until`,
      [userId, threshold, baseSeconds, maxSeconds],
    );
    const until = rows[0]?.locked_until;
    return until && new Date(until).getTime() > Date.now() ? new Date(until) : null;
  }

  private locked(until: Date): DomainError {
    const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
    return new DomainError(ErrorCode.AccountLocked, `Too many failed attempts; try again in ${seconds} s`, HttpStatus.TOO_MANY_REQUESTS, seconds);
  }

  /** Access token + a new refresh token in the given family. */
  async issue(user: User, familyId: string, manager: EntityManager = this.dataSource.manager): Promise<TokenPair> {
    const claims: Record<string, unknown> = { sub: user.id, role: user.role };
    if (user.organizationId) {
      const org = await manager.getRepository(Organization).findOneBy({ id: user.organizationId });
      if (!org) throw unauthorized(ErrorCode.InvalidCredentials, 'Email or password is incorrect');
      if (org.status === 'suspended' || org.status === 'deleting') {
        throw forbidden(ErrorCode.OrganizationNotActive, `Your organization is ${org.status}`);
      }
      claims.org = org.id;
      claims.region = org.regionId;
    }
    const ttl = this.config.tokens.accessTtlSeconds;
    const accessToken = await this.keys.sign(claims, ttl);
    const refreshToken = `rt_${randomBytes(32).toString('base64url')}`;
    await manager.getRepository(RefreshToken).insert({
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

  private async revokeFamily(familyId: string): Promise<void> {
    await this.dataSource.query('update refresh_tokens set revoked_at = now() where family_id = $1 and revoked_at is null', [familyId]);
  }
}
