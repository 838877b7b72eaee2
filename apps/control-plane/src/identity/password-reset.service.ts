import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { AdminAuditService } from '../audit/admin-audit.service';
import { ErrorCode, fail } from '../common/errors';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { MailOutbox } from '../mail/mail-outbox';
import { passwordResetMail } from '../mail/mail-templates';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { IdentityService } from './identity.service';
import { PasswordHasher } from './password-hasher';
import { assertAcceptablePassword } from './password-policy';
import { PasswordResetRepository } from './password-reset.repository';
import { UsersRepository } from './users.repository';

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

/** What every reset request is answered, whether or not the email has an account. */
export const PASSWORD_RESET_ACCEPTED = { message: 'If an account exists for this address, we have sent a link to reset its password' };

/**
 * Forgotten passwords: a single-use link by email, then a new password.
 *
 * A request is answered at once and its work (finding the account, storing a token, queuing the
 * mail) runs after the answer, so a known and an unknown email are answered alike in body,
 * status and time. No link goes to an unknown address, a disabled (or still provisioning)
 * identity, or a member of a suspended or deleting organization. The token is 32 random bytes
 * (base64url), stored only as its SHA-256, valid PASSWORD_RESET_TTL_MINUTES, and a newer request
 * spends the older ones.
 *
 * Confirming spends the token and sets the password in one transaction (of concurrent
 * confirmations exactly one succeeds), clears a temporary password and the lockout, and ends every
 * session of the user.
 */
@Injectable()
export class PasswordResetService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(PasswordResetService.name);
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly resets: PasswordResetRepository,
    private readonly users: UsersRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly identity: IdentityService,
    private readonly hasher: PasswordHasher,
    private readonly mail: MailOutbox,
    private readonly audit: AdminAuditService,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {}

  /** Starts the request's work and returns before it is done (see the class). */
  request(email: string): void {
    const work = this.issue(email)
      .catch((err: unknown) => this.logger.error({ err: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }, 'password reset request failed'))
      .finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  /** Resolves once every request started so far is done (shutdown; tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  /** Requests still at work finish before any module shuts down (the database, the mail queue). */
  beforeApplicationShutdown(): Promise<void> {
    return this.settled();
  }

  private async issue(email: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user || user.status !== 'active') return;
    if (user.organizationId) {
      const org = await this.organizations.findById(user.organizationId);
      if (!org || org.status === 'suspended' || org.status === 'deleting') return;
    }
    const token = randomBytes(32).toString('base64url');
    const ttlMinutes = this.config.passwordReset.ttlMinutes;
    await this.resets.replace({ id: randomUUID(), userId: user.id, tokenHash: sha256(token), ttlMinutes });
    const link = `${this.config.consoleUrl}/reset-password?token=${token}`;
    await this.mail.enqueue(passwordResetMail({ to: user.email, userId: user.id, name: user.name, link, ttlMinutes }));
  }

  async confirm(token: string, newPassword: string): Promise<void> {
    const tokenHash = sha256(token);
    const userId = await this.resets.findLiveUser(tokenHash);
    const user = userId ? await this.users.findById(userId) : null;
    if (!user || user.status !== 'active') throw this.invalid();
    assertAcceptablePassword(newPassword, user.email);
    // Checked above without spending the token, so a refused password leaves the link working.
    if (!(await this.resets.spendAndSetPassword(tokenHash, user.id, await this.hasher.hash(newPassword)))) throw this.invalid();
    await this.identity.endAllSessions(user.id);
    await this.audit.record(user.id, 'user.password_reset', 'user', user.id, { by: 'email_link' });
  }

  private invalid() {
    return fail(ErrorCode.ResetTokenInvalid, 'This password reset link is invalid, expired or already used; ask for a new one');
  }
}
