import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../common/principal';
import { RegionsOverviewService } from './regions-overview.service';

@ApiTags('platform admin')
@ApiBearerAuth()
@RequireRole('platform_admin')
@Controller('v1/admin')
export class RegionsOverviewController {
  constructor(private readonly overview: RegionsOverviewService) {}

  /** Every region: registry facts, health now (its readiness probe), organizations by status and plan, latest usage and revenue. */
  @Get('regions')
  regions() {
    return this.overview.overview();
  }
}
