import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseProbe } from '@medgenie/database';
import { REGIONAL_CONFIG, RegionalConfig } from '../config/regional.config';
import { HealthController } from './health.controller';

/** A result this recent answers `/readyz` again: the gateway polls every 500 ms, and a flood of probes costs one query. */
export const READY_CACHE_MS = 200;

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [
    {
      provide: DatabaseProbe,
      inject: [REGIONAL_CONFIG],
      // Its own connection to the region's database, not one of the request pool's.
      useFactory: (config: RegionalConfig) =>
        new DatabaseProbe({
          url: config.database.url,
          applicationName: 'medgenie-regional-api-ready',
          timeoutMs: config.database.readyTimeoutMs,
          cacheMs: READY_CACHE_MS,
        }),
    },
  ],
})
export class HealthModule implements OnApplicationShutdown {
  constructor(@Inject(DatabaseProbe) private readonly probe: DatabaseProbe) {}

  onApplicationShutdown(): Promise<void> {
    return this.probe.close();
  }
}
