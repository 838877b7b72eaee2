import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ToInt } from '../../common/dto';

export class PageQuery {
  @IsOptional() @ToInt() @IsInt() @Min(1) @Max(100) limit?: number;
  @IsOptional() @ToInt() @IsInt() @Min(0) @Max(100_000) offset?: number;
}

export interface Page<T> {
  items: T[];
  limit: number;
  offset: number;
  hasMore: boolean;
}
