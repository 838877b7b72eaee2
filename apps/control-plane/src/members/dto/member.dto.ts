import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';

export class CreateMemberDto {
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)) @IsString() @Length(1, 200) name: string;
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value)) @IsEmail() @MaxLength(254) email: string;
  @IsIn(['org_admin', 'doctor', 'staff']) role: 'org_admin' | 'doctor' | 'staff';
  @IsArray() @ArrayMaxSize(500) @IsUUID('4', { each: true }) clinicIds: string[];
}

export interface CreatedMember {
  userId: string;
  membershipId: string;
  email: string;
  role: string;
  /** Shown once; the member must change it at first login. */
  temporaryPassword: string;
}

/** `PATCH /v1/members/:userId`: what changes (at least one field). */
export class UpdateMemberDto {
  @IsOptional() @IsIn(['org_admin', 'doctor', 'staff']) role?: 'org_admin' | 'doctor' | 'staff';
  @IsOptional() @IsArray() @ArrayMaxSize(500) @IsUUID('4', { each: true }) clinicIds?: string[];
  /** false deactivates (no login, no refresh, nothing read in the region); true reactivates. */
  @IsOptional() @IsBoolean() active?: boolean;
}

export interface MemberView {
  userId: string;
  email: string;
  name: string;
  role: string;
  status: string;
  clinicIds: string[];
  mustChangePassword: boolean;
}

export interface TemporaryPassword {
  userId: string;
  /** Shown once; the member must change it at next login. */
  temporaryPassword: string;
}
