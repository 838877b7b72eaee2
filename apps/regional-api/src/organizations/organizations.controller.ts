import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/roles.decorator';
import { UpdateOrganizationSettingsDto } from './dto/organization-settings.dto';
import { OrganizationsService, OrganizationView } from './organizations.service';

@ApiTags('organization')
@ApiBearerAuth()
@Controller('v1/organization')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  /** The caller's organization: plan, status, limits, current usage and settings (branding, language, timezone). */
  @Get()
  get(): Promise<OrganizationView> {
    return this.organizations.get();
  }

  @Patch('settings')
  @Roles('org_admin')
  update(@Body() dto: UpdateOrganizationSettingsDto): Promise<OrganizationView> {
    return this.organizations.updateSettings(dto);
  }
}
