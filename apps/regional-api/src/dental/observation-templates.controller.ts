import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/roles.decorator';
import { CLINICIANS } from './dental.constants';
import { CreateObservationTemplateDto, UpdateObservationTemplateDto } from './dto/observation-template.dto';
import { ObservationTemplatesService, ObservationTemplateView } from './observation-templates.service';

@ApiTags('dental')
@ApiBearerAuth()
@Controller('v1/dental/templates')
export class ObservationTemplatesController {
  constructor(private readonly templates: ObservationTemplatesService) {}

  @Post()
  @Roles(...CLINICIANS)
  create(@Body() dto: CreateObservationTemplateDto): Promise<ObservationTemplateView> {
    return this.templates.create(dto);
  }

  @Get()
  list(): Promise<ObservationTemplateView[]> {
    return this.templates.list();
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<ObservationTemplateView> {
    return this.templates.get(id);
  }

  @Patch(':id')
  @Roles(...CLINICIANS)
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateObservationTemplateDto): Promise<ObservationTemplateView> {
    return this.templates.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles(...CLINICIANS)
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.templates.remove(id);
  }
}
