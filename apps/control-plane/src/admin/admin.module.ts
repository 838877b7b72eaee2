import { Module } from '@nestjs/common';
import { AdminAuditService } from '../audit/admin-audit.service';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';

@Module({ controllers: [AdminController], providers: [AdminService, AdminAuditService] })
export class AdminModule {}
