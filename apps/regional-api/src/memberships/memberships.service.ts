import { Inject, Injectable } from '@nestjs/common';
import { RequestContext } from '@medgenie/tenancy';
import { ErrorCode, fail } from '../common/errors';
import { REGIONAL_CONFIG, RegionalConfig } from '../config/regional.config';
import { MembershipRow, MembershipsRepository, MyClinicRow, MyDoctorRow } from './memberships.repository';

export interface MembershipView extends MembershipRow {
  /** '*' for org admins (every clinic), else the clinics granted. */
  clinicIds: '*' | string[];
}

/** `GET /v1/me`: who the caller is in this organization and region. */
export interface MeView {
  userId: string;
  organizationId: string;
  regionId: string;
  membership: MembershipView;
  /** The active clinics the caller may work in (every one for an org admin). */
  clinics: MyClinicRow[];
  /** The caller's doctor profile, or null. */
  doctor: MyDoctorRow | null;
}

@Injectable()
export class MembershipsService {
  constructor(
    private readonly memberships: MembershipsRepository,
    private readonly context: RequestContext,
    @Inject(REGIONAL_CONFIG) private readonly config: RegionalConfig,
  ) {}

  /** The caller's membership (the one the request's begin statement found active), clinics and doctor profile. */
  async me(): Promise<MeView> {
    const membershipId = this.context.membershipId;
    const [membership, clinics, doctor] = [await this.get(membershipId), await this.memberships.accessibleClinics(), await this.memberships.doctorProfile(membershipId)];
    return { userId: this.context.userId, organizationId: this.context.orgId, regionId: this.config.regionId, membership, clinics, doctor };
  }

  async list(): Promise<MembershipView[]> {
    return this.withClinics(await this.memberships.list());
  }

  async get(id: string): Promise<MembershipView> {
    const member = await this.memberships.findById(id);
    if (!member) throw fail(ErrorCode.MembershipNotFound, 'Membership not found');
    return (await this.withClinics([member]))[0];
  }

  private async withClinics(members: MembershipRow[]): Promise<MembershipView[]> {
    if (members.length === 0) return [];
    const grants = await this.memberships.clinicGrants(members.map((m) => m.id));
    const byMember = new Map<string, string[]>();
    for (const g of grants) byMember.set(g.membershipId, [...(byMember.get(g.membershipId) ?? []), g.clinicId]);
    return members.map((m) => ({
      id: m.id,
      userId: m.userId,
      role: m.role,
      displayName: m.displayName,
      email: m.email,
      isActive: m.isActive,
      clinicIds: m.role === 'org_admin' ? '*' : (byMember.get(m.id) ?? []).sort(),
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
    }));
  }
}
