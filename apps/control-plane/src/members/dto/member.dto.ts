import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsEmail, IsIn, IsString, IsUUID, Length, MaxLength } from 'class-validator';

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
