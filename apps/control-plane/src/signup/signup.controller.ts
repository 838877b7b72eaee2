import { Body, Controller, Post, Res, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@medgenie/auth';
import { Throttle, ThrottleGuard } from '../common/throttle.guard';
import { SignupCheckYourEmail, SignupDto, SignupResult } from './dto/signup.dto';
import { SignupService } from './signup.service';

@ApiTags('signup')
@Public()
@Controller('v1/signup')
@UseGuards(ThrottleGuard)
export class SignupController {
  constructor(private readonly signups: SignupService) {}

  /**
   * 201 when the region holds the org; 202 (status provisioning) when it will once reachable; 202
   * (status check_your_email, nothing created) when the email already has an account.
   */
  @Post()
  @Throttle('signup')
  async signup(@Body() dto: SignupDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<SignupResult | SignupCheckYourEmail> {
    const result = await this.signups.signup(dto);
    void reply.status(result.status === 'active' ? 201 : 202);
    return result;
  }
}
