import { Global, Module } from '@nestjs/common';
import { JwksController } from './jwks.controller';
import { KeysService } from './keys.service';
import { SigningKeysRepository } from './signing-keys.repository';

@Global()
@Module({ controllers: [JwksController], providers: [KeysService, SigningKeysRepository], exports: [KeysService] })
export class KeysModule {}
