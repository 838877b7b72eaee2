import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, MaxLength } from 'class-validator';

const lower = () => Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));

export class PasswordResetRequestDto {
  @lower() @IsEmail() @MaxLength(254) email: string;
}

export class PasswordResetConfirmDto {
  /** The token of the emailed link (`…/reset-password?token=<token>`). */
  @IsString() @Length(1, 200) token: string;
  @IsString() @Length(12, 128) newPassword: string;
}

/** The one answer to a reset request, whether or not the email has an account. */
export interface PasswordResetAccepted {
  message: string;
}
