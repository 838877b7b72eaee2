import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/roles.decorator';
import { ClinicsService, ClinicView } from './clinics.service';
import { CreateClinicDto, UpdateClinicDto } from './dto/clinic.dto';

@ApiTags('clinics')
@ApiBearerAuth()
@Controller('v1/clinics')
export class ClinicsController {
  constructor(private readonly clinics: ClinicsService) {}

  @Post()
  @Roles('org_admin')
  create(@Body() dto: CreateClinicDto): Promise<ClinicView> {
    return this.clinics.create(dto);
  }

  /** Any member: staff see the clinics they are granted, admins see all. */
  @Get()
  list(): Promise<ClinicView[]> {
    return this.clinics.list();
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<ClinicView> {
    return this.clinics.get(id);
  }

  @Patch(':id')
  @Roles('org_admin')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateClinicDto): Promise<ClinicView> {
    return this.clinics.update(id, dto);
  }

  @Delete(':id')
  @Roles('org_admin')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.clinics.remove(id);
  }
}
