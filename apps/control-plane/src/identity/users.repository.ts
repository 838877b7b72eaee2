import { Injectable } from '@nestjs/common';
import { DataSource, In, Not, Repository } from 'typeorm';
import { EndedSessionsRepository } from './ended-sessions.repository';
import { claimValues, LockoutClaim, lockoutClaim, LockoutPolicy, nextLock } from './lockout';
import { User, UserRole } from './user.entity';

/** What a new identity is created with (the table's defaults fill the rest). */
export type NewUser = Pick<
  User,
  'id' | 'email' | 'passwordHash' | 'name' | 'organizationId' | 'role' | 'status' | 'clinicIds' | 'mustChangePassword' | 'failedLogins' | 'lockedUntil'
>;

/** Counts a failed password in advance, unless the account is locked (see claimPasswordCheck). */
const CLAIM_PASSWORD_CHECK = `update users set failed_logins = failed_logins + 1, locked_until = ${nextLock('failed_logins', 'locked_until')}
  where id = $1 and (locked_until is null or locked_until <= now())
  returning locked_until`;
/** The same for an email with no account, keyed by its hash (see claimUnknownEmailCheck). */
const CLAIM_UNKNOWN_EMAIL_CHECK = `insert into unknown_login_failures as f (email_hash, failed_logins, locked_until)
  values ($1, 1, case when 1 >= $2::int then now() + make_interval(secs => least($3::float8, $4::float8)) end)
  on conflict (email_hash) do update
     set failed_logins = f.failed_logins + 1, locked_until = ${nextLock('f.failed_logins', 'f.locked_until')}, updated_at = now()
   where f.locked_until is null or f.locked_until <= now()
  returning locked_until`;

