import { IsBoolean } from 'class-validator';

/** An organization's security policy, set by its org admin. */
export class OrganizationSecurityDto {
  /** Members must sign in with MFA: those without it are made to enrol at their next login. */
  @IsBoolean() mfaRequired: boolean;
}

export interface OrganizationSecurity {
  mfaRequired: boolean;
}
