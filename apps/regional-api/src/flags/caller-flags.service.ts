import { Inject, Injectable } from '@nestjs/common';
import { RequestContext } from '@medgenie/tenancy';
import { ErrorCode, fail } from '../common/errors';
import { REGIONAL_CONFIG, RegionalConfig } from '../config/regional.config';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { LANGUAGE_FLAGS } from './flag-defaults';
import { FlagContext, Flags } from './flags.service';

/**
 * Flags for the caller of the current request: the user, this region, their organization and its
 * plan (and a clinic, where the route is about one). Only routes that need a flag evaluate one;
 * the plan comes from the organization row the route already read, or is read once here.
 */
@Injectable()
export class CallerFlags {
  constructor(
    private readonly flags: Flags,
    private readonly context: RequestContext,
    private readonly organizations: OrganizationsRepository,
    @Inject(REGIONAL_CONFIG) private readonly config: RegionalConfig,
  ) {}

  /** The caller's context, for their organization's `plan` (from a row the caller already holds). */
  contextFor(org: { plan: string }, clinicId?: string): FlagContext {
    return { userId: this.context.userId, regionId: this.config.regionId, orgId: this.context.orgId, plan: org.plan, clinicId };
  }

  /** The caller's context, reading their organization's plan (one statement in the request's transaction). */
  async callerContext(clinicId?: string): Promise<FlagContext> {
    const org = await this.organizations.findCurrent();
    if (!org) throw fail(ErrorCode.OrganizationNotFound, 'Organization not found');
    return this.contextFor(org, clinicId);
  }

  /** `GET /v1/features`: every flag, on or off, for the caller. */
  async all(): Promise<Record<string, boolean>> {
    return this.flags.evaluateAll(await this.callerContext());
  }

  /**
   * The languages the organization may choose: the region's (REGION_LANGUAGES, the outer bound)
   * that need no flag (`en`) or whose flag is on for it (`hi`: hindi_language, `fr`: french_language).
   */
  languagesFor(org: { plan: string }): string[] {
    const context = this.contextFor(org);
    return this.config.languages.filter((language) => {
      const flag = LANGUAGE_FLAGS[language];
      return flag === undefined || this.flags.isEnabled(flag, context);
    });
  }
}
