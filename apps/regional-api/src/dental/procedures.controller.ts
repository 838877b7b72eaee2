import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/roles.decorator';
import { CLINICIANS } from './dental.constants';
import { Page } from '../common/page';
import { CreateProcedureDto, ListProceduresQuery, UpdateProcedureDto } from './dto/procedure.dto';
import { ProceduresService, ProcedureView } from './procedures.service';

@ApiTags('dental')
@ApiBearerAuth()
@Controller('v1/dental/procedures')
export class ProceduresController {
  constructor(private readonly procedures: ProceduresService) {}

  @Post()
  @Roles(...CLINICIANS)
  create(@Body() dto: CreateProcedureDto): Promise<ProcedureView> {
    return this.procedures.create(dto);
  }

  @Get()
  list(@Query() query: ListProceduresQuery): Promise<Page<ProcedureView>> {
    return this.procedures.list(query);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<ProcedureView> {
    return this.procedures.get(id);
  }

  @Patch(':id')
  @Roles(...CLINICIANS)
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateProcedureDto): Promise<ProcedureView> {
    return this.procedures.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles(...CLINICIANS)
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.procedures.remove(id);
  }
}
