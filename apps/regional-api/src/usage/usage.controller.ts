import { Controller, Get, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ServiceAuth } from '@medgenie/auth';
import { UsageQueryDto, UsageReport } from './usage.dto';
import { UsageService } from './usage.service';

/** Control plane -> region: per-org usage counts (no patient data). Service credential only. */
@ApiExcludeController()
@ServiceAuth()
@Controller('internal/v1/usage')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get()
  report(@Query() query: UsageQueryDto): Promise<UsageReport> {
    return this.usage.report(query.orgIds.split(','), query.date);
  }
}
