import { Injectable } from '@nestjs/common';
import { DataSource, In, IsNull, Not, Repository } from 'typeorm';
import { Organization, OrganizationDomain, OrgStatus } from './organization.entity';

export interface OrganizationFilter {
  regionId?: string;
  plan?: string;
  status?: OrgStatus;
  /** Name or slug prefix, matched case-insensitively. */
  search?: string;
  limit: number;
  offset: number;
}

/** Work the provisioning worker claimed: an org to provision, or one whose region missed a change. */
export interface ClaimedOrganization {
  id: string;
  status: OrgStatus;
  regionSyncPending: boolean;
}

/** The organizations registry's tables: organizations and their custom domains. */
@Injectable()
export class OrganizationsRepository {
  private readonly organizations: Repository<Organization>;
  private readonly domains: Repository<OrganizationDomain>;

  constructor(private readonly dataSource: DataSource) {
    this.organizations = dataSource.getRepository(Organization);
    this.domains = dataSource.getRepository(OrganizationDomain);
  }

  findById(id: string): Promise<Organization | null> {
    return this.organizations.findOneBy({ id });
  }

  findBySlug(slug: string): Promise<Organization | null> {
    return this.organizations.findOneBy({ slug });
  }

  /** The org a verified custom domain serves, if any (an unverified domain serves no one). */
  async findByCustomDomain(domain: string): Promise<Organization | null> {
    const custom = await this.domains.findOneBy({ domain, verifiedAt: Not(IsNull()) });
    return custom ? this.organizations.findOneBy({ id: custom.organizationId }) : null;
  }

  /** A page of organizations, newest first, and how many match in all. */
  search(filter: OrganizationFilter): Promise<[Organization[], number]> {
    const qb = this.organizations.createQueryBuilder('o');
    if (filter.regionId) qb.andWhere('o.region_id = :regionId', { regionId: filter.regionId });
    if (filter.plan) qb.andWhere('o.plan = :plan', { plan: filter.plan });
    if (filter.status) qb.andWhere('o.status = :status', { status: filter.status });
    if (filter.search) {
      const prefix = filter.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
      qb.andWhere('(o.slug like :prefix or lower(o.name) like :prefix)', { prefix: `${prefix}%` });
    }
    return qb.orderBy('o.created_at', 'DESC').addOrderBy('o.id').take(filter.limit).skip(filter.offset).getManyAndCount();
  }

  /** Every organization that flags can reach (not being erased): what a flag's evaluation context needs. */
  flagTargets(): Promise<{ id: string; slug: string; regionId: string; plan: string; status: string }[]> {
    return this.dataSource.query(`select id, slug, region_id as "regionId", plan, status from organizations where status <> 'deleting' order by slug`);
  }

  /** How many organizations each region has, by status and by plan. */
  countsByRegion(): Promise<{ regionId: string; status: string; plan: string; organizations: number }[]> {
    return this.dataSource.query(`select region_id as "regionId", status, plan, count(*)::int as organizations from organizations group by 1, 2, 3 order by 1, 2, 3`);
  }

  async update(id: string, patch: Partial<Organization>): Promise<void> {
    await this.organizations.update({ id }, patch);
  }

  /** Applies `patch` only if the org is in status `from` (one statement); false when it was not. */
  async updateIfStatus(id: string, from: OrgStatus, patch: Partial<Organization>): Promise<boolean> {
    const result = await this.organizations.update({ id, status: from }, patch);
    return !!result.affected;
  }

  /**
   * Clears the org's pending region sync, unless its status, plan or name changed since `seen` was
   * read (that change keeps the flag for the next pass). Raw: the org itself did not change, so
   * updated_at stays as it is (TypeORM's update would bump it).
   */
  async clearSyncPendingIfUnchanged(seen: Pick<Organization, 'id' | 'status' | 'plan' | 'name' | 'trialEndsAt' | 'paymentOverdueSince'>): Promise<void> {
    await this.dataSource.query(
      `update organizations set region_sync_pending = false
        where id = $1 and status = $2 and plan = $3 and name = $4
          and trial_ends_at is not distinct from $5 and payment_overdue_since is not distinct from $6`,
      [seen.id, seen.status, seen.plan, seen.name, seen.trialEndsAt, seen.paymentOverdueSince],
    );
  }

