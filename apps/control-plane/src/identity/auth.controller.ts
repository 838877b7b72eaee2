import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '@medgenie/auth';
import { Throttle, ThrottleGuard } from '../common/throttle.guard';
import { ChangePasswordDto, LoginDto, RefreshDto, TokenPair } from './dto/auth.dto';
import { MfaChallengeAnswer, MfaEnrollmentAnswer } from './dto/mfa.dto';
import { IdentityService } from './identity.service';

@ApiTags('identity')
@Public()
@Controller('v1/auth')
@UseGuards(ThrottleGuard)
export class AuthController {
  constructor(private readonly identity: IdentityService) {}

  @Post('login')
  @HttpCode(200)
  @Throttle('password')
  login(@Body() dto: LoginDto): Promise<TokenPair | MfaChallengeAnswer | MfaEnrollmentAnswer> {
    return this.identity.login(dto);
  }

  /** Rotates: the presented refresh token is spent; presenting it again ends the session family. */
  @Post('refresh')
  @HttpCode(200)
  @Throttle('refresh')
  refresh(@Body() dto: RefreshDto): Promise<TokenPair> {
    return this.identity.refresh(dto.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  logout(@Body() dto: RefreshDto): Promise<void> {
    return this.identity.logout(dto.refreshToken);
  }

  /** Authenticated by the current password, so it also serves the forced change of a temporary one. */
  @Post('password')
  @HttpCode(204)
  @Throttle('password')
  changePassword(@Body() dto: ChangePasswordDto): Promise<void> {
    return this.identity.changePassword(dto);
  }
}
