import { Module } from '@nestjs/common';
import { AdminAuditRepository } from '../audit/admin-audit.repository';
import { AdminAuditService } from '../audit/admin-audit.service';
import { OrganizationSecurityController } from './organization-security.controller';
import { OrganizationSecurityService } from './organization-security.service';

@Module({ controllers: [OrganizationSecurityController], providers: [OrganizationSecurityService, AdminAuditService, AdminAuditRepository] })
export class OrganizationSecurityModule {}
