import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { User } from '../identity/user.entity';
import { NewUser } from '../identity/users.repository';
import { Organization } from '../organizations/organization.entity';

export type NewOrganization = Omit<Organization, 'createdAt' | 'updatedAt' | 'suspendedAt' | 'suspensionReason' | 'paymentOverdueSince' | 'mfaRequired'>;

/** Signup's one write: a new organization and its first admin identity, together or not at all. */
@Injectable()
export class SignupRepository {
  constructor(private readonly dataSource: DataSource) {}

  async createOrganizationWithAdmin(organization: NewOrganization, admin: NewUser): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.getRepository(Organization).insert(organization);
      await m.getRepository(User).insert(admin);
    });
  }
}
