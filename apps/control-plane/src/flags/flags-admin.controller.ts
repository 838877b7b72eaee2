import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Principal, RequireRole } from '../common/principal';
import { FlagClientsQuery, FlagMetricsQuery, FlagNameParams, PatchFlagDto, PutFlagDto } from './dto/flag.dto';
import { FlagReachService } from './flag-reach.service';
import { FlagsService } from './flags.service';

/** Feature flags, for platform admins (DESIGN §7, §9). Every change is in the admin audit trail. */
@ApiTags('platform admin: feature flags')
@ApiBearerAuth()
@RequireRole('platform_admin')
@Controller('v1/admin')
export class FlagsAdminController {
  constructor(
    private readonly flags: FlagsService,
    private readonly reach: FlagReachService,
  ) {}

  @Get('flags')
  list() {
    return this.flags.list();
  }

  @Get('flags/:name')
  get(@Param() params: FlagNameParams) {
    return this.flags.get(params.name);
  }

  /** Creates (201) or replaces (200) the flag. No strategies: on for everyone while enabled. */
  @Put('flags/:name')
  async put(@CurrentPrincipal() caller: Principal, @Param() params: FlagNameParams, @Body() dto: PutFlagDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const { flag, created } = await this.flags.put(caller, params.name, dto);
    reply.status(created ? 201 : 200);
    return flag;
  }

  /** Changes what is given; `{enabled}` alone turns the flag on or off and keeps its targeting. */
  @Patch('flags/:name')
  patch(@CurrentPrincipal() caller: Principal, @Param() params: FlagNameParams, @Body() dto: PatchFlagDto) {
    return this.flags.patch(caller, params.name, dto);
  }

  @Delete('flags/:name')
  @HttpCode(204)
  async delete(@CurrentPrincipal() caller: Principal, @Param() params: FlagNameParams): Promise<void> {
    await this.flags.delete(caller, params.name);
  }

  /**
   * Which organizations a definition would reach, without saving it: counts by region and plan and
   * the first 100 organizations (`dependsOnClinic` when a constraint names clinics, which are left out).
   */
  @Post('flags/preview')
  @HttpCode(200)
  preview(@Body() dto: PutFlagDto) {
    return this.reach.preview(dto);
  }

  /** Which organizations the flag reaches as it is saved. */
  @Get('flags/:name/reach')
  flagReach(@Param() params: FlagNameParams) {
    return this.reach.ofFlag(params.name);
  }

  /** Every flag as it is in effect for the organization (its region, id and plan). */
  @Get('organizations/:id/flags')
  forOrganization(@Param('id', ParseUUIDPipe) id: string) {
    return this.reach.forOrganization(id);
  }

  /** How often the SDKs evaluated the flag, yes and no, per hour, client and app. */
  @Get('flags/:name/metrics')
  metrics(@Param() params: FlagNameParams, @Query() query: FlagMetricsQuery) {
    return this.flags.metrics(params.name, query.hours ?? 24);
  }

  /** The SDK instances polling the flags (per client token, app and instance), most recently seen first. */
  @Get('flag-clients')
  clients(@Query() query: FlagClientsQuery) {
    return this.flags.clients(query.limit ?? 100);
  }
}