  /** The org's custom domains, by name. */
  listDomains(organizationId: string): Promise<OrganizationDomain[]> {
    return this.domains.find({ where: { organizationId }, order: { domain: 'ASC' } });
  }

  findDomain(organizationId: string, domain: string): Promise<OrganizationDomain | null> {
    return this.domains.findOneBy({ organizationId, domain });
  }

  /**
   * Replaces the org's custom domains, in one transaction with the org's row locked (so two
   * changes to one org do not interleave): domains that stay keep their token and verification,
   * removed ones go, new ones are inserted unverified with `newToken()`. A domain another org holds
   * violates the primary key (ORGANIZATION_DOMAIN_KEY).
   */
  async replaceDomains(organizationId: string, domains: string[], newToken: () => string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query('select 1 from organizations where id = $1 for update', [organizationId]);
      const repo = m.getRepository(OrganizationDomain);
      const held = new Set((await repo.findBy({ organizationId })).map((d) => d.domain));
      const removed = [...held].filter((d) => !domains.includes(d));
      if (removed.length) await repo.delete({ organizationId, domain: In(removed) });
      const added = domains.filter((d) => !held.has(d));
      if (added.length) await repo.insert(added.map((domain) => ({ domain, organizationId, verificationToken: newToken(), verifiedAt: null })));
    });
  }

  /** Marks the org's domain verified now, unless it already is; the row as it then is. */
  async markDomainVerified(organizationId: string, domain: string): Promise<OrganizationDomain | null> {
    await this.domains.update({ organizationId, domain, verifiedAt: IsNull() }, { verifiedAt: () => 'now()' });
    return this.findDomain(organizationId, domain);
  }

  /**
   * The platform's own domains: every region's production and local domain (the region registry,
   * retired regions included: their names stay the platform's).
   */
  async platformDomains(): Promise<string[]> {
    const rows: { domain: string; local_domain: string }[] = await this.dataSource.query('select domain, local_domain from regions');
    return rows.flatMap((r) => [r.domain.toLowerCase(), r.local_domain.toLowerCase()]);
  }

  /** Whether `<slug>.<some region's domain or local domain>` is someone's custom domain (a name kept from before the rules). */
  async isSlugHostACustomDomain(slug: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `select 1 from organization_domains d join regions r on d.domain in ($1 || '.' || lower(r.domain), $1 || '.' || lower(r.local_domain)) limit 1`,
      [slug],
    );
    return rows.length > 0;
  }

  /** The slugs whose skeleton is `skeleton` (the candidates a new slug could imitate). */
  async slugsWithSkeleton(skeleton: string): Promise<string[]> {
    return (await this.organizations.find({ select: { slug: true }, where: { slugSkeleton: skeleton } })).map((o) => o.slug);
  }

  /**
   * Claims up to `limit` orgs with due work (provisioning due, or a region sync pending), pushing
   * their next time a minute out so no other instance takes them. SKIP LOCKED: instances never wait
   * on each other.
   */
  async claimDue(limit: number): Promise<ClaimedOrganization[]> {
    // TypeORM answers an UPDATE … RETURNING with [rows, count].
    const [rows]: [{ id: string; status: OrgStatus; region_sync_pending: boolean }[], number] = await this.dataSource.query(
      `update organizations set next_provisioning_at = now() + interval '1 minute'
        where id in (select id from organizations
                      where (status = 'provisioning' and next_provisioning_at <= now()) or region_sync_pending
                      order by next_provisioning_at nulls first limit $1 for update skip locked)
        returning id, status, region_sync_pending`,
      [limit],
    );
    return rows.map((r) => ({ id: r.id, status: r.status, regionSyncPending: r.region_sync_pending }));
  }
}
