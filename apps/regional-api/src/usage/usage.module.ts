import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { RequestCounter } from './request-counter';
import { RequestCounterInterceptor } from './request-counter.interceptor';
import { UsageController } from './usage.controller';
import { UsageRepository } from './usage.repository';
import { UsageService } from './usage.service';

/** Usage counts for the control plane, and the in-memory count of API requests per org and day. */
@Module({
  controllers: [UsageController],
  providers: [UsageService, UsageRepository, RequestCounter, { provide: APP_INTERCEPTOR, useClass: RequestCounterInterceptor }],
  exports: [UsageService],
})
export class UsageModule {}
