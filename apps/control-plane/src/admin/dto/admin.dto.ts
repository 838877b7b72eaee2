import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { PLANS, Plan } from '@medgenie/contracts';
import { ORG_STATUSES } from '../../organizations/organization.entity';

const toInt = () => Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value));

export class ListOrganizationsQuery {
  @IsOptional() @Matches(/^[a-z]{2,8}$/) regionId?: string;
  @IsOptional() @IsIn(PLANS) plan?: Plan;
  @IsOptional() @IsIn(ORG_STATUSES) status?: (typeof ORG_STATUSES)[number];
  /** Name or slug prefix. */
  @IsOptional() @IsString() @Length(1, 100) search?: string;
  @IsOptional() @toInt() @IsInt() @Min(1) @Max(200) limit?: number;
  @IsOptional() @toInt() @IsInt() @Min(0) offset?: number;
}

export class ChangePlanDto {
  @IsIn(PLANS) plan: Plan;
}

export class AuditQuery {
  @IsOptional() @toInt() @IsInt() @Min(1) @Max(500) limit?: number;
}
