import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PLAN_LIMITS } from '@medgenie/contracts';
import { isUniqueViolation, onViolation } from '@medgenie/database';
import { Clock } from '../common/clock';
import { ErrorCode, fail } from '../common/errors';
import { RateLimiter } from '../common/rate-limiter';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { IdentityService } from '../identity/identity.service';
import { PasswordHasher } from '../identity/password-hasher';
import { assertAcceptablePassword } from '../identity/password-policy';
import { User, USER_EMAIL_UNIQUE } from '../identity/user.entity';
import { UsersRepository } from '../identity/users.repository';
import { MailOutbox } from '../mail/mail-outbox';
import { signupAttemptMail, welcomeMail } from '../mail/mail-templates';
import { ORGANIZATION_SLUG_KEY } from '../organizations/organization.entity';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { OrganizationsService } from '../organizations/organizations.service';
import { slugSkeleton } from '../organizations/slug-lookalikes';
import { RegionsService } from '../regions/regions.service';
import { SIGNUP_CHECK_YOUR_EMAIL, SignupCheckYourEmail, SignupDto, SignupResult } from './dto/signup.dto';
import { ProvisioningService } from './provisioning.service';
import { RESERVED_SLUGS } from './reserved-slugs';
import { SignupRepository } from './signup.repository';

/** One "someone tried to sign up with your email" message per account and hour. */
const ATTEMPT_MAIL_LIMIT = { perSecond: 1 / 3600, burst: 1 };

/**
 * Signup (DESIGN.md §6): the org (status provisioning) and its admin identity are created in one
 * control-plane transaction, then the region is asked to hold the org. If the region is down the
 * caller gets 202 and the provisioning worker finishes later; nothing is half-created. The new
 * admin gets a welcome email.
 *
 * An email that already has an account is not told apart by an error: nothing is created, the
 * answer is "check your email" (202), and the account's owner is emailed that someone tried (with
 * the way to sign in or reset the password). The offered password is hashed all the same, so that
 * answer takes about as long as the hashing of a real signup.
 */
@Injectable()
export class SignupService {
  constructor(
    private readonly signups: SignupRepository,
    private readonly users: UsersRepository,
    private readonly regions: RegionsService,
    private readonly hasher: PasswordHasher,
    private readonly identity: IdentityService,
    private readonly provisioning: ProvisioningService,
    private readonly organizations: OrganizationsService,
    private readonly clock: Clock,
    private readonly mail: MailOutbox,
    private readonly limiter: RateLimiter,
    private readonly registry: OrganizationsRepository,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {}

  async signup(dto: SignupDto): Promise<SignupResult | SignupCheckYourEmail> {
    if (RESERVED_SLUGS.has(dto.slug)) throw fail(ErrorCode.SlugReserved, `The name "${dto.slug}" is reserved; choose another`);
    const region = await this.regions.findActive(dto.regionId);
    if (!region) throw fail(ErrorCode.UnknownRegion, `There is no region "${dto.regionId}"`);
    assertAcceptablePassword(dto.adminPassword, dto.adminEmail);
    await this.organizations.assertSlugAvailable(dto.slug);
    const [passwordHash, owner, slugHolder] = await Promise.all([
      this.hasher.hash(dto.adminPassword),
      this.users.findByEmail(dto.adminEmail),
      this.registry.findBySlug(dto.slug),
    ]);
    // A taken slug is answered first, as before (the insert below still catches a concurrent one).
    if (slugHolder) throw this.slugTaken(dto.slug);
    if (owner) return this.emailTaken(owner);

    const orgId = randomUUID();
    const clinicId = randomUUID();
    const userId = randomUUID();
    try {
      await this.signups.createOrganizationWithAdmin(
        {
          id: orgId,
          slug: dto.slug,
          slugSkeleton: slugSkeleton(dto.slug),
          name: dto.organizationName,
          regionId: region.id,
          plan: 'trial',
          status: 'provisioning',
          branding: {},
          primaryClinicId: clinicId,
          primaryClinicName: dto.clinicName,
          provisioningAttempts: 0,
          provisioningError: null,
          // The request itself makes the first attempt; the worker only steps in if that fails.
          nextProvisioningAt: new Date(Date.now() + 60_000),
          trialEndsAt: new Date(this.clock.now().getTime() + (PLAN_LIMITS.trial.trialDays ?? 30) * 86_400_000),
          regionSyncPending: false,
        },
        {
          id: userId,
          email: dto.adminEmail,
          passwordHash,
          name: dto.adminName,
          organizationId: orgId,
          role: 'org_admin',
          status: 'active',
          clinicIds: [],
          mustChangePassword: false,
          failedLogins: 0,
          lockedUntil: null,
        },
      );
    } catch (err) {
      if (isUniqueViolation(err, USER_EMAIL_UNIQUE)) {
        // Taken meanwhile (a concurrent signup with the same email): the same answer as above.
        const winner = await this.users.findByEmail(dto.adminEmail);
        if (winner) return this.emailTaken(winner);
      }
      throw onViolation(err, { [ORGANIZATION_SLUG_KEY]: () => this.slugTaken(dto.slug) });
    }

    // Announced at once: a gateway that cached this host as unknown drops that entry.
    await this.organizations.announce(await this.organizations.get(orgId));
    const active = await this.provisioning.attempt(orgId);
    const user = await this.users.findById(userId);
    if (!user) throw new Error(`the admin identity ${userId} of a new organization is gone`);
    const tokens = await this.identity.issue(user, randomUUID());
    await this.mail.enqueue(
      welcomeMail({ to: user.email, userId: user.id, name: user.name, organizationName: dto.organizationName, consoleUrl: this.config.consoleUrl }),
    );
    return {
      organizationId: orgId,
      clinicId,
      userId,
      status: active ? 'active' : 'provisioning',
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
    };
  }

  private slugTaken(slug: string) {
    return fail(ErrorCode.SlugTaken, `The name "${slug}" is taken`);
  }

  /**
   * Nothing is created; the account's owner hears of the attempt (nothing of what was typed), at
   * most once an hour, so signups with someone's address cannot flood their mailbox. A disabled
   * identity is not written to.
   */
  private async emailTaken(owner: User): Promise<SignupCheckYourEmail> {
    if (owner.status !== 'active') return SIGNUP_CHECK_YOUR_EMAIL;
    if (!(await this.limiter.take(`signup-taken-mail:${owner.id}`, ATTEMPT_MAIL_LIMIT)).allowed) return SIGNUP_CHECK_YOUR_EMAIL;
    await this.mail.enqueue(
      signupAttemptMail({
        to: owner.email,
        userId: owner.id,
        name: owner.name,
        consoleUrl: this.config.consoleUrl,
        resetPageUrl: `${this.config.consoleUrl}/reset-password`,
      }),
    );
    return SIGNUP_CHECK_YOUR_EMAIL;
  }
}
