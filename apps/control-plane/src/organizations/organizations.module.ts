import { Global, Module } from '@nestjs/common';
import { OrganizationsService } from './organizations.service';
import { RegistryController } from './registry.controller';
import { RegistryEvents } from './registry-events';

@Global()
@Module({ controllers: [RegistryController], providers: [OrganizationsService, RegistryEvents], exports: [OrganizationsService, RegistryEvents] })
export class OrganizationsModule {}
