import { Global, Module } from '@nestjs/common';
import { AdminAuditRepository } from '../audit/admin-audit.repository';
import { AdminAuditService } from '../audit/admin-audit.service';
import { ControlPlaneAuthGuard } from '../common/auth.guard';
import { AuthController } from './auth.controller';
import { EndedSessionsDelivery } from './ended-sessions.delivery';
import { EndedSessionsRepository } from './ended-sessions.repository';
import { IdentityService } from './identity.service';
import { MfaEnrolmentGuard } from './mfa-enrolment.guard';
import { MfaController } from './mfa.controller';
import { MfaRepository } from './mfa.repository';
import { MfaService } from './mfa.service';
import { PasswordHasher } from './password-hasher';
import { PasswordResetController } from './password-reset.controller';
import { PasswordResetRepository } from './password-reset.repository';
import { PasswordResetService } from './password-reset.service';
import { PlatformAdminBootstrap } from './platform-admin.bootstrap';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { Totp } from './totp';
import { UsersRepository } from './users.repository';

@Global()
@Module({
  controllers: [AuthController, MfaController, PasswordResetController],
  providers: [IdentityService, PasswordHasher, PlatformAdminBootstrap, UsersRepository, RefreshTokensRepository, EndedSessionsRepository, EndedSessionsDelivery, MfaService, MfaRepository, MfaEnrolmentGuard, ControlPlaneAuthGuard, Totp, AdminAuditService, AdminAuditRepository, PasswordResetService, PasswordResetRepository],
  exports: [IdentityService, PasswordHasher, UsersRepository, MfaService],
})
export class IdentityModule {}
