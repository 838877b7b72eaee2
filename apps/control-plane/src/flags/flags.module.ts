import { Module } from '@nestjs/common';
import { AdminAuditRepository } from '../audit/admin-audit.repository';
import { AdminAuditService } from '../audit/admin-audit.service';
import { FlagClientApiService } from './flag-client-api.service';
import { FlagClientGuard } from './flag-client.guard';
import { FlagsAdminController } from './flags-admin.controller';
import { FlagsRepository } from './flags.repository';
import { FlagsService } from './flags.service';
import { UnleashClientApiController } from './unleash-client-api.controller';

/** Feature flags: their definitions (platform admins) and the Unleash client API (regions, gateway). */
@Module({
  controllers: [FlagsAdminController, UnleashClientApiController],
  providers: [FlagsService, FlagClientApiService, FlagsRepository, FlagClientGuard, AdminAuditService, AdminAuditRepository],
})
export class FlagsModule {}
