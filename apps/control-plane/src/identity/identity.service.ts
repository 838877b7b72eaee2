import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@medgenie/http';
import { ErrorCode, fail } from '../common/errors';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { KeysService } from '../keys/keys.service';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { ChangePasswordDto, LoginDto, TokenPair } from './dto/auth.dto';
import { MfaChallengeAnswer, MfaEnrollmentAnswer } from './dto/mfa.dto';
import { MfaService } from './mfa.service';
import { EndedSessionsDelivery } from './ended-sessions.delivery';
import { EndedSessionsRepository } from './ended-sessions.repository';
import { PasswordHasher } from './password-hasher';
import { assertAcceptablePassword } from './password-policy';
import { NewRefreshToken, RefreshTokensRepository } from './refresh-tokens.repository';
import { isShut, User } from './user.entity';
import { UsersRepository } from './users.repository';

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

/**
 * A spent refresh token presented again within this many seconds of its rotation, while its
 * session has not moved on, lost a race with a concurrent refresh (two tabs, a retry): 401, and
 * the session stays. Later, or once the session moved on, it is reuse.
 */
const REFRESH_RACE_WINDOW_SECONDS = 5;

/** Identity: login with lockout, access tokens, rotating refresh tokens with reuse detection. */
@Injectable()
export class IdentityService {
  constructor(
    private readonly users: UsersRepository,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly keys: KeysService,
    private readonly hasher: PasswordHasher,
    private readonly endedSessions: EndedSessionsRepository,
    private readonly delivery: EndedSessionsDelivery,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
    private readonly mfa: MfaService,
  ) {}

  /**
   * Tokens for a right password, unless a second factor is due (mfa.service.ts): a user with MFA
   * gets a challenge instead (POST /v1/auth/login/mfa), one who must have MFA and has not enrolled an
   * enrolment token. A temporary password is changed first.
   */
  async login(dto: LoginDto): Promise<TokenPair | MfaChallengeAnswer | MfaEnrollmentAnswer> {
    const user = await this.checkPassword(dto.email, dto.password);
    if (user.mustChangePassword) {
      throw fail(ErrorCode.PasswordChangeRequired, 'Change the temporary password first (POST /v1/auth/password)');
    }
    const secondStep = await this.mfa.loginStep(user);
    if (secondStep) return secondStep;
    return this.issue(user, randomUUID());
  }

  /**
   * Rotates a refresh token. Everything that can refuse (the user, the org, signing) runs before
   * the token is spent, and spending it inserts its successor in the same statement, so a refresh
   * that fails leaves the token usable. Of concurrent presentations exactly one wins; the others
   * get 401 without ending the session. A token rotated earlier coming back (its session moved
   * on since, or more than a few seconds ago) is reuse: the whole family is ended.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const hash = sha256(refreshToken);
    const known = await this.refreshTokens.findByHash(hash);
    if (!known || known.revokedAt || known.expiresAt.getTime() <= Date.now()) throw this.invalidRefresh();
    if (known.usedAt) {
      if (await this.refreshTokens.isReuse(hash, REFRESH_RACE_WINDOW_SECONDS)) {
        // A rotated-out token came back: someone holds a copy. End the whole session family.
        await this.endedSessions.endSession(known.familyId);
        await this.delivery.kickWithin();
        throw fail(ErrorCode.RefreshTokenReused, 'This refresh token was already used; the session has been ended');
      }
      throw this.invalidRefresh(); // lost a race with a concurrent refresh of the same token
    }
    const user = await this.users.findById(known.userId);
    if (!user || isShut(user)) throw this.invalidRefresh();
    // A token rotated in while its session was being ended escaped the revocation: its session has still ended.
    if (await this.endedSessions.isEnded(known.familyId)) throw this.invalidRefresh();
    const next = await this.prepare(user, known.familyId);
    if (!(await this.refreshTokens.rotate(hash, next.row))) throw this.invalidRefresh();
    return next.pair;
  }

  private invalidRefresh(): DomainError {
    return fail(ErrorCode.InvalidRefreshToken, 'The refresh token is invalid or expired');
  }

  /**
   * Ends the session: its refresh tokens are revoked and its access tokens refused in the user's
   * region, by the gateways and here, once the answer is given (delivery waited for, bounded).
   */
  async logout(refreshToken: string): Promise<void> {
    const known = await this.refreshTokens.findByHash(sha256(refreshToken));
    if (!known) return;
    await this.endedSessions.endSession(known.familyId);
    await this.delivery.kickWithin();
  }

