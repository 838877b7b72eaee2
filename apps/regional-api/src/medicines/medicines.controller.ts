import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/roles.decorator';
import { CreateMedicineDto, ListMedicinesQuery, UpdateMedicineDto } from './dto/medicine.dto';
import { MedicinesService, MedicineView } from './medicines.service';
import { Page } from '../common/page';

@ApiTags('medicines')
@ApiBearerAuth()
@Controller('v1/medicines')
export class MedicinesController {
  constructor(private readonly medicines: MedicinesService) {}

  /** An org's own medicine, shared by all its clinics. */
  @Post()
  @Roles('org_admin', 'doctor')
  create(@Body() dto: CreateMedicineDto): Promise<MedicineView> {
    return this.medicines.create(dto);
  }

  /** Any member: the global catalogue and the org's own, by name or generic-name prefix. */
  @Get()
  list(@Query() query: ListMedicinesQuery): Promise<Page<MedicineView>> {
    return this.medicines.list(query);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<MedicineView> {
    return this.medicines.get(id);
  }

  @Patch(':id')
  @Roles('org_admin', 'doctor')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateMedicineDto): Promise<MedicineView> {
    return this.medicines.update(id, dto);
  }

  @Delete(':id')
  @Roles('org_admin')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.medicines.remove(id);
  }
}
