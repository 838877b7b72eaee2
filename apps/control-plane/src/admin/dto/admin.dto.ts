import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { PLANS, Plan } from '@medgenie/contracts';
import { IsInstant } from '@medgenie/http';
import { ORG_STATUSES } from '../../organizations/organization.entity';

const trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));
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
  /** Apply a plan below the org's usage anyway (answered with the overage). */
  @IsOptional() @IsBoolean() force?: boolean;
}

export class AuditQuery {
  @IsOptional() @toInt() @IsInt() @Min(1) @Max(500) limit?: number;
  /** An action (`organization.suspend`), or every action under a prefix (`member.*`, or `member.`). */
  @IsOptional() @Matches(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*|\.)?$/, { message: 'action must be an action such as organization.suspend, or a prefix ending in .* (organization.*)' }) @Length(1, 64) action?: string;
  @IsOptional() @IsUUID() actorUserId?: string;
  @IsOptional() @Matches(/^[a-z_]{1,32}$/) targetType?: string;
  /** What the event acted on (an organization id, a flag name, a key id). */
  @IsOptional() @IsString() @Length(1, 64) @Matches(/^[^\p{Cc}\s]+$/u, { message: 'targetId must not contain spaces or control characters' }) targetId?: string;
  /** Events at or after this instant (ISO 8601 with an offset). */
  @IsOptional() @IsInstant() since?: string;
  /** Events before this instant: the next page starts before the last event of this one. */
  @IsOptional() @IsInstant() before?: string;
}

/** Host names as DNS treats them: case-insensitive, the trailing dot of a fully qualified name optional. */
const normalizeDomain = (value: unknown) => (typeof value === 'string' ? value.trim().toLowerCase().replace(/\.$/, '') : value);
const HOST_NAME = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export class SetDomainsDto {
  /** Custom host names that serve this organization (besides <slug>.<region domain>) once verified. */
  @Transform(({ value }) => (Array.isArray(value) ? value.map(normalizeDomain) : value))
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(HOST_NAME, { each: true, message: 'each domain must be a host name' })
  domains: string[];
}

export class DomainParams {
  @IsUUID() id: string;
  @Transform(({ value }) => normalizeDomain(value)) @Matches(HOST_NAME, { message: 'domain must be a host name' }) domain: string;
}

export class VerifyDomainDto {
  /** Mark it verified without looking up its TXT record (local use; recorded in the audit trail). */
  @IsOptional() @IsBoolean() force?: boolean;
}

export class SuspendOrganizationDto {
  /**
   * Why the organization is suspended (kept on its registry row while it is, and in the audit
   * trail). Optional for the clients that predate it; a platform admin should give one.
   */
  @IsOptional() @trim() @IsString() @Length(3, 500) @Matches(/^[^\p{Cc}]*$/u, { message: 'reason must not contain control characters' }) reason?: string;
}
