import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/roles.decorator';
import { UpdateIntegrationsDto } from './dto/update-integrations.dto';
import { IntegrationsService, IntegrationsView } from './integrations.service';

const VIEW_SCHEMA = {
  type: 'object',
  description: 'Only the settings whose feature flag is on for the organization; null where not set.',
  properties: {
    whatsappSenderNumber: { type: 'string', nullable: true, description: 'whatsapp_integration; E.164', example: '+919876543210' },
    upiVpa: { type: 'string', nullable: true, description: 'upi_payments; name@handle', example: 'apollo.clinic@okaxis' },
    faxNumber: { type: 'string', nullable: true, description: 'fax_integration; E.164', example: '+14165550123' },
  },
};

@ApiTags('organization')
@ApiBearerAuth()
@Controller('v1/organization/integrations')
export class IntegrationsController {
  constructor(private readonly integrations: IntegrationsService) {}

  /** The organization's WhatsApp sender number, UPI VPA and fax number: each only where its flag is on. */
  @Get()
  @ApiOkResponse({ schema: VIEW_SCHEMA })
  get(): Promise<IntegrationsView> {
    return this.integrations.get();
  }

  /** Sets (or, with null, clears) them: 403 FEATURE_DISABLED for a setting whose flag is off. */
  @Patch()
  @Roles('org_admin')
  @ApiOkResponse({ schema: VIEW_SCHEMA })
  update(@Body() dto: UpdateIntegrationsDto): Promise<IntegrationsView> {
    return this.integrations.update(dto);
  }
}
