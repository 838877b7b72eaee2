import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ServiceAuth } from '@medgenie/auth';
import { EndSessionsDto } from '@medgenie/contracts';
import { SessionsService } from './sessions.service';

/** Control plane -> region: sessions of an organization's users that ended. Never routed by the gateway. */
@ApiExcludeController()
@ServiceAuth()
@Controller('internal/v1/organizations/:orgId/ended-sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Post()
  @HttpCode(204)
  async end(@Param('orgId', ParseUUIDPipe) orgId: string, @Body() dto: EndSessionsDto): Promise<void> {
    await this.sessions.end(orgId, dto.sessions);
  }
}