  /** A new password ends every session of the user, in every region, before the answer. */
  async changePassword(dto: ChangePasswordDto): Promise<void> {
    const user = await this.checkPassword(dto.email, dto.currentPassword);
    // A stolen password alone must not be enough to take the account from its owner.
    await this.mfa.proveSecondFactor(user, dto);
    assertAcceptablePassword(dto.newPassword, user.email);
    if (dto.newPassword === dto.currentPassword) throw fail(ErrorCode.WeakPassword, 'The new password must differ from the current one');
    await this.users.setPassword(user.id, await this.hasher.hash(dto.newPassword));
    await this.delivery.kickWithin();
  }

  /** Ends every session of the user (refresh tokens revoked, access tokens refused everywhere), waiting for delivery, bounded. */
  async endAllSessions(userId: string): Promise<void> {
    await this.endedSessions.endAllOfUser(userId);
    await this.delivery.kickWithin();
  }

  /** Has the session of an access token ended (`sid`)? */
  isSessionEnded(sessionId: string): Promise<boolean> {
    return this.endedSessions.isEnded(sessionId);
  }

  /** Ended sessions recorded by another path (a member deactivated): delivered now rather than at the next sweep. */
  deliverEndedSessions(): Promise<void> {
    return this.delivery.kickWithin();
  }

  /**
   * Checks email and password with lockout and backoff; the same answer for unknown emails. The
   * check is claimed before the password is verified, so once the account is locked no guess is
   * verified, not even one already in flight, and the right password gets the locked answer too.
   */
  private async checkPassword(email: string, password: string): Promise<User> {
    const user = await this.users.findByEmail(email);
    if (!user) {
      // Counted and locked like an account, so neither the answer nor its timing says there is none.
      const claim = await this.users.claimUnknownEmailCheck(sha256(email.toLowerCase()), this.config.lockout);
      if (!claim.claimed) throw this.locked(claim.lockedUntil);
      await this.hasher.verifyNothing(password);
      if (claim.lockedUntil && claim.lockedUntil.getTime() > Date.now()) throw this.locked(claim.lockedUntil);
      throw fail(ErrorCode.InvalidCredentials, 'Email or password is incorrect');
    }
    const claim = await this.users.claimPasswordCheck(user.id, this.config.lockout);
    if (!claim.claimed) throw this.locked(claim.lockedUntil);
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      if (claim.lockedUntil && claim.lockedUntil.getTime() > Date.now()) throw this.locked(claim.lockedUntil);
      throw fail(ErrorCode.InvalidCredentials, 'Email or password is incorrect');
    }
    if (isShut(user)) throw fail(ErrorCode.InvalidCredentials, 'Email or password is incorrect');
    await this.users.clearFailedLogins(user.id);
    return user;
  }

  private locked(until: Date | null): DomainError {
    const seconds = Math.max(1, Math.ceil(((until?.getTime() ?? 0) - Date.now()) / 1000));
    return fail(ErrorCode.AccountLocked, `Too many failed attempts; try again in ${seconds} s`, seconds);
  }

  /** Access token + a new refresh token in the given family. */
  async issue(user: User, familyId: string): Promise<TokenPair> {
    const next = await this.prepare(user, familyId);
    await this.refreshTokens.insert(next.row);
    return next.pair;
  }

  /** The tokens for `user` in `familyId`, and the refresh token's row, not stored yet. */
  private async prepare(user: User, familyId: string): Promise<{ pair: TokenPair; row: NewRefreshToken }> {
    // sid: the session (refresh token family); ending it refuses every access token it issued.
    const claims: Record<string, unknown> = { sub: user.id, role: user.role, sid: familyId };
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
    const row: NewRefreshToken = {
      id: randomUUID(),
      userId: user.id,
      familyId,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(Date.now() + this.config.tokens.refreshTtlSeconds * 1000),
    };
    return { pair: { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: ttl }, row };
  }
}
