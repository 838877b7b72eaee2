import { Injectable } from '@nestjs/common';
import { Region } from './region.entity';
import { RegionsRepository } from './regions.repository';

export type PublicRegion = Omit<Region, 'apiUrl'>;

/** The regions an organization can live in. */
@Injectable()
export class RegionsService {
  constructor(private readonly regions: RegionsRepository) {}

  /** The active regions, without their internal API URLs (for the signup form). */
  async listPublic(): Promise<PublicRegion[]> {
    return (await this.regions.listActive()).map(({ apiUrl: _internal, ...publicFields }) => publicFields);
  }

  /** Every region, active or not, without its internal API URL (for platform admins). */
  async listAll(): Promise<PublicRegion[]> {
    return (await this.regions.listAll()).map(({ apiUrl: _internal, ...publicFields }) => publicFields);
  }

  findActive(id: string): Promise<Region | null> {
    return this.regions.findActive(id);
  }

  /** The region's regional API URL from the registry; null for an unknown region. */
  async apiUrl(id: string): Promise<string | null> {
    return (await this.regions.findById(id))?.apiUrl ?? null;
  }

  findByDomain(domain: string): Promise<Region | null> {
    return this.regions.findByDomain(domain);
  }
}
