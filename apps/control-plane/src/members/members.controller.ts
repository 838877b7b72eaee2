import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, RequireRole } from '../common/principal';
import { CreatedMember, CreateMemberDto } from './dto/member.dto';
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
}
