import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { notFound } from '@medgenie/http';
import { ErrorCode } from '../common/errors';
import { Region } from '../regions/region.entity';
import { Organization, OrganizationDomain, OrgStatus } from './organization.entity';
import { RegistryEvents } from './registry-events';

export interface OrganizationLookup {
  organizationId: string;
  slug: string;
  name: string;
  regionId: string;
  status: string;
  plan: string;
  /** The region whose domain the host is under (null for a custom domain or a slug lookup). */
  hostRegionId: string | null;
}

/** The organizations registry: which org lives in which region, in what state. */
@Injectable()
export class OrganizationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly events: RegistryEvents,
  ) {}

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<Organization> {
    const org = await manager.getRepository(Organization).findOneBy({ id });
    if (!org) throw notFound(ErrorCode.OrganizationNotFound, 'Organization not found');
    return org;
  }

  /** Applies a change and announces it once committed. */
  async update(id: string, patch: Partial<Organization>): Promise<Organization> {
    await this.dataSource.getRepository(Organization).update({ id }, patch);
    const org = await this.get(id);
    await this.announce(org);
    return org;
  }

  /**
   * Applies a change only if the org is still in status `from` (one statement, so of two
   * concurrent callers one makes the change and the other finds it made); announces it. Null
   * when the org was not in `from`.
   */
  async transition(id: string, from: OrgStatus, patch: Partial<Organization>): Promise<Organization | null> {
    const result = await this.dataSource.getRepository(Organization).update({ id, status: from }, patch);
    if (!result.affected) return null;
    const org = await this.get(id);
    await this.announce(org);
    return org;
  }

  announce(org: Organization): Promise<void> {
    return this.events.publish({ type: 'organization.changed', organizationId: org.id, slug: org.slug, regionId: org.regionId, status: org.status });
  }

  /** Resolves `<slug>.<region domain>` (production or local) or a custom domain, or a bare slug. */
  async lookup(query: { host?: string; slug?: string }): Promise<OrganizationLookup> {
    const repo = this.dataSource.getRepository(Organization);
    let org: Organization | null = null;
    let hostRegionId: string | null = null;
    if (query.slug) {
      org = await repo.findOneBy({ slug: query.slug });
    } else if (query.host) {
      const host = query.host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
      const custom = await this.dataSource.getRepository(OrganizationDomain).findOneBy({ domain: host });
      if (custom) {
        org = await repo.findOneBy({ id: custom.organizationId });
      } else {
        const dot = host.indexOf('.');
        const slug = host.slice(0, dot);
        const domain = host.slice(dot + 1);
        const region = await this.dataSource
          .getRepository(Region)
          .createQueryBuilder('r')
          .where('r.domain = :domain or r.local_domain = :domain', { domain })
          .getOne();
        if (dot > 0 && region) {
          hostRegionId = region.id;
          org = await repo.findOneBy({ slug });
        }
      }
    }
    if (!org) throw notFound(ErrorCode.OrganizationNotFound, 'No organization answers to this host');
    return { organizationId: org.id, slug: org.slug, name: org.name, regionId: org.regionId, status: org.status, plan: org.plan, hostRegionId };
  }
}
