import { Global, Module } from '@nestjs/common';
import { AdminAuditRepository } from '../audit/admin-audit.repository';
import { AdminAuditService } from '../audit/admin-audit.service';
import { AuthController } from './auth.controller';
import { IdentityService } from './identity.service';
import { PasswordHasher } from './password-hasher';
import { PasswordResetController } from './password-reset.controller';
import { PasswordResetRepository } from './password-reset.repository';
import { PasswordResetService } from './password-reset.service';
import { PlatformAdminBootstrap } from './platform-admin.bootstrap';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { UsersRepository } from './users.repository';

@Global()
@Module({
  controllers: [AuthController, PasswordResetController],
  providers: [IdentityService, PasswordHasher, PlatformAdminBootstrap, UsersRepository, RefreshTokensRepository, PasswordResetService, PasswordResetRepository, AdminAuditService, AdminAuditRepository],
  exports: [IdentityService, PasswordHasher, UsersRepository],
})
export class IdentityModule {}
