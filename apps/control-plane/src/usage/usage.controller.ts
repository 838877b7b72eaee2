import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../common/principal';
import { UsageAggregatesQuery, UsageHistoryQuery, UsageSeriesQuery } from './usage.dto';
import { UsageService } from './usage.service';

/** Usage for platform admins: per org, and summed per region or plan (counts only, never PHI). */
@ApiTags('platform admin')
@ApiBearerAuth()
@RequireRole('platform_admin')
@Controller('v1/admin')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  /** Collects from every active region now (as the schedule does). */
  @Post('usage/collect')
  @HttpCode(200)
  collect() {
    return this.usage.collect();
  }

  @Get('usage/aggregates')
  aggregates(@Query() query: UsageAggregatesQuery) {
    return this.usage.aggregates(query.by, query.date);
  }

  /** Per day and region (or plan), from `from` to `to` (30 days up to today by default): organizations, usage and revenue (per currency). */
  @Get('usage/history')
  history(@Query() query: UsageHistoryQuery) {
    return this.usage.history(query.by, query);
  }

  @Get('organizations/:id/usage')
  forOrganization(@Param('id', ParseUUIDPipe) id: string, @Query() query: UsageSeriesQuery) {
    return this.usage.forOrganization(id, query);
  }
}
