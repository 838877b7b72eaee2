import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { HealthRepository } from './health.repository';

/** The readiness check of the control plane's database: up when it answers `select 1`. */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly database: HealthRepository,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(key);
    try {
      await this.database.ping();
      return session.up();
    } catch (err) {
      return session.down({ message: (err as Error).message });
    }
  }
}
