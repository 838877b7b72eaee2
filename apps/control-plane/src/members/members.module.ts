import { Module } from '@nestjs/common';
import { AdminAuditRepository } from '../audit/admin-audit.repository';
import { AdminAuditService } from '../audit/admin-audit.service';
import { MemberMfaController } from './member-mfa.controller';
import { MembersController } from './members.controller';
import { MembersService } from './members.service';

@Module({ controllers: [MembersController, MemberMfaController], providers: [MembersService, AdminAuditService, AdminAuditRepository] })
export class MembersModule {}
