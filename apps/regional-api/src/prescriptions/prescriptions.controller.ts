import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/roles.decorator';
import { AmendPrescriptionDto, ApplyShortKeyDto, CreatePrescriptionDto, ListPrescriptionsQuery, UpdatePrescriptionDto } from './dto/prescription.dto';
import { PrescriptionsService } from './prescriptions.service';
import { PrescriptionView } from './prescriptions.types';
import { Page } from '../common/page';

/**
 * Prescriptions are clinic-scoped. Doctors (and org admins with a doctor profile) write them;
 * every member with access to the clinic, staff included, may read them.
 */
@ApiTags('prescriptions')
@ApiBearerAuth()
@Controller('v1/prescriptions')
export class PrescriptionsController {
  constructor(private readonly prescriptions: PrescriptionsService) {}

  @Post()
  @Roles('org_admin', 'doctor')
  create(@Body() dto: CreatePrescriptionDto): Promise<PrescriptionView> {
    return this.prescriptions.create(dto);
  }

  @Get()
  list(@Query() query: ListPrescriptionsQuery): Promise<Page<PrescriptionView>> {
    return this.prescriptions.list(query);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<PrescriptionView> {
    return this.prescriptions.get(id);
  }

  /** A draft only: a final prescription answers 409 PRESCRIPTION_FINAL. */
  @Patch(':id')
  @Roles('org_admin', 'doctor')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdatePrescriptionDto): Promise<PrescriptionView> {
    return this.prescriptions.update(id, dto);
  }

  /** A draft only. */
  @Delete(':id')
  @HttpCode(204)
  @Roles('org_admin', 'doctor')
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.prescriptions.remove(id);
  }

  /** Appends a short key's lines to a draft. */
  @Post(':id/short-keys')
  @HttpCode(200)
  @Roles('org_admin', 'doctor')
  applyShortKey(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ApplyShortKeyDto): Promise<PrescriptionView> {
    return this.prescriptions.applyShortKey(id, dto.code);
  }

  /** Makes a draft final: from then on it is immutable (in the database too). */
  @Post(':id/finalize')
  @HttpCode(200)
  @Roles('org_admin', 'doctor')
  finalize(@Param('id', ParseUUIDPipe) id: string): Promise<PrescriptionView> {
    return this.prescriptions.finalize(id);
  }

  /**
   * A new draft version of a final prescription, linked back to it (amendsId), with the reason for
   * the change and any new diagnosis or notes; at most one per version.
   */
  @Post(':id/amendments')
  @Roles('org_admin', 'doctor')
  amend(@Param('id', ParseUUIDPipe) id: string, @Body() dto: AmendPrescriptionDto): Promise<PrescriptionView> {
    return this.prescriptions.amend(id, dto);
  }
}
