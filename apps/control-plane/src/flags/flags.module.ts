import { Module } from '@nestjs/common';
import { AdminAuditRepository } from '../audit/admin-audit.repository';
import { AdminAuditService } from '../audit/admin-audit.service';
import { FlagClientApiService } from './flag-client-api.service';
import { FlagClientGuard } from './flag-client.guard';
import { FlagMetricsRetention } from './flag-metrics-retention.service';
import { FlagReachService } from './flag-reach.service';
import { FlagsAdminController } from './flags-admin.controller';
import { FlagsRepository } from './flags.repository';
import { FlagsService } from './flags.service';
import { UnleashClientApiController } from './unleash-client-api.controller';

/** Feature flags: their definitions (platform admins), the Unleash client API (regions, gateway) and the metrics' retention. */
@Module({
  controllers: [FlagsAdminController, UnleashClientApiController],
  providers: [FlagsService, FlagReachService, FlagClientApiService, FlagsRepository, FlagClientGuard, FlagMetricsRetention, AdminAuditService, AdminAuditRepository],
  exports: [FlagsService],
})
export class FlagsModule {}
