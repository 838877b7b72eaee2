import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '@medgenie/auth';
import { Throttle, ThrottleGuard } from '../common/throttle.guard';
import { PasswordResetAccepted, PasswordResetConfirmDto, PasswordResetRequestDto } from './dto/password-reset.dto';
import { PASSWORD_RESET_ACCEPTED, PasswordResetService } from './password-reset.service';

@ApiTags('identity')
@Public()
@Controller('v1/auth/password-reset')
@UseGuards(ThrottleGuard)
export class PasswordResetController {
  constructor(private readonly resets: PasswordResetService) {}

  /** Emails a reset link if the address has an account; the same 202 either way. */
  @Post()
  @HttpCode(202)
  @Throttle('password-reset')
  request(@Body() dto: PasswordResetRequestDto): PasswordResetAccepted {
    this.resets.request(dto.email);
    return PASSWORD_RESET_ACCEPTED;
  }

  /** Sets a new password with the link's token (once); every session of the account ends. */
  @Post('confirm')
  @HttpCode(204)
  @Throttle('password-reset-confirm')
  confirm(@Body() dto: PasswordResetConfirmDto): Promise<void> {
    return this.resets.confirm(dto.token, dto.newPassword);
  }
}
