import { Controller, Get, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ServiceAuth } from '@medgenie/auth';
import { LookupQuery } from './dto/lookup.dto';
import { OrganizationLookup, OrganizationsService } from './organizations.service';

/** For the gateway: host or slug -> organization -> region. Service-authenticated, never proxied. */
@ApiExcludeController()
@ServiceAuth()
@Controller('internal/v1/registry')
export class RegistryController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Get('lookup')
  lookup(@Query() query: LookupQuery): Promise<OrganizationLookup> {
    return this.organizations.lookup(query);
  }
}
