import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { PLANS, Plan } from './plans';
import { ORG_ROLES, OrgRole } from './roles';

/** A DNS label: what an organization's slug must be. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export class ProvisionClinicDto {
  @IsUUID('4')
  id: string;

  @IsString()
  @Length(1, 200)
  name: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  timezone?: string;
}

export class ProvisionAdminDto {
  @IsUUID('4')
  userId: string;

  @IsString()
  @Length(1, 200)
  displayName: string;

  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;
}

/**
 * Body of `POST /internal/v1/organizations`: the control plane asks a region to hold an
 * organization. Idempotent on `organizationId`.
 */
export class ProvisionOrganizationDto {
  @IsUUID('4')
  organizationId: string;

  @Matches(SLUG_PATTERN, { message: 'slug must be a DNS label (a-z, 0-9, hyphen)' })
  @MaxLength(63)
  slug: string;

  @IsString()
  @Length(1, 200)
  name: string;

  @IsIn(PLANS)
  plan: Plan;

  /** On the trial plan: when the trial ends (ISO 8601; the control plane's signup + 30 days). */
  @IsOptional()
  @IsISO8601({ strict: true })
  trialEndsAt?: string;

  @ValidateNested()
  @Type(() => ProvisionClinicDto)
  clinic: ProvisionClinicDto;

  @ValidateNested()
  @Type(() => ProvisionAdminDto)
  admin: ProvisionAdminDto;
}

export interface ProvisionOrganizationResult {
  organizationId: string;
  clinicId: string;
  membershipId: string;
  created: boolean;
}

/** Body of `PUT /internal/v1/organizations/:orgId/memberships/:userId`: idempotent on user id. */
export class ProvisionMembershipDto {
  @IsIn(ORG_ROLES)
  role: OrgRole;

  @IsString()
  @Length(1, 200)
  displayName: string;

  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @IsArray()
  @ArrayMaxSize(500)
  @IsUUID('4', { each: true })
  clinicIds: string[];

  /** false: the membership is kept but reads nothing (a deactivated member); absent: active. */
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;
}

export interface ProvisionMembershipResult {
  membershipId: string;
  created: boolean;
}

/** Header that carries the service credential on internal routes. */
export const SERVICE_TOKEN_HEADER = 'x-service-token';
