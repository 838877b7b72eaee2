import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AppointmentsService, AppointmentView } from './appointments.service';
import { ChangeAppointmentStatusDto, CreateAppointmentDto, ListAppointmentsQuery, UpdateAppointmentDto } from './dto/appointment.dto';
import { Page } from '../common/page';

/** Appointments are clinic-scoped: any member with access to the clinic (staff included) may book and manage them. */
@ApiTags('appointments')
@ApiBearerAuth()
@Controller('v1/appointments')
export class AppointmentsController {
  constructor(private readonly appointments: AppointmentsService) {}

  @Post()
  create(@Body() dto: CreateAppointmentDto): Promise<AppointmentView> {
    return this.appointments.create(dto);
  }

  @Get()
  list(@Query() query: ListAppointmentsQuery): Promise<Page<AppointmentView>> {
    return this.appointments.list(query);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<AppointmentView> {
    return this.appointments.get(id);
  }

  @Patch(':id')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateAppointmentDto): Promise<AppointmentView> {
    return this.appointments.update(id, dto);
  }

  /** scheduled -> checked_in -> completed; scheduled|checked_in -> cancelled; scheduled -> no_show. */
  @Post(':id/status')
  @HttpCode(200)
  changeStatus(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ChangeAppointmentStatusDto): Promise<AppointmentView> {
    return this.appointments.changeStatus(id, dto);
  }
}
