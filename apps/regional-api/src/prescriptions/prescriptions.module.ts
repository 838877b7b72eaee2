import { Module } from '@nestjs/common';
import { ShortKeysModule } from '../short-keys/short-keys.module';
import { PrescriptionsController } from './prescriptions.controller';
import { PrescriptionsRepository } from './prescriptions.repository';
import { PrescriptionsService } from './prescriptions.service';

@Module({
  imports: [ShortKeysModule],
  controllers: [PrescriptionsController],
  providers: [PrescriptionsRepository, PrescriptionsService],
})
export class PrescriptionsModule {}
