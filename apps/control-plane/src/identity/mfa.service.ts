import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@medgenie/http';
import { AdminAuditService } from '../audit/admin-audit.service';
import { ErrorCode, fail } from '../common/errors';
import { Principal } from '../common/principal';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { KeyEncryption } from '../keys/key-encryption';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { LoginMfaDto, MfaChallengeAnswer, MfaDisableDto, MfaEnrollmentAnswer, MfaRecoveryCodes, MfaSetup, MfaStatus } from './dto/mfa.dto';
import { MfaChallengePurpose } from './mfa.entity';
import { EndedSessionsDelivery } from './ended-sessions.delivery';
import { MfaRepository } from './mfa.repository';
import { PasswordHasher } from './password-hasher';
import { Totp } from './totp';
import { isShut, User } from './user.entity';
import { UsersRepository } from './users.repository';

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

/** How long a login challenge lives, and how many codes may be tried on it. */
export const MFA_CHALLENGE_TTL_SECONDS = 5 * 60;
export const MFA_CHALLENGE_MAX_ATTEMPTS = 5;
/** How long an enrolment token lives (time to install an app and scan the code). */
export const MFA_ENROLLMENT_TTL_SECONDS = 10 * 60;
export const RECOVERY_CODE_COUNT = 10;

/** Recovery codes: 16 characters of RFC 4648 base32 (80 bits), shown as XXXX-XXXX-XXXX-XXXX. */
const RECOVERY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const normaliseRecoveryCode = (code: string) => code.toUpperCase().replace(/[^A-Z0-9]/g, '');

/** The user an enrolment token was given to, and the token's row (spent at activation). */
export interface EnrollmentActor {
  userId: string;
  challengeId: string;
}

/**
 * Multi-factor authentication: TOTP (RFC 6238, otplib) with single-use recovery codes.
 *
 * Enrolment: setup hands out a secret (kept sealed, pending), activation proves the app has it with
 * a code and turns MFA on with 10 recovery codes (shown once, kept as SHA-256). Login: after the
 * password, a user with MFA gets a challenge (5 minutes, bound to the user, 5 attempts) to complete
 * with a code or a recovery code; a user who must have MFA and has none gets an enrolment token that
 * only sets it up. Every second-factor check is claimed on the user's counter of wrong codes before
 * it is made (so parallel guesses past the lockout threshold are never checked, and the account is
 * then locked as for wrong passwords); a code is accepted once (its time step is remembered) and a
 * recovery code is spent once.
 */
@Injectable()
export class MfaService {
  private readonly sealing: KeyEncryption;

