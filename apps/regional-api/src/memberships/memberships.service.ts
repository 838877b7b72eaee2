import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { TransactionHost } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { ErrorCode, fail } from '../common/errors';
import { Membership, MembershipClinic } from './membership.entity';

export interface MembershipView {
  id: string;
  userId: string;
  role: string;
  displayName: string;
  email: string | null;
  isActive: boolean;
  /** '*' for org admins (every clinic), else the clinics granted. */
  clinicIds: '*' | string[];
  createdAt: Date;
  updatedAt: Date;
}

@Injectable()
export class MembershipsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly context: RequestContext,
  ) {}

  async list(): Promise<MembershipView[]> {
    const members = await this.tx.manager.getRepository(Membership).find({
      where: { organizationId: this.context.orgId },
      order: { displayName: 'ASC', id: 'ASC' },
    });
    return this.withClinics(members);
  }

  async get(id: string): Promise<MembershipView> {
    const member = await this.tx.manager.getRepository(Membership).findOneBy({ organizationId: this.context.orgId, id });
    if (!member) throw fail(ErrorCode.MembershipNotFound, 'Membership not found');
    return (await this.withClinics([member]))[0];
  }

  private async withClinics(members: Membership[]): Promise<MembershipView[]> {
    if (members.length === 0) return [];
    const grants = await this.tx.manager.getRepository(MembershipClinic).find({
      where: { organizationId: this.context.orgId, membershipId: In(members.map((m) => m.id)) },
    });
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
