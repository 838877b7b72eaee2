import { Injectable } from '@nestjs/common';
import { ErrorCode, fail } from '../common/errors';
import { MembershipRow, MembershipsRepository } from './memberships.repository';

export interface MembershipView extends MembershipRow {
  /** '*' for org admins (every clinic), else the clinics granted. */
  clinicIds: '*' | string[];
}

@Injectable()
export class MembershipsService {
  constructor(private readonly memberships: MembershipsRepository) {}

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
