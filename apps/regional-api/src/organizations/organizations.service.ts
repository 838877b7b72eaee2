import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import { REGIONAL_CONFIG, RegionalConfig } from '../config/regional.config';
import { CallerFlags } from '../flags/caller-flags.service';
import { UpdateOrganizationSettingsDto } from './dto/organization-settings.dto';
import { OrganizationRow, OrganizationSettingsPatch, OrganizationsRepository, OrganizationUsage } from './organizations.repository';

export interface OrganizationView extends Pick<OrganizationRow, 'id' | 'slug' | 'name' | 'plan' | 'status' | 'limits'> {
  /** Only while on a trial: when it ends. */
  trialEndsAt?: Date;
  /** Only while the subscription is unpaid past its grace period (writes refused with 402 PAYMENT_OVERDUE): since when. */
  paymentOverdueSince?: Date;
  regionId: string;
  settings: Pick<OrganizationRow, 'branding' | 'language' | 'timezone'>;
  availableLanguages: string[];
  /** What the organization holds now, counted as its plan limits count (one statement). */
  usage: OrganizationUsage;
}

@Injectable()
export class OrganizationsService {
  constructor(
    private readonly organizations: OrganizationsRepository,
    private readonly audit: AuditService,
    private readonly flags: CallerFlags,
    @Inject(REGIONAL_CONFIG) private readonly config: RegionalConfig,
  ) {}

  async get(): Promise<OrganizationView> {
    return this.view(await this.findWithUsage());
  }

  async updateSettings(dto: UpdateOrganizationSettingsDto): Promise<OrganizationView> {
    const org = await this.find();
    if (dto.language) {
      // The region's languages bound the choice; the language flags decide it for this org.
      const languages = this.flags.languagesFor(org);
      if (!languages.includes(dto.language)) {
        throw fail(ErrorCode.UnsupportedLanguage, `language must be one of the languages available to this organization: ${languages.join(', ')}`);
      }
    }
    const patch: OrganizationSettingsPatch = {};
    // Only the branding fields given: the repository merges them into the stored ones in its statement.
    if (dto.branding) patch.branding = { ...dto.branding };
    if (dto.language) patch.language = dto.language;
    if (dto.timezone) patch.timezone = dto.timezone;
    if (Object.keys(patch).length > 0) {
      await this.organizations.updateSettings(patch);
      this.audit.record({
        action: 'organization.settings.update',
        resourceType: 'organization',
        resourceId: org.id,
        details: { fields: Object.keys(patch) },
      });
    }
    return this.view(await this.findWithUsage());
  }

  private async findWithUsage(): Promise<OrganizationRow & { usage: OrganizationUsage }> {
    const org = await this.organizations.findCurrentWithUsage();
    if (!org) throw fail(ErrorCode.OrganizationNotFound, 'Organization not found');
    return org;
  }

  private async find(): Promise<OrganizationRow> {
    const org = await this.organizations.findCurrent();
    if (!org) throw fail(ErrorCode.OrganizationNotFound, 'Organization not found');
    return org;
  }

  private view(org: OrganizationRow & { usage: OrganizationUsage }): OrganizationView {
    return {
      id: org.id,
      slug: org.slug,
      name: org.name,
      plan: org.plan,
      status: org.status,
      limits: org.limits,
      ...(org.trialEndsAt ? { trialEndsAt: org.trialEndsAt } : {}),
      ...(org.paymentOverdueSince ? { paymentOverdueSince: org.paymentOverdueSince } : {}),
      regionId: this.config.regionId,
      settings: { branding: org.branding, language: org.language, timezone: org.timezone },
      availableLanguages: this.flags.languagesFor(org),
      usage: org.usage,
    };
  }
}
