import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '@medgenie/auth';
import { Region } from './region.entity';

@ApiTags('regions')
@Public()
@Controller('v1/regions')
export class RegionsController {
  constructor(private readonly dataSource: DataSource) {}

  /** The regions an organization can be created in (for the signup form). */
  @Get()
  async list() {
    const regions = await this.dataSource.getRepository(Region).find({ where: { status: 'active' }, order: { id: 'ASC' } });
    return regions.map(({ apiUrl: _internal, ...publicFields }) => publicFields);
  }
}
