import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/roles.decorator';
import { DoctorsService, DoctorView } from './doctors.service';
import { CreateDoctorDto, ListDoctorsQuery, SetDoctorClinicDto, UpdateDoctorDto } from './dto/doctor.dto';

@ApiTags('doctors')
@ApiBearerAuth()
@Controller('v1/doctors')
export class DoctorsController {
  constructor(private readonly doctors: DoctorsService) {}

  /** A profile for an existing membership of role doctor or org_admin (the plan's doctor limit applies). */
  @Post()
  @Roles('org_admin')
  create(@Body() dto: CreateDoctorDto): Promise<DoctorView> {
    return this.doctors.create(dto);
  }

  /** Any member: the org's doctors, with the clinics (among the caller's) where they practise. */
  @Get()
  list(@Query() query: ListDoctorsQuery): Promise<DoctorView[]> {
    return this.doctors.list(query);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<DoctorView> {
    return this.doctors.get(id);
  }

  /** An org admin, or the doctor on their own profile (checked in the service). */
  @Patch(':id')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateDoctorDto): Promise<DoctorView> {
    return this.doctors.update(id, dto);
  }

  @Put(':id/clinics/:clinicId')
  @Roles('org_admin')
  setClinic(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('clinicId', ParseUUIDPipe) clinicId: string,
    @Body() dto: SetDoctorClinicDto,
  ): Promise<DoctorView> {
    return this.doctors.setClinic(id, clinicId, dto);
  }

  @Delete(':id/clinics/:clinicId')
  @Roles('org_admin')
  @HttpCode(204)
  removeClinic(@Param('id', ParseUUIDPipe) id: string, @Param('clinicId', ParseUUIDPipe) clinicId: string): Promise<void> {
    return this.doctors.removeClinic(id, clinicId);
  }
}
