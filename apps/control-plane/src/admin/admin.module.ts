import { Module } from '@nestjs/common';
import { AdminAuditRepository } from '../audit/admin-audit.repository';
import { AdminAuditService } from '../audit/admin-audit.service';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';
import { GatewayViews } from './gateway-views';
import { GatewayViewsController } from './gateway-views.controller';
import { UsageModule } from '../usage/usage.module';
import { RegionsOverviewController } from './regions-overview.controller';
import { RegionsOverviewService } from './regions-overview.service';

@Module({
  imports: [UsageModule],
  controllers: [AdminController, RegionsOverviewController, GatewayViewsController],
  providers: [AdminService, AdminAuditService, AdminAuditRepository, RegionsOverviewService, GatewayViews],
})
export class AdminModule {}
