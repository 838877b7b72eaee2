import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/roles.decorator';
import { MembershipsService, MembershipView, MeView } from './memberships.service';

@ApiTags('memberships')
@ApiBearerAuth()
@Roles('org_admin')
@Controller('v1/memberships')
export class MembershipsController {
  constructor(private readonly memberships: MembershipsService) {}

  @Get()
  list(): Promise<MembershipView[]> {
    return this.memberships.list();
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<MembershipView> {
    return this.memberships.get(id);
  }
}

/** The caller, as this region knows them: any member of the organization. */
@ApiTags('memberships')
@ApiBearerAuth()
@Controller('v1/me')
export class MeController {
  constructor(private readonly memberships: MembershipsService) {}

  @Get()
  me(): Promise<MeView> {
    return this.memberships.me();
  }
}
