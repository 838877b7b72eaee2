import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { Transform } from 'class-transformer';

const lower = () => Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));

export class LoginDto {
  @lower() @IsEmail() @MaxLength(254) email: string;
  @IsString() @Length(1, 128) password: string;
}

export class RefreshDto {
  @IsString() @Length(20, 200) refreshToken: string;
}

export class ChangePasswordDto {
  @lower() @IsEmail() @MaxLength(254) email: string;
  @IsString() @Length(1, 128) currentPassword: string;
  @IsString() @Length(12, 128) newPassword: string;
  /** For an account with two-step verification: a code from the app, or a recovery code. */
  @IsOptional() @IsString() @Matches(/^\d{6}$/, { message: 'code must be the 6 digits the app shows' }) code?: string;
  @IsOptional() @IsString() @Length(1, 64) recoveryCode?: string;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}
