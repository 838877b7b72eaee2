import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/roles.decorator';
import { CLINICIANS } from './dental.constants';
import { CreateObservationDto, ListObservationsQuery, UpdateObservationDto } from './dto/observation.dto';
import { Page } from '../common/page';
import { ObservationsService, ObservationView } from './observations.service';

@ApiTags('dental')
@ApiBearerAuth()
@Controller('v1/dental/observations')
export class ObservationsController {
  constructor(private readonly observations: ObservationsService) {}

  @Post()
  @Roles(...CLINICIANS)
  create(@Body() dto: CreateObservationDto): Promise<ObservationView> {
    return this.observations.create(dto);
  }

  @Get()
  list(@Query() query: ListObservationsQuery): Promise<Page<ObservationView>> {
    return this.observations.list(query);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<ObservationView> {
    return this.observations.get(id);
  }

  @Patch(':id')
  @Roles(...CLINICIANS)
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateObservationDto): Promise<ObservationView> {
    return this.observations.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles(...CLINICIANS)
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.observations.remove(id);
  }
}
