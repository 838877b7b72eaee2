import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Tier 1: a country, with its data residency, languages, currency and compliance framework. */
@Entity({ name: 'regions' })
export class Region {
  @PrimaryColumn() id: string;
  @Column() name: string;
  @Column() domain: string;
  @Column({ name: 'local_domain' }) localDomain: string;
  @Column({ type: 'varchar', array: true }) languages: string[];
  @Column({ name: 'default_language' }) defaultLanguage: string;
  @Column() currency: string;
  @Column() timezone: string;
  @Column({ name: 'compliance_framework' }) complianceFramework: string;
  @Column({ name: 'data_center' }) dataCenter: string;
  @Column({ name: 'api_url' }) apiUrl: string;
  @Column() status: string;
}
