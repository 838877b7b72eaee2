import { randomUUID } from 'node:crypto';
import { Body, Controller, Delete, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Public } from '@medgenie/auth';
import { CurrentPrincipal, Principal } from '../common/principal';
import { Throttle, ThrottleGuard } from '../common/throttle.guard';
import { TokenPair } from './dto/auth.dto';
import { LoginMfaDto, MfaActivateDto, MfaCodeDto, MfaDisableDto, MfaRecoveryCodes, MfaSetup, MfaSetupDto, MfaStatus } from './dto/mfa.dto';
import { IdentityService } from './identity.service';
import { MfaCaller, MfaEnrolmentCaller, MfaEnrolmentGuard } from './mfa-enrolment.guard';
import { MfaService } from './mfa.service';

/** Multi-factor authentication (TOTP with recovery codes): the second step of login, and each user's own enrolment. */
@ApiTags('identity')
@Controller('v1/auth')
@UseGuards(ThrottleGuard)
export class MfaController {
  constructor(
    private readonly mfa: MfaService,
    private readonly identity: IdentityService,
  ) {}

  /** The second step of a login that answered `mfaRequired`: the challenge and a code (or a recovery code) give the tokens. */
  @Public()
  @Post('login/mfa')
  @HttpCode(200)
  @Throttle('password')
  async loginMfa(@Body() dto: LoginMfaDto): Promise<TokenPair> {
    const user = await this.mfa.completeLogin(dto);
    return this.identity.issue(user, randomUUID());
  }

  @ApiBearerAuth()
  @Get('mfa')
  status(@CurrentPrincipal() caller: Principal): Promise<MfaStatus> {
    return this.mfa.status(caller.userId);
  }

  /** A new secret to enrol (pending until activated). With an access token, or the enrolment token login gave. */
  @ApiBearerAuth()
  @Public()
  @UseGuards(MfaEnrolmentGuard)
  @Post('mfa/setup')
  @HttpCode(200)
  setup(@MfaCaller() caller: MfaEnrolmentCaller, @Body() dto: MfaSetupDto): Promise<MfaSetup> {
    return this.mfa.setup(caller.userId, caller.enrollment !== undefined, dto.password);
  }

  /**
   * Turns MFA on with a code of the pending secret; answers the recovery codes, once. An enrolment
   * token is spent by it: the user then signs in again, with a code.
   */
  @ApiBearerAuth()
  @Public()
  @UseGuards(MfaEnrolmentGuard)
  @Post('mfa/activate')
  @HttpCode(200)
  @Throttle('password')
  activate(@MfaCaller() caller: MfaEnrolmentCaller, @Body() dto: MfaActivateDto): Promise<MfaRecoveryCodes> {
    return this.mfa.activate(caller.userId, dto.code, caller.enrollment);
  }

  /** New recovery codes (the old ones stop working), with a current code. */
  @ApiBearerAuth()
  @Post('mfa/recovery-codes')
  @HttpCode(200)
  @Throttle('password')
  regenerateRecoveryCodes(@CurrentPrincipal() caller: Principal, @Body() dto: MfaCodeDto): Promise<MfaRecoveryCodes> {
    return this.mfa.regenerateRecoveryCodes(caller.userId, dto.code);
  }

  /** Turns MFA off, with a code, a recovery code or the password; 409 MFA_REQUIRED where it is required. */
  @ApiBearerAuth()
  @Delete('mfa')
  @HttpCode(204)
  @Throttle('password')
  async disable(@CurrentPrincipal() caller: Principal, @Body() dto: MfaDisableDto): Promise<void> {
    await this.mfa.disable(caller.userId, dto);
  }
}
