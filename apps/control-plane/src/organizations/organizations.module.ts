import { Global, Module } from '@nestjs/common';
import { DomainVerifier } from './domain-verifier';
import { OrganizationsRepository } from './organizations.repository';
import { OrganizationsService } from './organizations.service';
import { RegistryController } from './registry.controller';
import { RegistryEvents } from './registry-events';

@Global()
@Module({
  controllers: [RegistryController],
  providers: [OrganizationsRepository, OrganizationsService, RegistryEvents, DomainVerifier],
  exports: [OrganizationsRepository, OrganizationsService, RegistryEvents],
})
export class OrganizationsModule {}
