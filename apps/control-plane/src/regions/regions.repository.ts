import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { Region } from './region.entity';

/** The regions table (read-only for the application role: seeded by migrations). */
@Injectable()
export class RegionsRepository {
  private readonly regions: Repository<Region>;

  constructor(dataSource: DataSource) {
    this.regions = dataSource.getRepository(Region);
  }

  listAll(): Promise<Region[]> {
    return this.regions.find({ order: { id: 'ASC' } });
  }

  listActive(): Promise<Region[]> {
    return this.regions.find({ where: { status: 'active' }, order: { id: 'ASC' } });
  }

  findById(id: string): Promise<Region | null> {
    return this.regions.findOneBy({ id });
  }

  findActive(id: string): Promise<Region | null> {
    return this.regions.findOneBy({ id, status: 'active' });
  }

  /** The region whose production or local domain is `domain`. */
  findByDomain(domain: string): Promise<Region | null> {
    return this.regions.createQueryBuilder('r').where('r.domain = :domain or r.local_domain = :domain', { domain }).getOne();
  }
}
