import { IsDateString, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { ToInt } from './dto';

/** Every list answers pages of at most MAX_PAGE_SIZE items, DEFAULT_PAGE_SIZE unless the caller asks for another size. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** `limit` and `offset` of a list's query string. */
export class PageQuery {
  @IsOptional() @ToInt() @IsInt() @Min(1) @Max(MAX_PAGE_SIZE) limit?: number;
  @IsOptional() @ToInt() @IsInt() @Min(0) @Max(100_000) offset?: number;
}

export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** The query of a list of a clinic's day (appointments, prescriptions): see `filterByClinicDay`. */
export class ClinicDayPageQuery extends PageQuery {
  /** A day in the clinic's time zone (each row's own clinic when listing by doctor or patient). */
  @IsOptional()
  @IsDateString({ strict: true, strictSeparator: true })
  @Matches(DAY_PATTERN, { message: 'date must be a date, YYYY-MM-DD' })
  date?: string;

  @IsOptional() @IsUUID() clinicId?: string;

  @IsOptional() @IsUUID() doctorId?: string;

  @IsOptional() @IsUUID() patientId?: string;
}

/** One page of a list: `hasMore` says whether a next page has items. */
export interface Page<T> {
  items: T[];
  limit: number;
  offset: number;
  hasMore: boolean;
}

/** One page from the rows a list read with `limit + 1`: the extra row only tells that there is more. */
export function pageOf<R>(rows: R[], { limit, offset }: { limit: number; offset: number }): Page<R> {
  return { items: rows.slice(0, limit), limit, offset, hasMore: rows.length > limit };
}

/** The window a list query asks for, with the one default page size. */
export function pageWindow(query: { limit?: number; offset?: number }): { limit: number; offset: number } {
  return { limit: query.limit ?? DEFAULT_PAGE_SIZE, offset: query.offset ?? 0 };
}
