import { Global, Module } from '@nestjs/common';
import { ProvisioningService } from './provisioning.service';
import { ProvisioningWorker } from './provisioning.worker';
import { SignupController } from './signup.controller';
import { SignupRepository } from './signup.repository';
import { SignupService } from './signup.service';

@Global()
@Module({
  controllers: [SignupController],
  providers: [SignupService, SignupRepository, ProvisioningService, ProvisioningWorker],
  exports: [ProvisioningService, ProvisioningWorker],
})
export class SignupModule {}
