import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FeatureFlag, FlagClientInstance, FlagMetricsHour } from './feature-flag.entity';
import type { FlagStrategy } from './flags.types';

/** A write to a flag, with what it replaced (for the audit trail). */
export interface FlagWrite {
  flag: FeatureFlag;
  created: boolean;
  previous: Pick<FeatureFlag, 'enabled' | 'description' | 'strategies'> | null;
}

/** What an SDK instance says of itself when it registers. */
export interface InstanceRegistration {
  sdkVersion: string | null;
  startedAt: Date | null;
  intervalMs: number | null;
}

/** One flag's counts in a metrics report. */
export interface FlagCount {
  name: string;
  yes: number;
  no: number;
}

/**
 * The flags' tables: definitions (feature_flags) and what the SDK instances report
 * (flag_client_instances, flag_metrics_hourly, pruned by FlagMetricsRetention). Bound SQL, the rows
 * typed by the entities.
 */
@Injectable()
export class FlagsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Every flag, by name. */
  list(): Promise<FeatureFlag[]> {
    return this.dataSource.query(`SELECT name, description, enabled, strategies, created_at AS "createdAt", updated_at AS "updatedAt" FROM feature_flags ORDER BY name`);
  }

  async find(name: string): Promise<FeatureFlag | null> {
    const rows: FeatureFlag[] = await this.dataSource.query(`SELECT name, description, enabled, strategies, created_at AS "createdAt", updated_at AS "updatedAt" FROM feature_flags WHERE name = $1`, [name]);
    return rows[0] ?? null;
  }

  /**
   * Creates or replaces a flag in one statement. A null description keeps the current one (or
   * none, on creation). `created` comes from the row itself (an inserted row has no xmax), so two
   * racing creations are told apart. `previous` is the row as the statement's snapshot saw it
   * (not locked: a lock taken in the same statement as the update would skip the row it updates).
   */
  async upsert(name: string, values: { description: string | null; enabled: boolean; strategies: FlagStrategy[] }): Promise<FlagWrite> {
    const rows: (FeatureFlag & { created: boolean; previous: FlagWrite['previous'] })[] = await this.dataSource.query(
      `WITH previous AS (SELECT enabled, description, strategies FROM feature_flags WHERE name = $1),
            saved AS (
              INSERT INTO feature_flags AS f (name, description, enabled, strategies)
              VALUES ($1, coalesce($2::varchar, ''), $3, $4::jsonb)
              ON CONFLICT (name) DO UPDATE
                SET description = coalesce($2::varchar, f.description), enabled = excluded.enabled,
                    strategies = excluded.strategies, updated_at = now()
              RETURNING f.*, (f.xmax = 0) AS created
            )
       SELECT name, description, enabled, strategies, created_at AS "createdAt", updated_at AS "updatedAt", created,
              (SELECT to_jsonb(p) FROM previous p) AS previous
         FROM saved`,
      [name, values.description, values.enabled, JSON.stringify(values.strategies)],
    );
    const { created, previous, ...flag } = rows[0];
    return { flag, created, previous: created ? null : previous };
  }

  /** Changes the fields given (null: unchanged); null when there is no such flag. */
  async update(name: string, patch: { enabled: boolean | null; description: string | null; strategies: FlagStrategy[] | null }): Promise<FlagWrite | null> {
    // An UPDATE answers [rows, count] through TypeORM.
    const [rows]: [(FeatureFlag & { previous: FlagWrite['previous'] })[], number] = await this.dataSource.query(
      `WITH previous AS (SELECT enabled, description, strategies FROM feature_flags WHERE name = $1 FOR UPDATE)
       UPDATE feature_flags f
          SET enabled = coalesce($2::boolean, f.enabled), description = coalesce($3::varchar, f.description),
              strategies = coalesce($4::jsonb, f.strategies), updated_at = now()
         FROM previous
        WHERE f.name = $1
       RETURNING f.name, f.description, f.enabled, f.strategies, f.created_at AS "createdAt", f.updated_at AS "updatedAt", to_jsonb(previous) AS previous`,
      [name, patch.enabled, patch.description, patch.strategies === null ? null : JSON.stringify(patch.strategies)],
    );
    if (!rows[0]) return null;
    const { previous, ...flag } = rows[0];
    return { flag, created: false, previous };
  }

  /** The deleted flag, or null when there was none. */
  async delete(name: string): Promise<FeatureFlag | null> {
    // A DELETE answers [rows, count] through TypeORM.
    const [rows]: [FeatureFlag[], number] = await this.dataSource.query(`DELETE FROM feature_flags WHERE name = $1 RETURNING name, description, enabled, strategies, created_at AS "createdAt", updated_at AS "updatedAt"`, [name]);
    return rows[0] ?? null;
  }

  /** An SDK instance polled: its last-seen time moves on (the row is made on first sight). */
  async touchInstance(client: string, appName: string, instanceId: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO flag_client_instances (client, app_name, instance_id) VALUES ($1, $2, $3)
       ON CONFLICT ON CONSTRAINT flag_client_instances_pkey DO UPDATE SET last_seen_at = now()`,
      [client, appName, instanceId],
    );
  }

  async registerInstance(client: string, appName: string, instanceId: string, registration: InstanceRegistration): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO flag_client_instances (client, app_name, instance_id, sdk_version, started_at, interval_ms, registered_at)
       VALUES ($1, $2, $3, $4, $5, $6, now())
       ON CONFLICT ON CONSTRAINT flag_client_instances_pkey DO UPDATE
         SET sdk_version = excluded.sdk_version, started_at = excluded.started_at, interval_ms = excluded.interval_ms,
             registered_at = now(), last_seen_at = now()`,
      [client, appName, instanceId, registration.sdkVersion, registration.startedAt, registration.intervalMs],
    );
  }

  /** Adds a report's counts to the current hour (UTC) of each flag, for this client and app. */
  async addCounts(client: string, appName: string, counts: FlagCount[]): Promise<void> {
    if (counts.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO flag_metrics_hourly AS m (flag_name, client, app_name, hour, yes, no)
       SELECT t.name, $1, $2, date_trunc('hour', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', t.yes, t.no
         FROM unnest($3::varchar[], $4::bigint[], $5::bigint[]) AS t (name, yes, no)
       ON CONFLICT ON CONSTRAINT flag_metrics_hourly_pkey DO UPDATE SET yes = m.yes + excluded.yes, no = m.no + excluded.no`,
      [client, appName, counts.map((c) => c.name), counts.map((c) => c.yes), counts.map((c) => c.no)],
    );
  }

  /** A flag's hourly counts since `since`, newest first. */
  metrics(name: string, since: Date): Promise<FlagMetricsHour[]> {
    return this.dataSource.query(
      `SELECT flag_name AS "flagName", hour, client, app_name AS "appName", yes, no
         FROM flag_metrics_hourly WHERE flag_name = $1 AND hour >= $2
        ORDER BY hour DESC, client, app_name`,
      [name, since],
    );
  }

  /** Deletes the hourly counts of hours before `cutoff`; answers how many rows went. */
  async deleteMetricsBefore(cutoff: Date): Promise<number> {
    // A DELETE answers [rows, count] through TypeORM.
    const [, count]: [unknown[], number] = await this.dataSource.query(`DELETE FROM flag_metrics_hourly WHERE hour < $1`, [cutoff]);
    return count;
  }

  /** The SDK instances, the most recently seen first. */
  instances(limit: number): Promise<FlagClientInstance[]> {
    return this.dataSource.query(
      `SELECT client, app_name AS "appName", instance_id AS "instanceId", sdk_version AS "sdkVersion", started_at AS "startedAt",
              interval_ms AS "intervalMs", registered_at AS "registeredAt", last_seen_at AS "lastSeenAt"
         FROM flag_client_instances ORDER BY last_seen_at DESC, client, app_name, instance_id LIMIT $1`,
      [limit],
    );
  }
}
