import { Global, Module } from '@nestjs/common';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { CallerFlags } from './caller-flags.service';
import { FlagsController } from './flags.controller';
import { Flags } from './flags.service';

/** Feature flags (DESIGN §7): one SDK instance for the region, and the caller's flags for any feature that needs them. */
@Global()
@Module({
  controllers: [FlagsController],
  providers: [Flags, CallerFlags, OrganizationsRepository],
  exports: [Flags, CallerFlags],
})
export class FlagsModule {}
