import { IsOptional, Matches } from 'class-validator';

/** The most organizations one report answers (the control plane asks in batches). */
export const MAX_ORGS_PER_REPORT = 200;

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

export class UsageQueryDto {
  /** Comma-separated organization ids, at most MAX_ORGS_PER_REPORT. */
  @Matches(new RegExp(`^${UUID}(,${UUID}){0,${MAX_ORGS_PER_REPORT - 1}}$`), { message: `orgIds must be 1 to ${MAX_ORGS_PER_REPORT} comma-separated uuids` })
  orgIds!: string;

  /** The day (UTC) whose API requests are reported; today by default. */
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be YYYY-MM-DD' })
  date?: string;
}

export type { OrgUsage, UsageReport } from '@medgenie/contracts';
