import { Body, Controller, Delete, HttpCode, Param, Put } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { IsISO8601, IsObject } from 'class-validator';
import { ServiceAuth } from '@medgenie/auth';
import { GATEWAY_ID_PATTERN, parseGatewayRegions } from '@medgenie/contracts';
import { ErrorCode, fail } from '../common/errors';
import { GatewayViews } from './gateway-views';

/** The route's paths, for the request log (a heartbeat, logged only when it fails). */
export const GATEWAY_VIEW_PATH = /^\/internal\/v1\/gateways\/[^/]+\/view$/;

class GatewayViewDto {
  @IsISO8601({ strict: true }) at: string;
  @IsObject() regions: Record<string, unknown>;
}

/** For the gateways: each reports how it sees the regions (its breakers), for the console's Regions page. */
@ApiExcludeController()
@ServiceAuth()
@Controller('internal/v1/gateways')
export class GatewayViewsController {
  constructor(private readonly views: GatewayViews) {}

  @Put(':gatewayId/view')
  @HttpCode(204)
  async put(@Param('gatewayId') gatewayId: string, @Body() dto: GatewayViewDto): Promise<void> {
    const regions = parseGatewayRegions(dto.regions);
    if (!GATEWAY_ID_PATTERN.test(gatewayId) || !regions) throw fail(ErrorCode.ValidationFailed, 'Not a gateway view: an id of letters, digits, dot, dash or underscore, and per region routing, ready and probeFailures');
    await this.views.put(gatewayId, dto.at, regions);
  }

  @Delete(':gatewayId/view')
  @HttpCode(204)
  async remove(@Param('gatewayId') gatewayId: string): Promise<void> {
    if (!GATEWAY_ID_PATTERN.test(gatewayId)) throw fail(ErrorCode.ValidationFailed, 'Not a gateway id');
    await this.views.remove(gatewayId);
  }
}
