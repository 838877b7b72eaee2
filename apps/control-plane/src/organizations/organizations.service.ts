import { Injectable } from '@nestjs/common';
import { onViolation } from '@medgenie/database';
import { ErrorCode, fail } from '../common/errors';
import { RegionsService } from '../regions/regions.service';
import { Organization, ORGANIZATION_DOMAIN_KEY, OrgStatus } from './organization.entity';
import { OrganizationFilter, OrganizationsRepository } from './organizations.repository';
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
    private readonly organizations: OrganizationsRepository,
    private readonly regions: RegionsService,
    private readonly events: RegistryEvents,
  ) {}

  async get(id: string): Promise<Organization> {
    const org = await this.organizations.findById(id);
    if (!org) throw fail(ErrorCode.OrganizationNotFound, 'Organization not found');
    return org;
  }

  search(filter: OrganizationFilter): Promise<[Organization[], number]> {
    return this.organizations.search(filter);
  }

  /** Applies a change and announces it once committed. */
  async update(id: string, patch: Partial<Organization>): Promise<Organization> {
    await this.organizations.update(id, patch);
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
    if (!(await this.organizations.updateIfStatus(id, from, patch))) return null;
    const org = await this.get(id);
    await this.announce(org);
    return org;
  }

  /** Replaces the org's custom domains (a domain serves one organization only); announces it. */
  async setDomains(id: string, domains: string[]): Promise<void> {
    const org = await this.get(id);
    try {
      await this.organizations.replaceDomains(id, domains);
    } catch (err) {
      throw onViolation(err, { [ORGANIZATION_DOMAIN_KEY]: () => fail(ErrorCode.DomainTaken, 'A domain already serves another organization') });
    }
    await this.announce(org);
  }

  announce(org: Organization): Promise<void> {
    return this.events.publish({ type: 'organization.changed', organizationId: org.id, slug: org.slug, regionId: org.regionId, status: org.status });
  }

  /** Resolves `<slug>.<region domain>` (production or local) or a custom domain, or a bare slug: exactly one of host or slug. */
  async lookup(query: { host?: string; slug?: string }): Promise<OrganizationLookup> {
    if (!query.host === !query.slug) throw fail(ErrorCode.ValidationFailed, 'give exactly one of host or slug');
    let org: Organization | null = null;
    let hostRegionId: string | null = null;
    if (query.slug) {
      org = await this.organizations.findBySlug(query.slug);
    } else if (query.host) {
      const host = query.host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
      org = await this.organizations.findByCustomDomain(host);
      if (!org) {
        const dot = host.indexOf('.');
        const slug = host.slice(0, dot);
        const domain = host.slice(dot + 1);
        const region = await this.regions.findByDomain(domain);
        if (dot > 0 && region) {
          hostRegionId = region.id;
          org = await this.organizations.findBySlug(slug);
        }
      }
    }
    if (!org) throw fail(ErrorCode.OrganizationNotFound, 'No organization answers to this host');
    return { organizationId: org.id, slug: org.slug, name: org.name, regionId: org.regionId, status: org.status, plan: org.plan, hostRegionId };
  }
}
