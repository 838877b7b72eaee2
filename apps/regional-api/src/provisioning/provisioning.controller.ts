import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ServiceAuth } from '@medgenie/auth';
import {
  ProvisionMembershipDto,
  ProvisionMembershipResult,
  ProvisionOrganizationDto,
  ProvisionOrganizationResult,
} from '@medgenie/contracts';
import { UpdateOrganizationMirrorDto } from './provisioning.dto';
import { ProvisioningService } from './provisioning.service';
import { Overage } from '../organizations/plan-limits';

/** Control plane -> region. Never routed by the gateway; authenticated by the service credential. */
@ApiExcludeController()
@ServiceAuth()
@Controller('internal/v1/organizations')
export class ProvisioningController {
  constructor(private readonly provisioning: ProvisioningService) {}

  @Post()
  async provision(
    @Body() dto: ProvisionOrganizationDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProvisionOrganizationResult> {
    const result = await this.provisioning.provisionOrganization(dto);
    void reply.status(result.created ? 201 : 200);
    return result;
  }

  @Patch(':orgId')
  @HttpCode(200)
  update(@Param('orgId', ParseUUIDPipe) orgId: string, @Body() dto: UpdateOrganizationMirrorDto): Promise<{ organizationId: string; overage?: Overage[] }> {
    return this.provisioning.updateOrganization(orgId, dto);
  }

  @Put(':orgId/memberships/:userId')
  async upsertMembership(
    @Param('orgId', ParseUUIDPipe) orgId: string,
    @Param('userId', ParseUUIDPipe) userId: string,
    @Body() dto: ProvisionMembershipDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProvisionMembershipResult> {
    const result = await this.provisioning.upsertMembership(orgId, userId, dto);
    void reply.status(result.created ? 201 : 200);
    return result;
  }
}
