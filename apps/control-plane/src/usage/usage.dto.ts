import { IsIn, IsOptional, Matches } from 'class-validator';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export class UsageSeriesQuery {
  /** First day (UTC, inclusive); 30 days before `to` by default. */
  @IsOptional() @Matches(DAY, { message: 'from must be YYYY-MM-DD' }) from?: string;
  /** Last day (UTC, inclusive); today by default. */
  @IsOptional() @Matches(DAY, { message: 'to must be YYYY-MM-DD' }) to?: string;
}

export const AGGREGATE_KEYS = ['region', 'plan'] as const;

export class UsageHistoryQuery extends UsageSeriesQuery {
  @IsIn(AGGREGATE_KEYS) by!: (typeof AGGREGATE_KEYS)[number];
}

export class UsageAggregatesQuery {
  @IsIn(AGGREGATE_KEYS) by!: (typeof AGGREGATE_KEYS)[number];
  /** The day (UTC) summed; today by default. */
  @IsOptional() @Matches(DAY, { message: 'date must be YYYY-MM-DD' }) date?: string;
}
