import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';

const trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));
const lower = () => Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));

export class SignupDto {
  @trim() @IsString() @Length(1, 200) organizationName: string;

  /** Becomes the host name: <slug>.<region domain>. */
  @lower()
  @Length(3, 63)
  @Matches(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, { message: 'slug must be a DNS label: a-z, 0-9 and inner hyphens' })
  slug: string;

  @Matches(/^[a-z]{2,8}$/, { message: 'regionId must be a region id such as "in"' }) regionId: string;

  @trim() @IsString() @Length(1, 200) adminName: string;

  @lower() @IsEmail() @MaxLength(254) adminEmail: string;

  @IsString() @Length(12, 128) adminPassword: string;

  @trim() @IsString() @Length(1, 200) clinicName: string;
}

export interface SignupResult {
  organizationId: string;
  clinicId: string;
  userId: string;
  status: 'active' | 'provisioning';
  accessToken: string;
  refreshToken: string;
}

/** The answer to a signup whose email already has an account (202): nothing was created, the owner was emailed. */
export interface SignupCheckYourEmail {
  status: 'check_your_email';
  message: string;
}

export const SIGNUP_CHECK_YOUR_EMAIL: SignupCheckYourEmail = { status: 'check_your_email', message: 'Check your email to continue' };
