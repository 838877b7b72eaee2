import { Injectable } from '@nestjs/common';
import { PLANS } from '@medgenie/contracts';
import { evaluateDefinitions, FlagContext } from '@medgenie/flags';
import { AdminAuditService } from '../audit/admin-audit.service';
import { ErrorCode, fail } from '../common/errors';
import { Principal } from '../common/principal';
import { FeatureFlag } from './feature-flag.entity';
import { FlagWrite, FlagsRepository } from './flags.repository';
import { FlagContextField, FlagStrategy, FlagView } from './flags.types';
import { FlagStrategyDto, PatchFlagDto, PutFlagDto } from './dto/flag.dto';
import { clientFeatures } from './unleash-features';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * What each context field's values look like, as the regions and the gateway set them: a value
 * that cannot match (`IN` / `Apollo` for a region, an org's slug for its id) is refused rather
 * than saved as a rule that never fires.
 */
const VALUE_RULES: Record<FlagContextField, { test: (v: string) => boolean; expected: string }> = {
  regionId: { test: (v) => /^[a-z]{2,8}$/.test(v), expected: 'a lower-case region id such as "in"' },
  orgId: { test: (v) => UUID.test(v), expected: 'an organization id (a lower-case UUID)' },
  clinicId: { test: (v) => UUID.test(v), expected: 'a clinic id (a lower-case UUID)' },
  plan: { test: (v) => (PLANS as readonly string[]).includes(v), expected: `a plan (${PLANS.join(', ')})` },
};

const view = (flag: FeatureFlag): FlagView => ({
  name: flag.name,
  description: flag.description,
  enabled: flag.enabled,
  strategies: flag.strategies,
  createdAt: flag.createdAt,
  updatedAt: flag.updatedAt,
});

/** The flags' definitions, for platform admins; every change lands in the admin audit trail. */
@Injectable()
export class FlagsService {
  constructor(
    private readonly flags: FlagsRepository,
    private readonly audit: AdminAuditService,
  ) {}

  async list(): Promise<{ items: FlagView[] }> {
    return { items: (await this.flags.list()).map(view) };
  }

  /**
   * The saved flags evaluated for one context (every flag, or `names`), by the same SDK over the
   * same definitions as the regions and the gateway.
   */
  async evaluate(context: FlagContext, names?: readonly string[]): Promise<Record<string, boolean>> {
    const { items } = await this.list();
    return evaluateDefinitions(clientFeatures(items), names ?? items.map((f) => f.name), context);
  }

  async get(name: string): Promise<FlagView> {
    const flag = await this.flags.find(name);
    if (!flag) throw fail(ErrorCode.FlagNotFound, `There is no flag ${name}`);
    return view(flag);
  }

  /** Creates or replaces the flag (`created` says which). */
  async put(caller: Principal, name: string, dto: PutFlagDto): Promise<{ flag: FlagView; created: boolean }> {
    const strategies = this.strategies(dto.strategies ?? []);
    const write = await this.flags.upsert(name, { description: dto.description ?? null, enabled: dto.enabled, strategies });
    await this.record(caller, write.created ? 'flag.create' : 'flag.replace', write);
    return { flag: view(write.flag), created: write.created };
  }

  /** Changes the fields given, keeping the others. */
  async patch(caller: Principal, name: string, dto: PatchFlagDto): Promise<FlagView> {
    if (dto.enabled === undefined && dto.description === undefined && dto.strategies === undefined) {
      throw fail(ErrorCode.ValidationFailed, 'Give at least one of enabled, description and strategies');
    }
    const write = await this.flags.update(name, {
      enabled: dto.enabled ?? null,
      description: dto.description ?? null,
      strategies: dto.strategies === undefined ? null : this.strategies(dto.strategies),
    });
    if (!write) throw fail(ErrorCode.FlagNotFound, `There is no flag ${name}`);
    await this.record(caller, 'flag.update', write);
    return view(write.flag);
  }

  async delete(caller: Principal, name: string): Promise<void> {
    const deleted = await this.flags.delete(name);
    if (!deleted) throw fail(ErrorCode.FlagNotFound, `There is no flag ${name}`);
    await this.audit.record(caller.userId, 'flag.delete', 'feature_flag', name, {
      enabled: deleted.enabled,
      strategies: JSON.stringify(deleted.strategies),
    });
  }

  /** A flag's evaluation counts reported by the SDKs, per hour, client and app. */
  async metrics(name: string, hours: number) {
    const since = new Date(Date.now() - hours * 3_600_000);
    const rows = await this.flags.metrics(name, since);
    return {
      name,
      items: rows.map((r) => ({ hour: r.hour, client: r.client, appName: r.appName, yes: Number(r.yes), no: Number(r.no) })),
    };
  }

  /** The SDK instances that polled, registered or reported, most recently seen first. */
  async clients(limit: number) {
    return { items: await this.flags.instances(limit) };
  }

  /** The strategies as stored: only the fields we define, values checked against their context field. */
  /** Strategies as given, each value checked against what its context field can hold (400 otherwise). */
  strategies(dtos: FlagStrategyDto[]): FlagStrategy[] {
    return dtos.map((s, i) => ({
      constraints: s.constraints.map((c, j) => {
        const rule = VALUE_RULES[c.contextName];
        const bad = c.values.find((v) => !rule.test(v));
        if (bad !== undefined) {
          throw fail(ErrorCode.ValidationFailed, `strategies[${i}].constraints[${j}]: ${JSON.stringify(bad)} is not ${rule.expected}`);
        }
        return { contextName: c.contextName, operator: c.operator, values: [...new Set(c.values)] };
      }),
    }));
  }

  private record(caller: Principal, action: string, write: FlagWrite): Promise<void> {
    const { flag, previous } = write;
    return this.audit.record(caller.userId, action, 'feature_flag', flag.name, {
      enabled: flag.enabled,
      strategies: JSON.stringify(flag.strategies),
      description: flag.description,
      ...(previous ? { previousEnabled: previous.enabled, previousStrategies: JSON.stringify(previous.strategies) } : {}),
    });
  }
}
