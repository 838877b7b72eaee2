import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import { CallerFlags } from '../flags/caller-flags.service';
import { SeedFlag } from '../flags/flag-defaults';
import { Flags } from '../flags/flags.service';
import { UpdateIntegrationsDto } from './dto/update-integrations.dto';
import { IntegrationField, IntegrationSettings, IntegrationsRepository } from './integrations.repository';

/** Each setting and the flag that gates it (seed 000). */
export const INTEGRATION_FLAGS: Readonly<Record<IntegrationField, SeedFlag>> = {
  whatsappSenderNumber: 'whatsapp_integration',
  upiVpa: 'upi_payments',
  faxNumber: 'fax_integration',
};

const FIELDS = Object.keys(INTEGRATION_FLAGS) as IntegrationField[];

/** The settings whose flag is on for the organization (the others are left out). */
export type IntegrationsView = Partial<IntegrationSettings>;

/**
 * The organization's settings for the integrations that feature flags gate: each is read and
 * changed only where its flag is on for the caller's organization, evaluated with CallerFlags
 * (region, org and plan) on every request.
 */
@Injectable()
export class IntegrationsService {
  constructor(
    private readonly integrations: IntegrationsRepository,
    private readonly audit: AuditService,
    private readonly callerFlags: CallerFlags,
    private readonly flags: Flags,
  ) {}

  async get(): Promise<IntegrationsView> {
    const { enabled } = await this.enabledFields();
    return view(await this.integrations.find(), enabled);
  }

  async update(dto: UpdateIntegrationsDto): Promise<IntegrationsView> {
    const { orgId, enabled } = await this.enabledFields();
    const given = FIELDS.filter((field) => dto[field] !== undefined);
    const disabled = given.filter((field) => !enabled.includes(field)).map((field) => INTEGRATION_FLAGS[field]);
    if (disabled.length > 0) {
      const names = disabled.join(', ');
      throw fail(ErrorCode.FeatureDisabled, `${names} ${disabled.length === 1 ? 'is' : 'are'} not enabled for this organization`);
    }
    const current = await this.integrations.findForUpdate();
    const patch: Partial<IntegrationSettings> = {};
    for (const field of given) {
      const value = dto[field] ?? null;
      if (value !== current[field]) patch[field] = value;
    }
    const changed = Object.keys(patch) as IntegrationField[];
    if (changed.length > 0) {
      await this.integrations.update(patch);
      // The values are contact and payment details: the event names the fields only.
      this.audit.record({
        action: 'organization.integrations.update',
        resourceType: 'organization',
        resourceId: orgId,
        details: { fields: changed, cleared: changed.filter((field) => patch[field] === null) },
      });
    }
    return view({ ...current, ...patch }, enabled);
  }

  /** The fields whose flag is on for the caller's organization (one read of its plan). */
  private async enabledFields(): Promise<{ orgId: string; enabled: IntegrationField[] }> {
    const context = await this.callerFlags.callerContext();
    return { orgId: context.orgId, enabled: FIELDS.filter((field) => this.flags.isEnabled(INTEGRATION_FLAGS[field], context)) };
  }
}

function view(settings: IntegrationSettings, enabled: readonly IntegrationField[]): IntegrationsView {
  return Object.fromEntries(enabled.map((field) => [field, settings[field]]));
}
