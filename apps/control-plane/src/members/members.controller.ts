import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, RequireRole } from '../common/principal';
import { CreatedMember, CreateMemberDto, MemberView, TemporaryPassword, UpdateMemberDto } from './dto/member.dto';
import { MembersService } from './members.service';

@ApiTags('members')
@ApiBearerAuth()
@RequireRole('org_admin')
@Controller('v1/members')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Post()
  create(@CurrentPrincipal() caller: Principal, @Body() dto: CreateMemberDto): Promise<CreatedMember> {
    return this.members.create(caller, dto);
  }

  @Get()
  list(@CurrentPrincipal() caller: Principal) {
    return this.members.list(caller);
  }

  @Patch(':userId')
  update(@CurrentPrincipal() caller: Principal, @Param('userId', ParseUUIDPipe) userId: string, @Body() dto: UpdateMemberDto): Promise<MemberView> {
    return this.members.update(caller, userId, dto);
  }

  @Delete(':userId')
  @HttpCode(204)
  async remove(@CurrentPrincipal() caller: Principal, @Param('userId', ParseUUIDPipe) userId: string): Promise<void> {
    await this.members.remove(caller, userId);
  }

  @Post(':userId/temporary-password')
  @HttpCode(200)
  temporaryPassword(@CurrentPrincipal() caller: Principal, @Param('userId', ParseUUIDPipe) userId: string): Promise<TemporaryPassword> {
    return this.members.resetPassword(caller, userId);
  }
}
