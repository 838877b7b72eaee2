import { IsEmail, IsString, Length, MaxLength } from 'class-validator';
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
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}
