import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { onViolation } from '@medgenie/database';
import { ErrorCode, fail } from '../common/errors';
import { Principal } from '../common/principal';
import { PasswordHasher } from '../identity/password-hasher';
import { USER_EMAIL_UNIQUE } from '../identity/user.entity';
import { UsersRepository } from '../identity/users.repository';
import { OrganizationsService } from '../organizations/organizations.service';
import { RegionalClient } from '../regional/regional-client';
import { CreatedMember, CreateMemberDto } from './dto/member.dto';

/**
 * An org admin adds a doctor or staff member (seed 002, method 2): the identity here with a
 * temporary password, the membership in the org's region. If the region fails, the identity is
 * removed again, so there is never a user who can log in but belongs nowhere.
 */
@Injectable()
export class MembersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly organizations: OrganizationsService,
    private readonly regions: RegionalClient,
  ) {}

  async create(caller: Principal, dto: CreateMemberDto): Promise<CreatedMember> {
    const org = await this.organizations.get(caller.orgId!);
    if (org.status !== 'active') throw fail(ErrorCode.OrganizationNotActive, `The organization is ${org.status}`);
    // The plan's doctor limit is the region's to apply (a doctor is a doctor profile, counted and
    // locked there in the transaction that makes it): a refusal comes back as 402 PLAN_LIMIT_REACHED
    // and the identity made here is removed again below.
    const temporaryPassword = randomBytes(12).toString('base64url');
    const userId = randomUUID();
    try {
      await this.users.insert({
        id: userId,
        email: dto.email,
        passwordHash: await this.hasher.hash(temporaryPassword),
        name: dto.name,
        organizationId: org.id,
        role: dto.role,
        status: 'provisioning',
        clinicIds: dto.clinicIds,
        mustChangePassword: true,
        failedLogins: 0,
        lockedUntil: null,
      });
    } catch (err) {
      throw onViolation(err, { [USER_EMAIL_UNIQUE]: () => fail(ErrorCode.EmailTaken, 'An account with this email already exists') });
    }
    let membershipId: string;
    try {
      ({ membershipId } = await this.regions.upsertMembership(org.regionId, org.id, userId, {
        role: dto.role,
        displayName: dto.name,
        email: dto.email,
        clinicIds: dto.clinicIds,
      }));
    } catch (err) {
      await this.users.deleteProvisioning(userId);
      throw err;
    }
    await this.users.update(userId, { status: 'active' });
    return { userId, membershipId, email: dto.email, role: dto.role, temporaryPassword };
  }

  async list(caller: Principal) {
    const users = await this.users.listByOrganization(caller.orgId!);
    return users.map((u) => ({ userId: u.id, email: u.email, name: u.name, role: u.role, status: u.status, mustChangePassword: u.mustChangePassword }));
  }
}