/** The identities (users) table. Emails are matched case-insensitively, as the unique index is. */
@Injectable()
export class UsersRepository {
  private readonly users: Repository<User>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly endedSessions: EndedSessionsRepository,
  ) {
    this.users = dataSource.getRepository(User);
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.createQueryBuilder('u').where('lower(u.email) = :email', { email: email.toLowerCase() }).getOne();
  }

  existsByEmail(email: string): Promise<boolean> {
    return this.users.createQueryBuilder('u').where('lower(u.email) = :email', { email: email.toLowerCase() }).getExists();
  }

  /** The org's members, by name. */
  listByOrganization(organizationId: string): Promise<User[]> {
    return this.users.find({ where: { organizationId }, order: { name: 'ASC' } });
  }

  /** The org's identities counted by role and status (the console's organization page). */
  async countsByRoleAndStatus(organizationId: string): Promise<{ role: UserRole; status: User['status']; count: number }[]> {
    return this.dataSource.query(`select role, status, count(*)::int as count from users where organization_id = $1 group by 1, 2 order by 1, 2`, [organizationId]);
  }

  countByRoles(organizationId: string, roles: UserRole[]): Promise<number> {
    return this.users.countBy({ organizationId, role: In(roles) });
  }

  /** The org's first org admin (the one who signed it up). */
  firstOrgAdmin(organizationId: string): Promise<User | null> {
    return this.users.findOne({ where: { organizationId, role: 'org_admin' }, order: { createdAt: 'ASC' } });
  }

  async insert(user: NewUser): Promise<void> {
    await this.users.insert(user);
  }

  /** Inserts the user unless one exists with the same email or id (no error: the other one stays). */
  async insertIfAbsent(user: Pick<User, 'id' | 'email' | 'passwordHash' | 'name' | 'organizationId' | 'role' | 'status'>): Promise<void> {
    await this.users.createQueryBuilder().insert().values(user).orIgnore().execute();
  }

  async update(id: string, patch: Partial<Pick<User, 'status' | 'failedLogins' | 'lockedUntil'>>): Promise<void> {
    await this.users.update({ id }, patch);
  }

  /** How many active org admins the organization has, not counting `exceptUserId`. */
  countActiveOrgAdmins(organizationId: string, exceptUserId: string): Promise<number> {
    return this.users.countBy({ organizationId, role: 'org_admin', status: 'active', id: Not(exceptUserId) });
  }

  /**
   * A member's role, clinics or status change; with `endSessions`, every refresh token of the user
   * is revoked (its sessions ended) in the same transaction (a deactivation, a removal). With `keepAdminOf` (the org of
   * an active admin who stops being one), the change is made only if another active admin remains,
   * counted with their rows locked; false when it was refused.
   */
  async updateMember(id: string, patch: Partial<Pick<User, 'role' | 'clinicIds' | 'status'>>, endSessions: boolean, keepAdminOf?: string): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      if (keepAdminOf !== undefined) {
        // The org's active admins, this one included, locked in one order until this change commits:
        // of two changes that would each leave the other admin alone, the second waits, sees the first
        // and is refused (and locking the same rows in the same order cannot deadlock).
        const admins = (await m.query(`select id from users where organization_id = $1 and role = 'org_admin' and status = 'active' order by id for update`, [
          keepAdminOf,
        ])) as { id: string }[];
        if (!admins.some((a) => a.id !== id)) return false;
      }
      if (Object.keys(patch).length > 0) await m.getRepository(User).update({ id }, patch);
      if (endSessions) await this.endedSessions.endAllOfUser(id, m);
      return true;
    });
  }

  /** A temporary password (to be changed at next login): the lockout is cleared and every session ended, in one transaction. */
  async setTemporaryPassword(id: string, passwordHash: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.getRepository(User).update({ id }, { passwordHash, mustChangePassword: true, passwordChangedAt: new Date(), failedLogins: 0, lockedUntil: null });
      await this.endedSessions.endAllOfUser(id, m);
    });
  }

  /**
   * Brings a removed member back as a new member of the same org: new name, role, clinics and
   * temporary password, active, no lockout, no MFA (secret, recovery codes and challenges go), in
   * one transaction. False when the identity is no longer a removed member of `organizationId`.
   */
  async revive(id: string, organizationId: string, member: Pick<User, 'name' | 'role' | 'clinicIds' | 'passwordHash'>): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      const [rows] = (await m.query(
        `update users set name = $3, role = $4, clinic_ids = $5, password_hash = $6, status = 'active', must_change_password = true,
                password_changed_at = now(), failed_logins = 0, locked_until = null,
                mfa_secret_encrypted = null, mfa_pending_secret_encrypted = null, mfa_enabled_at = null, mfa_last_step = null, mfa_failed_codes = 0
          where id = $1 and organization_id = $2 and status = 'removed'
          returning id`,
        [id, organizationId, member.name, member.role, member.clinicIds, member.passwordHash],
      )) as [{ id: string }[], number];
      if (!rows.length) return false;
      await m.query('delete from mfa_recovery_codes where user_id = $1', [id]);
      await m.query('delete from mfa_challenges where user_id = $1', [id]);
      return true;
    });
  }

  /** Removes an identity still provisioning (never one that became active meanwhile). */
  async deleteProvisioning(id: string): Promise<void> {
    await this.users.delete({ id, status: 'provisioning' });
  }

  /**
   * Claims one password check, in one statement, before the password is verified: counts it as a
   * failure until it proves right (`clearFailedLogins`), and refuses it while the account is
   * locked. The claim that reaches `threshold` locks the account at once, for `baseSeconds`
   * doubling with every further failure, at most `maxSeconds`, so checks in flight beyond the
   * limit are refused before their password is looked at, however many arrive together.
   * `claimed` false: the account was locked (until `lockedUntil`).
   */
  async claimPasswordCheck(id: string, policy: LockoutPolicy): Promise<LockoutClaim> {
    const [rows]: [{ locked_until: Date | null }[], number] = await this.dataSource.query(CLAIM_PASSWORD_CHECK, claimValues(id, policy));
    if (rows.length) return lockoutClaim(rows);
    const [current]: { locked_until: Date | null }[] = await this.dataSource.query('select locked_until from users where id = $1', [id]);
    return lockoutClaim(rows, current);
  }

  /**
   * `claimPasswordCheck` for an email that has no account, by the same rule, keyed by the email's
   * SHA-256: an unknown email locks after as many failures as a known one, so the lock tells
   * nothing. Now and then forgets what has not been touched for a day.
   */
  async claimUnknownEmailCheck(emailHash: string, policy: LockoutPolicy): Promise<LockoutClaim> {
    const rows = (await this.dataSource.query(CLAIM_UNKNOWN_EMAIL_CHECK, claimValues(emailHash, policy))) as { locked_until: Date | null }[];
    if (Math.random() < 0.01) await this.dataSource.query(`delete from unknown_login_failures where updated_at < now() - interval '1 day'`);
    if (rows.length) return lockoutClaim(rows);
    const [current] = (await this.dataSource.query(`select locked_until from unknown_login_failures where email_hash = $1`, [emailHash])) as { locked_until: Date | null }[];
    return lockoutClaim(rows, current);
  }

  /** A password proved right: the failures (its own claim included) and any lock are forgotten. */
  async clearFailedLogins(id: string): Promise<void> {
    await this.users.update({ id }, { failedLogins: 0, lockedUntil: null });
  }

  /** Sets a new password (no longer a temporary one) and ends every session of the user, in one transaction. */
  async setPassword(id: string, passwordHash: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.getRepository(User).update({ id }, { passwordHash, mustChangePassword: false, passwordChangedAt: new Date() });
      await this.endedSessions.endAllOfUser(id, m);
    });
  }
}
