import { Module } from '@nestjs/common';
import { ShortKeysModule } from '../short-keys/short-keys.module';
import { PrescriptionsController } from './prescriptions.controller';
import { PrescriptionsService } from './prescriptions.service';

@Module({ imports: [ShortKeysModule], controllers: [PrescriptionsController], providers: [PrescriptionsService] })
export class PrescriptionsModule {}
