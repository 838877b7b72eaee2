import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '@medgenie/auth';
import { KeysService } from './keys.service';

@ApiTags('identity')
@Public()
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: KeysService) {}

  /** The public keys regions verify access tokens with. */
  @Get('jwks.json')
  @Header('cache-control', 'public, max-age=60')
  jwks() {
    return this.keys.jwks();
  }
}
