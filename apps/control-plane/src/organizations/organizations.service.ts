import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { onViolation } from '@medgenie/database';
import { ErrorCode, fail } from '../common/errors';
import { RegionsService } from '../regions/regions.service';
import { isPlatformDomain, normalizeDomain, VERIFICATION_VALUE_PREFIX, verificationRecord } from './custom-domains';
import { DomainVerifier } from './domain-verifier';
import { Organization, ORGANIZATION_DOMAIN_KEY, OrganizationDomain, OrgStatus } from './organization.entity';
import { OrganizationFilter, OrganizationsRepository } from './organizations.repository';
import { RegistryEvents } from './registry-events';
import { isDigitForLetterVariant, isPunycodeLabel, slugSkeleton } from './slug-lookalikes';

/** A custom domain as platform admins see it: whether it serves yet, and the record that proves it. */
export interface CustomDomainView {
  domain: string;
  verified: boolean;
  verifiedAt: Date | null;
  txtRecord: { type: 'TXT'; name: string; value: string };
}

function domainView(d: OrganizationDomain): CustomDomainView {
  return { domain: d.domain, verified: d.verifiedAt !== null, verifiedAt: d.verifiedAt, txtRecord: verificationRecord(d.domain, d.verificationToken) };
}

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
    private readonly verifier: DomainVerifier,
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

  async domains(id: string): Promise<CustomDomainView[]> {
    await this.get(id);
    return (await this.organizations.listDomains(id)).map(domainView);
  }

  /**
   * Replaces the org's custom domains; announces it. A domain serves one organization only (409
   * DOMAIN_TAKEN) and is never a platform host name (400 DOMAIN_RESERVED): a region's domain or
   * local domain, anything under one (console., api., every org's <slug>.), or localhost. Domains
   * that stay keep their verification; new ones serve only once verified (`verifyDomain`).
   */
  async setDomains(id: string, domains: string[]): Promise<CustomDomainView[]> {
    const org = await this.get(id);
    const before = (await this.organizations.listDomains(id)).map((d) => d.domain);
    const wanted = [...new Set(domains.map(normalizeDomain))];
    const platform = await this.organizations.platformDomains();
    const reserved = wanted.filter((d) => isPlatformDomain(d, platform));
    if (reserved.length) throw fail(ErrorCode.DomainReserved, `${reserved.join(', ')}: a platform host name, never a custom domain`, undefined, { domains: reserved });
    try {
      await this.organizations.replaceDomains(id, wanted, () => randomBytes(16).toString('hex'));
    } catch (err) {
      throw onViolation(err, { [ORGANIZATION_DOMAIN_KEY]: () => fail(ErrorCode.DomainTaken, 'A domain already serves another organization') });
    }
    await this.announce(org, [...new Set([...before, ...wanted])]);
    return this.domains(id);
  }

  /**
   * Verifies the org's hold of a custom domain: its TXT record `_medgenie-verify.<domain>` must
   * carry `medgenie-verify=<token>` (409 DOMAIN_NOT_VERIFIED names the record otherwise), unless
   * forced. A verified domain is answered as it is (`changed: false`).
   */
  async verifyDomain(id: string, domain: string, force: boolean): Promise<CustomDomainView & { changed: boolean }> {
    const org = await this.get(id);
    const name = normalizeDomain(domain);
    const held = await this.organizations.findDomain(id, name);
    if (!held) throw fail(ErrorCode.DomainNotFound, `${name} is not a domain of this organization`);
    if (held.verifiedAt) return { ...domainView(held), changed: false };
    const record = verificationRecord(held.domain, held.verificationToken);
    if (!force) {
      const published = await this.verifier.txtRecords(record.name);
      if (!published.some((v) => v.trim() === `${VERIFICATION_VALUE_PREFIX}${held.verificationToken}`)) {
        throw fail(ErrorCode.DomainNotVerified, `No TXT record ${record.name} = "${record.value}" was found: publish it, then verify again`, undefined, { txtRecord: record });
      }
    }
    const verified = await this.organizations.markDomainVerified(id, name);
    if (!verified) throw fail(ErrorCode.DomainNotFound, `${name} is not a domain of this organization`);
    // A gateway may remember the domain as nobody's (asked before it was verified): it forgets that now.
    await this.announce(org, [name]);
    return { ...domainView(verified), changed: true };
  }

  /**
   * Refuses a new slug that imitates another (409 SLUG_LOOKALIKE, naming the kind, not the org): a
   * punycode label, or a digit-for-letter variant of an existing slug; and one whose
   * `<slug>.<region domain>` is someone's custom domain (409 SLUG_TAKEN). The slug itself being
   * taken is the unique key's to say.
   */
  async assertSlugAvailable(slug: string): Promise<void> {
    if (isPunycodeLabel(slug)) throw fail(ErrorCode.SlugLookalike, `The name "${slug}" is a punycode (internationalized) label, which can imitate another organization's; choose another`);
    const candidates = await this.organizations.slugsWithSkeleton(slugSkeleton(slug));
    if (candidates.some((existing) => isDigitForLetterVariant(slug, existing))) {
      throw fail(ErrorCode.SlugLookalike, `The name "${slug}" is a digit-for-letter look-alike of an existing organization's name; choose another`);
    }
    if (await this.organizations.isSlugHostACustomDomain(slug)) throw fail(ErrorCode.SlugTaken, `The name "${slug}" is taken`);
  }

  announce(org: Organization, domains?: string[]): Promise<void> {
    return this.events.publish({ type: 'organization.changed', organizationId: org.id, slug: org.slug, regionId: org.regionId, status: org.status, ...(domains?.length ? { domains } : {}) });
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
