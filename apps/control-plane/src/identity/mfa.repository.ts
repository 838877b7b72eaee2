import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { MfaChallenge, MfaChallengePurpose, MfaRecoveryCode } from './mfa.entity';
import { User } from './user.entity';
import { claimValues, LockoutClaim, lockoutClaim, LockoutPolicy, nextLock } from './lockout';

/** Counts a wrong second factor in advance, unless the account is locked (see claimCodeCheck). */
const CLAIM_CODE_CHECK = `update users set mfa_failed_codes = mfa_failed_codes + 1, locked_until = ${nextLock('mfa_failed_codes', 'locked_until')}
  where id = $1 and (locked_until is null or locked_until <= now())
  returning locked_until`;

export type NewMfaChallenge = Pick<MfaChallenge, 'id' | 'userId' | 'purpose' | 'tokenHash' | 'expiresAt'>;

/**
 * The SQL of multi-factor authentication: the users' MFA columns, their recovery codes and the
 * challenges between a password and a second factor. Every "spend once" is one conditional update,
 * so of concurrent requests exactly one wins.
 */
@Injectable()
export class MfaRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores a pending secret (replacing an earlier one), unless MFA is already on; false then. */
  async setPendingSecret(userId: string, sealed: string): Promise<boolean> {
    const result = await this.dataSource.getRepository(User).createQueryBuilder().update().set({ mfaPendingSecretEncrypted: sealed }).where('id = :userId and mfa_enabled_at is null', { userId }).execute();
    return !!result.affected;
  }

  /**
   * Turns MFA on with the pending secret `pendingSealed` (still the pending one: a setup in between
   * wins), the step of the code that confirmed it as the last accepted, and new recovery codes; spends
   * the enrolment token if one was used. One transaction; false when the pending secret changed or
   * MFA was turned on meanwhile.
   */
  async activate(userId: string, pendingSealed: string, step: number, recoveryCodeHashes: string[], enrollmentChallengeId?: string): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      const [rows]: [unknown[], number] = await m.query(
        `update users set mfa_secret_encrypted = mfa_pending_secret_encrypted, mfa_pending_secret_encrypted = null,
                mfa_enabled_at = now(), mfa_last_step = $3, mfa_failed_codes = 0
          where id = $1 and mfa_enabled_at is null and mfa_pending_secret_encrypted = $2
          returning id`,
        [userId, pendingSealed, step],
      );
      if (!rows.length) return false;
      await this.replaceCodes(m.getRepository(MfaRecoveryCode), userId, recoveryCodeHashes);
      if (enrollmentChallengeId) await m.getRepository(MfaChallenge).update({ id: enrollmentChallengeId }, { consumedAt: () => 'now()' });
      return true;
    });
  }

  /** Replaces the user's recovery codes (the old ones stop working), in one transaction. */
  async replaceRecoveryCodes(userId: string, hashes: string[]): Promise<void> {
    await this.dataSource.transaction((m) => this.replaceCodes(m.getRepository(MfaRecoveryCode), userId, hashes));
  }

  private async replaceCodes(repo: Repository<MfaRecoveryCode>, userId: string, hashes: string[]): Promise<void> {
    await repo.delete({ userId });
    await repo.insert(hashes.map((codeHash) => ({ id: randomUUID(), userId, codeHash })));
  }

  /** Turns MFA off: the secrets, the last step, the recovery codes and the open challenges go, in one transaction. */
  async disable(userId: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query(
        `update users set mfa_secret_encrypted = null, mfa_pending_secret_encrypted = null, mfa_enabled_at = null,
                mfa_last_step = null, mfa_failed_codes = 0
          where id = $1`,
        [userId],
      );
      await m.getRepository(MfaRecoveryCode).delete({ userId });
      await m.getRepository(MfaChallenge).delete({ userId });
    });
  }

  /**
   * Claims one second-factor check before the code is looked at, as claimPasswordCheck does for
   * passwords but on the user's own counter of wrong codes (a right password does not clear it):
   * counted as a failure until it proves right (`clearFailedCodes`), refused while the account is
   * locked; the claim that reaches the threshold locks the account (password logins included), for
   * `baseSeconds` doubling with every further failure, at most `maxSeconds`. So however many
   * guesses arrive together, at most `threshold` are checked.
   */
  async claimCodeCheck(userId: string, policy: LockoutPolicy): Promise<LockoutClaim> {
    const [rows]: [{ locked_until: Date | null }[], number] = await this.dataSource.query(CLAIM_CODE_CHECK, claimValues(userId, policy));
    if (rows.length) return lockoutClaim(rows);
    const [current]: { locked_until: Date | null }[] = await this.dataSource.query('select locked_until from users where id = $1', [userId]);
    return lockoutClaim(rows, current);
  }

  /** A second factor proved right: its failures (this claim included) and any lock are forgotten. */
  async clearFailedCodes(userId: string): Promise<void> {
    await this.dataSource.query('update users set mfa_failed_codes = 0, failed_logins = 0, locked_until = null where id = $1', [userId]);
  }

  /** Records `step` as the last accepted, if it is later than the last one (one statement): false for a replay. */
  async acceptStep(userId: string, step: number): Promise<boolean> {
    const [rows]: [unknown[], number] = await this.dataSource.query(
      `update users set mfa_last_step = $2
        where id = $1 and mfa_enabled_at is not null and (mfa_last_step is null or mfa_last_step < $2)
        returning id`,
      [userId, step],
    );
    return rows.length > 0;
  }

  /** Spends the recovery code with this hash, if the user has it unspent (one statement): of parallel uses one wins. */
  async useRecoveryCode(userId: string, codeHash: string): Promise<boolean> {
    const [rows]: [unknown[], number] = await this.dataSource.query(
      `update mfa_recovery_codes set used_at = now() where user_id = $1 and code_hash = $2 and used_at is null returning id`,
      [userId, codeHash],
    );
    return rows.length > 0;
  }

  async countRecoveryCodesLeft(userId: string): Promise<number> {
    return this.dataSource.getRepository(MfaRecoveryCode).createQueryBuilder('c').where('c.user_id = :userId and c.used_at is null', { userId }).getCount();
  }

  /** Stores a challenge; the user's challenges that expired more than a day ago are swept on the way. */
  async insertChallenge(challenge: NewMfaChallenge): Promise<void> {
    await this.dataSource.query(`delete from mfa_challenges where user_id = $1 and expires_at < now() - interval '1 day'`, [challenge.userId]);
    await this.dataSource.getRepository(MfaChallenge).insert(challenge);
  }

  /** The unspent, unexpired challenge with this hash and purpose (attempts left or not). */
  findLiveChallenge(tokenHash: string, purpose: MfaChallengePurpose): Promise<MfaChallenge | null> {
    return this.dataSource
      .getRepository(MfaChallenge)
      .createQueryBuilder('c')
      .where('c.token_hash = :tokenHash and c.purpose = :purpose and c.consumed_at is null and c.expires_at > now()', { tokenHash, purpose })
      .getOne();
  }

  /** Claims one attempt on a live challenge that has fewer than `max` (one statement); false once it is spent, expired or out of attempts. */
  async claimChallengeAttempt(id: string, max: number): Promise<boolean> {
    const [rows]: [unknown[], number] = await this.dataSource.query(
      `update mfa_challenges set attempts = attempts + 1
        where id = $1 and consumed_at is null and expires_at > now() and attempts < $2
        returning id`,
      [id, max],
    );
    return rows.length > 0;
  }

  /** Spends a live challenge (one statement): false when another request spent it first, or it expired. */
  async consumeChallenge(id: string): Promise<boolean> {
    const [rows]: [unknown[], number] = await this.dataSource.query(
      `update mfa_challenges set consumed_at = now() where id = $1 and consumed_at is null and expires_at > now() returning id`,
      [id],
    );
    return rows.length > 0;
  }
}
