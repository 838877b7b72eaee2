import { Module } from '@nestjs/common';
import { MeController, MembershipsController } from './memberships.controller';
import { MembershipsRepository } from './memberships.repository';
import { MembershipsService } from './memberships.service';

@Module({ controllers: [MembershipsController, MeController], providers: [MembershipsService, MembershipsRepository] })
export class MembershipsModule {}
