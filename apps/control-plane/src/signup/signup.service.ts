import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PLAN_LIMITS } from '@medgenie/contracts';
import { onViolation } from '@medgenie/database';
import { Clock } from '../common/clock';
import { ErrorCode, fail } from '../common/errors';
import { IdentityService } from '../identity/identity.service';
import { PasswordHasher } from '../identity/password-hasher';
import { assertAcceptablePassword } from '../identity/password-policy';
import { USER_EMAIL_UNIQUE } from '../identity/user.entity';
import { UsersRepository } from '../identity/users.repository';
import { ORGANIZATION_SLUG_KEY } from '../organizations/organization.entity';
import { OrganizationsService } from '../organizations/organizations.service';
import { slugSkeleton } from '../organizations/slug-lookalikes';
import { RegionsService } from '../regions/regions.service';
import { SignupDto, SignupResult } from './dto/signup.dto';
import { ProvisioningService } from './provisioning.service';
import { RESERVED_SLUGS } from './reserved-slugs';
import { SignupRepository } from './signup.repository';

/**
 * Signup (DESIGN.md §6): the org (status provisioning) and its admin identity are created in one
 * control-plane transaction, then the region is asked to hold the org. If the region is down the
 * caller gets 202 and the provisioning worker finishes later; nothing is half-created.
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
  ) {}

  async signup(dto: SignupDto): Promise<SignupResult> {
    if (RESERVED_SLUGS.has(dto.slug)) throw fail(ErrorCode.SlugReserved, `The name "${dto.slug}" is reserved; choose another`);
    const region = await this.regions.findActive(dto.regionId);
    if (!region) throw fail(ErrorCode.UnknownRegion, `There is no region "${dto.regionId}"`);
    assertAcceptablePassword(dto.adminPassword, dto.adminEmail);
    await this.organizations.assertSlugAvailable(dto.slug);
    const passwordHash = await this.hasher.hash(dto.adminPassword);

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
      throw onViolation(err, {
        [ORGANIZATION_SLUG_KEY]: () => fail(ErrorCode.SlugTaken, `The name "${dto.slug}" is taken`),
        [USER_EMAIL_UNIQUE]: () => fail(ErrorCode.EmailTaken, 'An account with this email already exists'),
      });
    }

    // Announced at once: a gateway that cached this host as unknown drops that entry.
    await this.organizations.announce(await this.organizations.get(orgId));
    const active = await this.provisioning.attempt(orgId);
    const user = await this.users.findById(userId);
    if (!user) throw new Error(`the admin identity ${userId} of a new organization is gone`);
    const tokens = await this.identity.issue(user, randomUUID());
    return {
      organizationId: orgId,
      clinicId,
      userId,
      status: active ? 'active' : 'provisioning',
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
    };
  }
}
