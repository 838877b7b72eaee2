import { Global, Module } from '@nestjs/common';
import { AuthController } from './auth.controller';
import { EndedSessionsDelivery } from './ended-sessions.delivery';
import { EndedSessionsRepository } from './ended-sessions.repository';
import { IdentityService } from './identity.service';
import { PasswordHasher } from './password-hasher';
import { PlatformAdminBootstrap } from './platform-admin.bootstrap';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { UsersRepository } from './users.repository';

@Global()
@Module({
  controllers: [AuthController],
  providers: [IdentityService, PasswordHasher, PlatformAdminBootstrap, UsersRepository, RefreshTokensRepository, EndedSessionsRepository, EndedSessionsDelivery],
  exports: [IdentityService, PasswordHasher, UsersRepository],
})
export class IdentityModule {}
