import { DataSource } from 'typeorm';
import { createPostgresDataSource, runMigrations } from '@medgenie/database';
import { AdminAuditEvent } from '../audit/admin-audit-event.entity';
import { MfaChallenge, MfaRecoveryCode } from '../identity/mfa.entity';
import { RefreshToken, User } from '../identity/user.entity';
import { SigningKey } from '../keys/signing-key.entity';
import { controlPlaneMigrations } from '../migrations';
import { Organization, OrganizationDomain } from '../organizations/organization.entity';
import { Region } from '../regions/region.entity';

export const controlPlaneEntities = [Region, Organization, OrganizationDomain, User, RefreshToken, SigningKey, AdminAuditEvent, MfaRecoveryCode, MfaChallenge];

export function createControlPlaneDataSource(url: string, poolSize = 10, applicationName = 'medgenie-control-plane'): DataSource {
  return createPostgresDataSource({ url, poolSize, entities: controlPlaneEntities, migrations: controlPlaneMigrations, applicationName });
}

export function migrateControlPlaneDatabase(ownerUrl: string): Promise<string[]> {
  return runMigrations(createControlPlaneDataSource(ownerUrl, 1, 'medgenie-control-plane-migrate'));
}
