import { Controller, Delete, HttpCode, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, RequireRole } from '../common/principal';
import { MfaService } from '../identity/mfa.service';

/** An org admin's help for a member who lost their authenticator and their recovery codes. */
@ApiTags('members')
@ApiBearerAuth()
@RequireRole('org_admin')
@Controller('v1/members')
export class MemberMfaController {
  constructor(private readonly mfa: MfaService) {}

  /** Turns the member's MFA off and ends their sessions (they enrol again at login where the org requires MFA). */
  @Delete(':userId/mfa')
  @HttpCode(204)
  async reset(@CurrentPrincipal() caller: Principal, @Param('userId', ParseUUIDPipe) userId: string): Promise<void> {
    await this.mfa.resetForMember(caller, userId);
  }
}
