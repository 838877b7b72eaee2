import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { onViolation } from '@medgenie/database';
import { ErrorCode, fail } from '../common/errors';
import { Principal } from '../common/principal';
import { AdminAuditService } from '../audit/admin-audit.service';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { IdentityService } from '../identity/identity.service';
import { PasswordHasher } from '../identity/password-hasher';
import { User, USER_EMAIL_UNIQUE } from '../identity/user.entity';
import { UsersRepository } from '../identity/users.repository';
import { MailOutbox } from '../mail/mail-outbox';
import { temporaryPasswordMail } from '../mail/mail-templates';
import { Organization } from '../organizations/organization.entity';
import { OrganizationsService } from '../organizations/organizations.service';
import { RegionalClient } from '../regional/regional-client';
import { CreatedMember, CreateMemberDto, MemberView, TemporaryPassword, UpdateMemberDto } from './dto/member.dto';

/**
 * An org admin adds a doctor or staff member (seed 002, method 2): the identity here with a
 * temporary password, the membership in the org's region. If the region fails, the identity is
 * removed again, so there is never a user who can log in but belongs nowhere.
 *
 * Changes (role, clinics, deactivation, removal) go to the region first and to the identity here
 * only once the region has taken them: a region that cannot be reached changes nothing (503). A
 * deactivated or removed member is `disabled` here (login and refresh refuse it, its refresh tokens
 * are revoked) and inactive in the region (its membership is kept for the audit trail and reads
 * nothing). Removal deactivates the same way and keeps both rows: the identity stays `disabled` (so
 * the audit trails' references keep a name; its email stays taken). The users table has no
 * `removed` status, so a removed member can be reactivated like a deactivated one. No change may
 * leave the organization without an active org admin (409 LAST_ORG_ADMIN); the check is not
 * serialised against a concurrent change of another admin.
 */
