import { Module } from '@nestjs/common';
import { AdminAuditRepository } from '../audit/admin-audit.repository';
import { AdminAuditService } from '../audit/admin-audit.service';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';

@Module({ controllers: [AdminController], providers: [AdminService, AdminAuditService, AdminAuditRepository] })
export class AdminModule {}
