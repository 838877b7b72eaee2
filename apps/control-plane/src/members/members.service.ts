import { randomBytes, randomUUID } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { PLAN_LIMITS, Plan } from '@medgenie/contracts';
import { isUniqueViolation } from '@medgenie/database';
import { conflict, DomainError, forbidden } from '@medgenie/http';
import { ErrorCode } from '../common/errors';
import { Principal } from '../common/principal';
import { PasswordHasher } from '../identity/password-hasher';
import { User } from '../identity/user.entity';
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
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly organizations: OrganizationsService,
    private readonly regions: RegionalClient,
  ) {}

  async create(caller: Principal, dto: CreateMemberDto): Promise<CreatedMember> {
    const org = await this.organizations.get(caller.orgId!);
    if (org.status !== 'active') throw forbidden(ErrorCode.OrganizationNotActive, `The organization is ${org.status}`);
    if (dto.role === 'doctor') {
      const max = PLAN_LIMITS[org.plan as Plan]?.maxDoctors;
      // The org admin who signed up is the org's first doctor (the region gives them a doctor
      // profile at provisioning), so the plan's doctors are the doctors plus that admin: the
      // same count the region applies to its doctor profiles.
      const doctors = await this.dataSource.getRepository(User).countBy({ organizationId: org.id, role: In(['doctor', 'org_admin']) });
      if (max !== null && max !== undefined && doctors >= max) {
        throw new DomainError('PLAN_LIMIT_REACHED', `Your plan allows ${max} doctors; upgrade to add more`, HttpStatus.PAYMENT_REQUIRED);
      }
    }
    const temporaryPassword = randomBytes(12).toString('base64url');
    const userId = randomUUID();
    try {
      await this.dataSource.getRepository(User).insert({
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
      if (isUniqueViolation(err, 'users_email_unique')) throw conflict(ErrorCode.EmailTaken, 'An account with this email already exists');
      throw err;
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
      await this.dataSource.getRepository(User).delete({ id: userId, status: 'provisioning' });
      throw err;
    }
    await this.dataSource.getRepository(User).update({ id: userId }, { status: 'active' });
    return { userId, membershipId, email: dto.email, role: dto.role, temporaryPassword };
  }

  async list(caller: Principal) {
    const users = await this.dataSource.getRepository(User).find({ where: { organizationId: caller.orgId! }, order: { name: 'ASC' } });
    return users.map((u) => ({ userId: u.id, email: u.email, name: u.name, role: u.role, status: u.status, mustChangePassword: u.mustChangePassword }));
  }
}
