import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '@medgenie/auth';
import { RegionsService } from './regions.service';

@ApiTags('regions')
@Public()
@Controller('v1/regions')
export class RegionsController {
  constructor(private readonly regions: RegionsService) {}

  /** The regions an organization can be created in (for the signup form). */
  @Get()
  list() {
    return this.regions.listPublic();
  }
}
