import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/roles.decorator';
import { CreatePatientDto, ListPatientsQuery, UpdatePatientDto } from './dto/patient.dto';
import { PatientsService, PatientView } from './patients.service';
import { Page } from '../common/page';

@ApiTags('patients')
@ApiBearerAuth()
@Controller('v1/patients')
export class PatientsController {
  constructor(private readonly patients: PatientsService) {}

  @Post()
  create(@Body() dto: CreatePatientDto): Promise<PatientView> {
    return this.patients.create(dto);
  }

  @Get()
  list(@Query() query: ListPatientsQuery): Promise<Page<PatientView>> {
    return this.patients.list(query);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<PatientView> {
    return this.patients.get(id);
  }

  @Patch(':id')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdatePatientDto): Promise<PatientView> {
    return this.patients.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('org_admin')
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.patients.remove(id);
  }
}
