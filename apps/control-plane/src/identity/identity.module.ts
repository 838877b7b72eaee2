import { Global, Module } from '@nestjs/common';
import { AuthController } from './auth.controller';
import { IdentityService } from './identity.service';
import { PasswordHasher } from './password-hasher';
import { PlatformAdminBootstrap } from './platform-admin.bootstrap';

@Global()
@Module({ controllers: [AuthController], providers: [IdentityService, PasswordHasher, PlatformAdminBootstrap], exports: [IdentityService, PasswordHasher] })
export class IdentityModule {}
