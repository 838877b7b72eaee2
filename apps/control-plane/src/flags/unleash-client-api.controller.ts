import { Body, Controller, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@medgenie/auth';
import { FlagClientApiService } from './flag-client-api.service';
import { FlagClientGuard, FlagClientRequest } from './flag-client.guard';
import { ifNoneMatchHits } from './unleash-features';

type ClientRequest = FlagClientRequest & { flagClient: string };

/**
 * The Unleash client API (DESIGN §7), for the unmodified `unleash-client` SDK in the regions and
 * the gateway: the SDK's URL is `<control plane>/api`. Not a user route: the global guard lets it
 * through (@Public) and FlagClientGuard wants a client token instead. Not tenant data. Left out
 * of our OpenAPI document: its contract is Unleash's client API, not ours.
 */
@ApiExcludeController()
@Public()
@UseGuards(FlagClientGuard)
@Controller('api/client')
export class UnleashClientApiController {
  constructor(private readonly api: FlagClientApiService) {}

  /** Every flag, with a strong ETag; a matching If-None-Match is answered 304 with no body. */
  @Get('features')
  async features(@Req() req: ClientRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.api.polled(req.flagClient, req.headers['unleash-appname'], req.headers['unleash-instanceid']);
    const { body, etag } = await this.api.features();
    reply.header('etag', etag).header('cache-control', 'private, no-cache');
    if (ifNoneMatchHits(req.headers['if-none-match'], etag)) {
      await reply.status(304).send();
      return;
    }
    await reply.status(200).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  @Post('register')
  @HttpCode(202)
  async register(@Req() req: ClientRequest, @Body() body: unknown): Promise<void> {
    await this.api.register(req.flagClient, body);
  }

  @Post('metrics')
  @HttpCode(202)
  async metrics(@Req() req: ClientRequest, @Body() body: unknown): Promise<void> {
    await this.api.metrics(req.flagClient, body);
  }
}
