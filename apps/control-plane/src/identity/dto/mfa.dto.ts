import { IsOptional, IsString, Length, Matches } from 'class-validator';

const TOTP_CODE = /^\d{6}$/;
const TOTP_MESSAGE = 'code must be the 6 digits the authenticator app shows';

/** Setup, by a signed-in user (bearer access token) or with the enrolment token login gave. */
export class MfaSetupDto {
  @IsOptional() @IsString() @Length(20, 200) enrollmentToken?: string;
  /** Asked again when the caller comes with an access token (not with an enrolment token). */
  @IsOptional() @IsString() @Length(1, 128) password?: string;
}

export class MfaActivateDto {
  @IsString() @Matches(TOTP_CODE, { message: TOTP_MESSAGE }) code: string;
  @IsOptional() @IsString() @Length(20, 200) enrollmentToken?: string;
}

export class MfaCodeDto {
  @IsString() @Matches(TOTP_CODE, { message: TOTP_MESSAGE }) code: string;
}

/** The second step of a login: the challenge and one of a TOTP code or a recovery code. */
export class LoginMfaDto {
  @IsString() @Length(20, 200) challengeToken: string;
  @IsOptional() @IsString() @Matches(TOTP_CODE, { message: TOTP_MESSAGE }) code?: string;
  @IsOptional() @IsString() @Length(1, 64) recoveryCode?: string;
}

/** Turning MFA off is proved with one of a TOTP code, a recovery code or the password. */
export class MfaDisableDto {
  @IsOptional() @IsString() @Matches(TOTP_CODE, { message: TOTP_MESSAGE }) code?: string;
  @IsOptional() @IsString() @Length(1, 64) recoveryCode?: string;
  @IsOptional() @IsString() @Length(1, 128) password?: string;
}

export interface MfaSetup {
  /** Base32, for typing into an authenticator app by hand. */
  secret: string;
  /** otpauth://totp/MedGenie:<email>?secret=…&issuer=MedGenie, for a QR code. */
  otpauthUri: string;
}

export interface MfaRecoveryCodes {
  /** Shown once: only their hashes are kept. Each works once. */
  recoveryCodes: string[];
}

export interface MfaStatus {
  enabled: boolean;
  /** MFA cannot be turned off (platform admin with the requirement on, or the org requires it). */
  required: boolean;
  recoveryCodesLeft: number;
}

/** Login's answer for a user with MFA: no tokens yet; POST /v1/auth/login/mfa with the challenge. */
export interface MfaChallengeAnswer {
  mfaRequired: true;
  challengeToken: string;
  expiresIn: number;
}

/** Login's answer for a user who must have MFA and has none: the token only sets it up. */
export interface MfaEnrollmentAnswer {
  mfaEnrollmentRequired: true;
  enrollmentToken: string;
  expiresIn: number;
}