  constructor(
    private readonly mfa: MfaRepository,
    private readonly users: UsersRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly hasher: PasswordHasher,
    private readonly totp: Totp,
    private readonly audit: AdminAuditService,
    private readonly delivery: EndedSessionsDelivery,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {
    this.sealing = new KeyEncryption(config.keys.encryptionSecret, 'mfa');
  }

  /**
   * What login answers once the password proved right, instead of tokens: a challenge for a user
   * with MFA, an enrolment token for one who must have it and has not; null: no second step.
   */
  async loginStep(user: User): Promise<MfaChallengeAnswer | MfaEnrollmentAnswer | null> {
    if (user.mfaEnabledAt && user.mfaSecretEncrypted) {
      const challengeToken = await this.newChallenge(user.id, 'login', 'mfc', MFA_CHALLENGE_TTL_SECONDS);
      return { mfaRequired: true, challengeToken, expiresIn: MFA_CHALLENGE_TTL_SECONDS };
    }
    if (await this.isRequired(user)) {
      const enrollmentToken = await this.newChallenge(user.id, 'enrollment', 'mfe', MFA_ENROLLMENT_TTL_SECONDS);
      return { mfaEnrollmentRequired: true, enrollmentToken, expiresIn: MFA_ENROLLMENT_TTL_SECONDS };
    }
    return null;
  }

  /**
   * The second step of a login: the user whose challenge this is, once a code or a recovery code
   * proved right (the challenge is then spent). The account's lock is claimed first (ACCOUNT_LOCKED,
   * nothing checked), then one of the challenge's attempts (MFA_CHALLENGE_INVALID once it has none).
   */
  async completeLogin(dto: LoginMfaDto): Promise<User> {
    if ((dto.code === undefined) === (dto.recoveryCode === undefined)) {
      throw fail(ErrorCode.ValidationFailed, 'Give either code (from the authenticator app) or recoveryCode');
    }
    const challenge = await this.mfa.findLiveChallenge(sha256(dto.challengeToken), 'login');
    const user = challenge ? await this.users.findById(challenge.userId) : null;
    if (!challenge || !user || isShut(user) || !user.mfaEnabledAt || !user.mfaSecretEncrypted) throw this.challengeInvalid();
    const claim = await this.mfa.claimCodeCheck(user.id, this.config.lockout);
    if (!claim.claimed) throw this.locked(claim.lockedUntil);
    if (!(await this.mfa.claimChallengeAttempt(challenge.id, MFA_CHALLENGE_MAX_ATTEMPTS))) throw this.challengeInvalid();
    const proved = dto.code !== undefined ? await this.acceptCode(user, dto.code) : await this.mfa.useRecoveryCode(user.id, sha256(normaliseRecoveryCode(dto.recoveryCode!)));
    if (!proved) throw this.wrongCode(claim.lockedUntil);
    if (!(await this.mfa.consumeChallenge(challenge.id))) throw this.challengeInvalid();
    await this.mfa.clearFailedCodes(user.id);
    return user;
  }

  /** The user an enrolment token (`mfe_…`) was given to, while it is live and unspent. */
  async enrollmentActor(token: string): Promise<EnrollmentActor> {
    const challenge = await this.mfa.findLiveChallenge(sha256(token), 'enrollment');
    if (!challenge) throw fail(ErrorCode.Unauthenticated, 'The enrolment token is invalid or expired; sign in again');
    return { userId: challenge.userId, challengeId: challenge.id };
  }

  async status(userId: string): Promise<MfaStatus> {
    const user = await this.user(userId);
    const enabled = !!user.mfaEnabledAt;
    return { enabled, required: await this.isRequired(user), recoveryCodesLeft: enabled ? await this.mfa.countRecoveryCodesLeft(user.id) : 0 };
  }

  /**
   * A new pending secret (an earlier pending one stops counting); MFA_ALREADY_ENABLED while MFA is on.
   * With an access token (not an enrolment token, which a password just earned) the password is
   * asked again, so a stolen token cannot put its holder's authenticator on the account: the
   * check is claimed like a login's, so it cannot be used to guess the password either.
   */
  async setup(userId: string, enrolling: boolean, password?: string): Promise<MfaSetup> {
    const user = await this.user(userId);
    if (!enrolling) {
      if (password === undefined) throw fail(ErrorCode.ValidationFailed, 'Give your password to set up two-step verification');
      const claim = await this.users.claimPasswordCheck(user.id, this.config.lockout);
      if (!claim.claimed) throw this.locked(claim.lockedUntil);
      if (!(await this.hasher.verify(user.passwordHash, password))) throw fail(ErrorCode.InvalidCredentials, 'The password is not right');
      await this.users.clearFailedLogins(user.id);
    }
    const secret = this.totp.newSecret();
    if (user.mfaEnabledAt || !(await this.mfa.setPendingSecret(user.id, this.sealing.encrypt(secret)))) {
      throw fail(ErrorCode.MfaAlreadyEnabled, 'MFA is already on; turn it off first to enrol another app');
    }
    return { secret, otpauthUri: this.totp.uri(secret, user.email) };
  }

  /** Turns MFA on once a code of the pending secret proves the app has it; the recovery codes, once. */
  async activate(userId: string, code: string, enrollment?: EnrollmentActor): Promise<MfaRecoveryCodes> {
    const user = await this.user(userId);
    if (user.mfaEnabledAt) throw fail(ErrorCode.MfaAlreadyEnabled, 'MFA is already on');
    const pending = user.mfaPendingSecretEncrypted;
    if (!pending) throw fail(ErrorCode.MfaNotPending, 'Nothing to activate: call POST /v1/auth/mfa/setup first');
    const step = this.totp.verify(this.sealing.decrypt(pending), code, null);
    if (step === null) throw fail(ErrorCode.MfaCodeInvalid, 'The code is not right; check the app and the device clock');
    const codes = this.newRecoveryCodes();
    if (!(await this.mfa.activate(user.id, pending, step, codes.map((c) => sha256(normaliseRecoveryCode(c))), enrollment?.challengeId))) {
      throw fail(ErrorCode.MfaNotPending, 'The pending secret changed (another setup) or MFA was turned on meanwhile');
    }
    await this.audit.record(user.id, 'mfa.enable', 'user', user.id);
    return { recoveryCodes: codes };
  }

  /** New recovery codes (the old ones stop working), proved with a current code. */
  async regenerateRecoveryCodes(userId: string, code: string): Promise<MfaRecoveryCodes> {
    const user = await this.enabledUser(userId);
    await this.prove(user, () => this.acceptCode(user, code));
    const codes = this.newRecoveryCodes();
    await this.mfa.replaceRecoveryCodes(user.id, codes.map((c) => sha256(normaliseRecoveryCode(c))));
    await this.audit.record(user.id, 'mfa.recovery_codes', 'user', user.id);
    return { recoveryCodes: codes };
  }

  /** Turns MFA off, proved with a code, a recovery code or the password; MFA_REQUIRED where it is required. */
  async disable(userId: string, dto: MfaDisableDto): Promise<void> {
    const given = [dto.code, dto.recoveryCode, dto.password].filter((v) => v !== undefined).length;
    if (given !== 1) throw fail(ErrorCode.ValidationFailed, 'Give one of code, recoveryCode or password');
    const user = await this.enabledUser(userId);
    if (await this.isRequired(user)) throw fail(ErrorCode.MfaRequired, 'MFA is required for this account and cannot be turned off');
    await this.prove(user, async () => {
      if (dto.code !== undefined) return this.acceptCode(user, dto.code);
      if (dto.recoveryCode !== undefined) return this.mfa.useRecoveryCode(user.id, sha256(normaliseRecoveryCode(dto.recoveryCode)));
      return this.hasher.verify(user.passwordHash, dto.password!);
    });
    await this.mfa.disable(user.id);
    await this.audit.record(user.id, 'mfa.disable', 'user', user.id);
  }

  /**
   * An org admin turns a member's MFA off (a lost phone and lost recovery codes): the secret and the
   * codes go, and the member's sessions end; where the org requires MFA, the member enrols again at
   * the next login. Only a member of the admin's own org (anyone else: MEMBER_NOT_FOUND), and never
   * the admin's own MFA (that needs a proof: DELETE /v1/auth/mfa).
   */
  async resetForMember(caller: Principal, userId: string): Promise<void> {
    const member = await this.users.findById(userId);
    if (!member || member.organizationId === null || member.organizationId !== caller.orgId) {
      throw fail(ErrorCode.MemberNotFound, 'No member with this id in your organization');
    }
    if (member.id === caller.userId) throw fail(ErrorCode.ValidationFailed, 'Your own MFA is turned off with a proof: DELETE /v1/auth/mfa');
    if (!member.mfaEnabledAt && !member.mfaPendingSecretEncrypted) throw fail(ErrorCode.MfaNotEnabled, 'MFA is not on for this member');
    await this.mfa.disable(member.id);
    await this.users.updateMember(member.id, {}, true);
    await this.delivery.kickWithin(); // the ended sessions reach the region and the gateways now, not at the next sweep
    await this.audit.record(caller.userId, 'member.mfa_reset', 'user', member.id);
  }

  /**
   * The second factor of an account that has one, for what a password alone must not do (changing
   * it): a code or a recovery code, claimed on the code counter. Nothing for an account without MFA.
   */
  async proveSecondFactor(user: User, proof: { code?: string; recoveryCode?: string }): Promise<void> {
    if (!user.mfaEnabledAt) return;
    if ((proof.code === undefined) === (proof.recoveryCode === undefined)) {
      throw fail(ErrorCode.MfaCodeInvalid, 'This account has two-step verification: give a code from the app (code) or a recovery code (recoveryCode)');
    }
    await this.prove(user, async () => {
      if (proof.code !== undefined) return this.acceptCode(user, proof.code);
      return this.mfa.useRecoveryCode(user.id, sha256(normaliseRecoveryCode(proof.recoveryCode!)));
    });
  }

  /** Whether MFA is required of the user: a platform admin (unless configured off), or a member of an org that requires it. */
  private async isRequired(user: User): Promise<boolean> {
    if (user.role === 'platform_admin') return this.config.mfa.platformAdminRequired;
    if (!user.organizationId) return false;
    return (await this.organizations.findById(user.organizationId))?.mfaRequired ?? false;
  }

  /** A second-factor check outside login: claimed on the same counter, so it cannot be used to guess either. */
  private async prove(user: User, check: () => Promise<boolean>): Promise<void> {
    const claim = await this.mfa.claimCodeCheck(user.id, this.config.lockout);
    if (!claim.claimed) throw this.locked(claim.lockedUntil);
    if (!(await check())) throw this.wrongCode(claim.lockedUntil);
    await this.mfa.clearFailedCodes(user.id);
  }

  /** Whether `code` is the user's current code, never accepted before (its step is then recorded, atomically). */
  private async acceptCode(user: User, code: string): Promise<boolean> {
    if (!user.mfaSecretEncrypted) return false;
    const step = this.totp.verify(this.sealing.decrypt(user.mfaSecretEncrypted), code, user.mfaLastStep === null ? null : Number(user.mfaLastStep));
    return step !== null && (await this.mfa.acceptStep(user.id, step));
  }

  private async newChallenge(userId: string, purpose: MfaChallengePurpose, prefix: string, ttlSeconds: number): Promise<string> {
    const token = `${prefix}_${randomBytes(32).toString('base64url')}`;
    await this.mfa.insertChallenge({ id: randomUUID(), userId, purpose, tokenHash: sha256(token), expiresAt: new Date(Date.now() + ttlSeconds * 1000) });
    return token;
  }

  private newRecoveryCodes(): string[] {
    return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
      const chars = Array.from({ length: 16 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join('');
      return chars.match(/.{4}/g)!.join('-');
    });
  }

  private async user(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user || isShut(user)) throw fail(ErrorCode.Unauthenticated, 'The account is not active');
    return user;
  }

  private async enabledUser(userId: string): Promise<User> {
    const user = await this.user(userId);
    if (!user.mfaEnabledAt) throw fail(ErrorCode.MfaNotEnabled, 'MFA is not on for this account');
    return user;
  }

  private challengeInvalid(): DomainError {
    return fail(ErrorCode.MfaChallengeInvalid, 'The MFA challenge is invalid, expired or out of attempts; sign in again');
  }

  /** A wrong code: the locked answer if this very attempt locked the account, else MFA_CODE_INVALID. */
  private wrongCode(lockedUntil: Date | null): DomainError {
    if (lockedUntil && lockedUntil.getTime() > Date.now()) return this.locked(lockedUntil);
    return fail(ErrorCode.MfaCodeInvalid, 'The code is not right (or was already used)');
  }

  private locked(until: Date | null): DomainError {
    const seconds = Math.max(1, Math.ceil(((until?.getTime() ?? 0) - Date.now()) / 1000));
    return fail(ErrorCode.AccountLocked, `Too many failed attempts; try again in ${seconds} s`, seconds);
  }
}
