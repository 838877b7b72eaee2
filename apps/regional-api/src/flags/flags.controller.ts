import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CallerFlags } from './caller-flags.service';

@ApiTags('features')
@ApiBearerAuth()
@Controller('v1/features')
export class FlagsController {
  constructor(private readonly flags: CallerFlags) {}

  /** The caller's feature flags, `{"<flag>": true|false}`: every seed flag, evaluated for their user, org, region and plan. */
  @Get()
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: { type: 'boolean' }, example: { hindi_language: true, french_language: false } } })
  features(): Promise<Record<string, boolean>> {
    return this.flags.all();
  }
}
