import { Global, Module } from '@nestjs/common';
import { RegionsController } from './regions.controller';
import { RegionsRepository } from './regions.repository';
import { RegionsService } from './regions.service';

@Global()
@Module({ controllers: [RegionsController], providers: [RegionsRepository, RegionsService], exports: [RegionsService] })
export class RegionsModule {}
