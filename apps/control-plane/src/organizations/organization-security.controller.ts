import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, RequireRole } from '../common/principal';
import { OrganizationSecurity, OrganizationSecurityDto } from './dto/security.dto';
import { OrganizationSecurityService } from './organization-security.service';

/** An org admin's security policy for their organization (on the console host). */
@ApiTags('organization')
@ApiBearerAuth()
@RequireRole('org_admin')
@Controller('v1/organization/security')
export class OrganizationSecurityController {
  constructor(private readonly security: OrganizationSecurityService) {}

  @Get()
  get(@CurrentPrincipal() caller: Principal): Promise<OrganizationSecurity> {
    return this.security.get(caller);
  }

  @Put()
  set(@CurrentPrincipal() caller: Principal, @Body() dto: OrganizationSecurityDto): Promise<OrganizationSecurity> {
    return this.security.set(caller, dto);
  }
}
