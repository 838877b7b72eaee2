import { IsOptional, Matches, MaxLength } from 'class-validator';

export class LookupQuery {
  @IsOptional() @MaxLength(253) @Matches(/^[a-zA-Z0-9.-]+(:\d{1,5})?$/, { message: 'host must be a host name' }) host?: string;
  @IsOptional() @MaxLength(63) @Matches(/^[a-z0-9-]+$/, { message: 'slug must be a DNS label' }) slug?: string;
}
