import { Injectable } from '@nestjs/common';
import { AdminAuditService } from '../audit/admin-audit.service';
import { ErrorCode, fail } from '../common/errors';
import { Principal } from '../common/principal';
import { OrganizationSecurity, OrganizationSecurityDto } from './dto/security.dto';
import { OrganizationsRepository } from './organizations.repository';

/**
 * An organization's security policy, read and set by its own org admin (always the caller's org:
 * no org id is taken from the request). Requiring MFA takes effect at each member's next login
 * (members without MFA get an enrolment token instead of tokens); sessions already open are left
 * as they are. Every change is in the admin audit trail.
 */
@Injectable()
export class OrganizationSecurityService {
  constructor(
    private readonly organizations: OrganizationsRepository,
    private readonly audit: AdminAuditService,
  ) {}

  async get(caller: Principal): Promise<OrganizationSecurity> {
    const org = await this.organizations.findById(this.orgOf(caller));
    if (!org) throw fail(ErrorCode.OrganizationNotFound, 'Organization not found');
    return { mfaRequired: org.mfaRequired };
  }

  async set(caller: Principal, dto: OrganizationSecurityDto): Promise<OrganizationSecurity> {
    const orgId = this.orgOf(caller);
    const before = await this.get(caller);
    await this.organizations.update(orgId, { mfaRequired: dto.mfaRequired });
    if (before.mfaRequired !== dto.mfaRequired) {
      await this.audit.record(caller.userId, 'organization.security', 'organization', orgId, { mfaRequired: dto.mfaRequired });
    }
    return { mfaRequired: dto.mfaRequired };
  }

  private orgOf(caller: Principal): string {
    if (!caller.orgId) throw fail(ErrorCode.RoleRequired, 'This action needs an organization');
    return caller.orgId;
  }
}