@Injectable()
export class MembersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly organizations: OrganizationsService,
    private readonly regions: RegionalClient,
    private readonly audit: AdminAuditService,
    private readonly identity: IdentityService,
    private readonly mail: MailOutbox,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {}

  async create(caller: Principal, dto: CreateMemberDto): Promise<CreatedMember> {
    const org = await this.organizations.get(caller.orgId!);
    if (org.status !== 'active') throw fail(ErrorCode.OrganizationNotActive, `The organization is ${org.status}`);
    // The plan's doctor limit is the region's to apply (a doctor is a doctor profile, counted and
    // locked there in the transaction that makes it): a refusal comes back as 402 PLAN_LIMIT_REACHED
    // and the identity made here is removed again below.
    const temporaryPassword = randomBytes(12).toString('base64url');
    const returning = await this.users.findByEmail(dto.email);
    if (returning && returning.organizationId === org.id && returning.status === 'removed') return this.readd(caller, org, returning, dto, temporaryPassword);
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
    await this.mailTemporaryPassword(org, { id: userId, email: dto.email, name: dto.name }, temporaryPassword, false);
    return { userId, membershipId, email: dto.email, role: dto.role, temporaryPassword };
  }

  /**
   * A removed member added again (the same email, the same organization): the identity comes back,
   * region first (its membership active again, with the new role and clinics; a plan limit there
   * refuses it as for anyone new), then here, as a new member would be made.
   */
  private async readd(caller: Principal, org: Organization, user: User, dto: CreateMemberDto, temporaryPassword: string): Promise<CreatedMember> {
    const { membershipId } = await this.regions.upsertMembership(org.regionId, org.id, user.id, {
      role: dto.role,
      displayName: dto.name,
      email: user.email,
      clinicIds: dto.clinicIds,
      isActive: true,
    });
    const revived = await this.users.revive(user.id, org.id, { name: dto.name, role: dto.role, clinicIds: dto.clinicIds, passwordHash: await this.hasher.hash(temporaryPassword) });
    if (!revived) throw fail(ErrorCode.EmailTaken, 'An account with this email already exists');
    await this.audit.record(caller.userId, 'member.readd', 'user', user.id, { role: dto.role });
    await this.mailTemporaryPassword(org, { id: user.id, email: user.email, name: dto.name }, temporaryPassword, false);
    return { userId: user.id, membershipId, email: user.email, role: dto.role, temporaryPassword };
  }

  /** The org's members, removed ones left out (their rows stay for the audit trails). */
  async list(caller: Principal) {
    const users = (await this.users.listByOrganization(caller.orgId!)).filter((u) => u.status !== 'removed');
    return users.map((u) => ({ userId: u.id, email: u.email, name: u.name, role: u.role, status: u.status, mustChangePassword: u.mustChangePassword }));
  }

  async update(caller: Principal, userId: string, dto: UpdateMemberDto): Promise<MemberView> {
    if (dto.role === undefined && dto.clinicIds === undefined && dto.active === undefined) {
      throw fail(ErrorCode.ValidationFailed, 'Name at least one of role, clinicIds, active');
    }
    const member = await this.member(caller, userId);
    const role = dto.role ?? (member.role as MemberRole);
    const clinicIds = dto.clinicIds ? [...new Set(dto.clinicIds)] : member.clinicIds;
    const active = dto.active ?? member.status !== 'disabled';
    const leavesAdmins = this.leavesAdmins(member, role === 'org_admin' && active);
    await this.keepAnAdmin(member, leavesAdmins);
    await this.toRegion(member, { role, clinicIds, isActive: active });
    const status = active ? 'active' : 'disabled';
    // A deactivation or a new role ends the member's sessions (their tokens name the old role); new
    // clinics need not: the region reads the clinics a membership grants on every request.
    await this.commit(member, { role, clinicIds, status }, !active || role !== member.role, leavesAdmins);
    const details: Record<string, string | number | boolean> = {};
    if (role !== member.role) details.role = role;
    if (dto.clinicIds) details.clinicCount = clinicIds.length;
    if (status !== member.status) details.status = status;
    await this.audit.record(caller.userId, active ? 'member.update' : 'member.deactivate', 'user', member.id, details);
    return view({ ...member, role, clinicIds, status });
  }

  async remove(caller: Principal, userId: string): Promise<void> {
    const member = await this.member(caller, userId);
    const leavesAdmins = this.leavesAdmins(member, false);
    await this.keepAnAdmin(member, leavesAdmins);
    await this.toRegion(member, { role: member.role as MemberRole, clinicIds: member.clinicIds, isActive: false });
    await this.commit(member, { status: 'removed' }, true, leavesAdmins);
    await this.audit.record(caller.userId, 'member.remove', 'user', member.id, { role: member.role });
  }

  /** A new temporary password, shown once: the member must change it at next login; their sessions end. */
  async resetPassword(caller: Principal, userId: string): Promise<TemporaryPassword> {
    const member = await this.member(caller, userId);
    const temporaryPassword = randomBytes(12).toString('base64url');
    await this.users.setTemporaryPassword(member.id, await this.hasher.hash(temporaryPassword));
    await this.identity.deliverEndedSessions();
    await this.audit.record(caller.userId, 'member.password_reset', 'user', member.id);
    await this.mailTemporaryPassword(await this.organizations.get(member.organizationId!), member, temporaryPassword, true);
    return { userId: member.id, temporaryPassword };
  }

  /** The temporary password goes to the member by email too (queued: the answer never waits for it). */
  private mailTemporaryPassword(org: Organization, member: Pick<User, 'id' | 'email' | 'name'>, temporaryPassword: string, reset: boolean): Promise<void> {
    return this.mail.enqueue(
      temporaryPasswordMail({
        to: member.email,
        userId: member.id,
        name: member.name,
        organizationName: org.name,
        consoleUrl: this.config.consoleUrl,
        temporaryPassword,
        reset,
      }),
    );
  }

  /** A member of the caller's organization; anyone else's user (or no user) is not found. */
  private async member(caller: Principal, userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    // A removed member is no longer one (their identity is kept for the audit trails only).
    if (!user || user.organizationId === null || user.organizationId !== caller.orgId || user.status === 'removed') {
      throw fail(ErrorCode.MemberNotFound, 'No member with this id in your organization');
    }
    return user;
  }

  /** Whether the change takes an active org admin out of the org's admins. */
  private leavesAdmins(member: User, staysActiveAdmin: boolean): boolean {
    return !staysActiveAdmin && member.role === 'org_admin' && member.status === 'active';
  }

  /** Refuses early (before the region is asked) a change that leaves the org no active org admin. */
  private async keepAnAdmin(member: User, leavesAdmins: boolean): Promise<void> {
    if (leavesAdmins && (await this.users.countActiveOrgAdmins(member.organizationId!, member.id)) === 0) {
      throw fail(ErrorCode.LastOrgAdmin, 'The organization would be left without an active org admin');
    }
  }

  /**
   * The change in the control plane, the admin rule checked again with the other admins' rows
   * locked: two admins demoting each other at the same moment cannot both pass. The loser's region
   * change, already made, is put back as it was.
   */
  private async commit(member: User, patch: Partial<Pick<User, 'role' | 'clinicIds' | 'status'>>, endSessions: boolean, leavesAdmins: boolean): Promise<void> {
    if (await this.users.updateMember(member.id, patch, endSessions, leavesAdmins ? member.organizationId! : undefined)) {
      if (endSessions) await this.identity.deliverEndedSessions();
      return;
    }
    await this.toRegion(member, { role: member.role as MemberRole, clinicIds: member.clinicIds, isActive: member.status !== 'disabled' }).catch(() => undefined);
    throw fail(ErrorCode.LastOrgAdmin, 'The organization would be left without an active org admin');
  }

  private async toRegion(member: User, grant: { role: MemberRole; clinicIds: string[]; isActive: boolean }): Promise<void> {
    const org = await this.organizations.get(member.organizationId!);
    await this.regions.upsertMembership(org.regionId, org.id, member.id, {
      role: grant.role,
      displayName: member.name,
      email: member.email,
      clinicIds: grant.clinicIds,
      isActive: grant.isActive,
    });
  }
}

type MemberRole = 'org_admin' | 'doctor' | 'staff';

function view(u: Pick<User, 'id' | 'email' | 'name' | 'role' | 'status' | 'clinicIds' | 'mustChangePassword'>): MemberView {
  return { userId: u.id, email: u.email, name: u.name, role: u.role, status: u.status, clinicIds: u.clinicIds, mustChangePassword: u.mustChangePassword };
}
