import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { FlagStrategy } from './flags.types';

/*
 * The flags' tables, column for column as migration 1764710000000 builds them (the flags
 * integration test diffs these entities against the migrated schema). The repository reads and
 * writes them with bound SQL; these classes are its row types.
 */

/** A flag's definition: served to the regions and the gateway as the Unleash client API. */
@Entity({ name: 'feature_flags' })
export class FeatureFlag {
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'feature_flags_pkey' })
  @Check('feature_flags_name_check', "name ~ '^[a-z][a-z0-9_]{1,63}$'")
  name: string;
  @Column({ type: 'varchar', length: 500, default: '' }) description: string;
  @Column({ type: 'boolean', default: false }) enabled: boolean;
  @Column({ type: 'jsonb', default: [] })
  @Check('feature_flags_strategies_check', "jsonb_typeof(strategies) = 'array'")
  strategies: FlagStrategy[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** An SDK instance that polled or registered: which client token, app and instance, and when. */
@Entity({ name: 'flag_client_instances' })
export class FlagClientInstance {
  /** The client token's name: a region id, or "gateway". */
  @PrimaryColumn({ type: 'varchar', length: 32, primaryKeyConstraintName: 'flag_client_instances_pkey' }) client: string;
  @PrimaryColumn({ name: 'app_name', type: 'varchar', length: 200, primaryKeyConstraintName: 'flag_client_instances_pkey' }) appName: string;
  @PrimaryColumn({ name: 'instance_id', type: 'varchar', length: 200, primaryKeyConstraintName: 'flag_client_instances_pkey' }) instanceId: string;
  @Column({ name: 'sdk_version', type: 'varchar', length: 100, nullable: true }) sdkVersion: string | null;
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true }) startedAt: Date | null;
  @Column({ name: 'interval_ms', type: 'int', nullable: true }) intervalMs: number | null;
  @Column({ name: 'registered_at', type: 'timestamptz', nullable: true }) registeredAt: Date | null;
  @Column({ name: 'last_seen_at', type: 'timestamptz', default: () => 'now()' }) lastSeenAt: Date;
}

/** How often a flag answered yes and no, per client, app and hour. */
@Entity({ name: 'flag_metrics_hourly' })
export class FlagMetricsHour {
  @PrimaryColumn({ name: 'flag_name', type: 'varchar', length: 64, primaryKeyConstraintName: 'flag_metrics_hourly_pkey' }) flagName: string;
  @PrimaryColumn({ type: 'timestamptz', primaryKeyConstraintName: 'flag_metrics_hourly_pkey' }) hour: Date;
  @PrimaryColumn({ type: 'varchar', length: 32, primaryKeyConstraintName: 'flag_metrics_hourly_pkey' }) client: string;
  @PrimaryColumn({ name: 'app_name', type: 'varchar', length: 200, primaryKeyConstraintName: 'flag_metrics_hourly_pkey' }) appName: string;
  /** bigint: pg answers it as a string. */
  @Column({ type: 'bigint', default: 0 }) yes: string;
  @Column({ type: 'bigint', default: 0 }) no: string;
}

export const flagEntities = [FeatureFlag, FlagClientInstance, FlagMetricsHour];
