import { Module } from '@nestjs/common';
import { UsageController } from './usage.controller';
import { UsageRepository } from './usage.repository';
import { UsageService } from './usage.service';

/** Usage history collected from the regions (DESIGN §7). */
@Module({ controllers: [UsageController], providers: [UsageService, UsageRepository], exports: [UsageService] })
export class UsageModule {}
