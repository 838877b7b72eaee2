import { Injectable } from '@nestjs/common';
import { evaluateDefinitions, evaluateMany } from '@medgenie/flags';
import { ErrorCode, fail } from '../common/errors';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { PutFlagDto } from './dto/flag.dto';
import { FlagsService } from './flags.service';
import { FlagStrategy } from './flags.types';
import { clientFeatures } from './unleash-features';

/** How many reached organizations a preview lists (the counts cover them all). */
const LISTED = 100;

const namesClinics = (strategies: FlagStrategy[]) => strategies.some((s) => s.constraints.some((c) => c.contextName === 'clinicId'));

/**
 * Where flags reach, as the regions and the gateway would evaluate them (the same SDK over the same
 * definitions): the flags in effect for one organization, and which organizations a definition,
 * saved or not, would turn on for. Organizations are evaluated with their region, id and plan; a
 * constraint on clinics is evaluated without a clinic (an org may then be reached for some of its
 * clinics only), and the answer says when one is involved.
 */
@Injectable()
export class FlagReachService {
  constructor(
    private readonly flags: FlagsService,
    private readonly organizations: OrganizationsRepository,
  ) {}

  async forOrganization(orgId: string) {
    const org = await this.organizations.findById(orgId);
    if (!org) throw fail(ErrorCode.OrganizationNotFound, 'No such organization');
    const { items } = await this.flags.list();
    const context = { regionId: org.regionId, orgId: org.id, plan: org.plan };
    const flags = await evaluateDefinitions(clientFeatures(items), items.map((f) => f.name), context);
    return { organizationId: org.id, context, flags, dependOnClinic: items.filter((f) => namesClinics(f.strategies)).map((f) => f.name) };
  }

  /** The reach of the flag as it is saved. */
  async ofFlag(name: string) {
    const flag = await this.flags.get(name);
    return { name, ...(await this.reach(flag.enabled, flag.strategies)) };
  }

  /** The reach of a definition that is not saved (what the console shows while it is edited). */
  preview(dto: PutFlagDto) {
    return this.reach(dto.enabled, this.flags.strategies(dto.strategies ?? []));
  }

  private async reach(enabled: boolean, strategies: FlagStrategy[]) {
    const targets = await this.organizations.flagTargets();
    const answers = await evaluateMany(
      clientFeatures([{ name: 'preview', enabled, strategies }]),
      ['preview'],
      targets.map((t) => ({ regionId: t.regionId, orgId: t.id, plan: t.plan })),
    );
    const reached = targets.filter((_, i) => answers[i].preview);
    const byRegion: Record<string, number> = {};
    const byPlan: Record<string, number> = {};
    for (const org of reached) {
      byRegion[org.regionId] = (byRegion[org.regionId] ?? 0) + 1;
      byPlan[org.plan] = (byPlan[org.plan] ?? 0) + 1;
    }
    return {
      reached: reached.length,
      total: targets.length,
      byRegion,
      byPlan,
      dependsOnClinic: namesClinics(strategies),
      organizations: reached.slice(0, LISTED).map((o) => ({ id: o.id, slug: o.slug, regionId: o.regionId, plan: o.plan, status: o.status })),
    };
  }
}
