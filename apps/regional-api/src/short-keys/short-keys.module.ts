import { Module } from '@nestjs/common';
import { ShortKeysController } from './short-keys.controller';
import { ShortKeysRepository } from './short-keys.repository';
import { ShortKeysService } from './short-keys.service';

/** Exports ShortKeysService: prescriptions apply a key with `expand(codeOrId)`. */
@Module({ controllers: [ShortKeysController], providers: [ShortKeysRepository, ShortKeysService], exports: [ShortKeysService] })
export class ShortKeysModule {}
