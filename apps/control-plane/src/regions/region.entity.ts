import { Check, Column, Entity, PrimaryColumn, Unique } from 'typeorm';

/** Tier 1: a country, with its data residency, languages, currency and compliance framework. */
@Entity({ name: 'regions' })
@Unique('regions_domain_key', ['domain'])
@Unique('regions_local_domain_key', ['localDomain'])
@Check('regions_check', 'default_language = any (languages)')
export class Region {
  @PrimaryColumn({ type: 'varchar', length: 8, primaryKeyConstraintName: 'regions_pkey' })
  @Check('regions_id_check', "id ~ '^[a-z]{2,8}$'")
  id: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'varchar', length: 253 }) domain: string;
  @Column({ name: 'local_domain', type: 'varchar', length: 253 }) localDomain: string;
  @Column({ type: 'varchar', length: 8, array: true }) languages: string[];
  @Column({ name: 'default_language', type: 'varchar', length: 8 }) defaultLanguage: string;
  @Column({ type: 'char', length: 3 }) currency: string;
  @Column({ type: 'varchar', length: 64 }) timezone: string;
  @Column({ name: 'compliance_framework', type: 'varchar', length: 32 }) complianceFramework: string;
  @Column({ name: 'data_center', type: 'varchar', length: 100 }) dataCenter: string;
  @Column({ name: 'api_url', type: 'varchar', length: 500 }) apiUrl: string;
  @Column({ type: 'varchar', length: 16, default: 'active' })
  @Check('regions_status_check', "status in ('active', 'maintenance', 'retired')")
  status: string;
}
