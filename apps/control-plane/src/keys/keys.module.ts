import { Global, Module } from '@nestjs/common';
import { JwksController } from './jwks.controller';
import { KeysService } from './keys.service';

@Global()
@Module({ controllers: [JwksController], providers: [KeysService], exports: [KeysService] })
export class KeysModule {}
