import type { Flag, Organization } from '../api/types';

/** Whether a flag is on for an organization, as the SDKs evaluate it (a clinic constraint: any of its clinics). */
export function flagReaches(flag: Flag, org: Pick<Organization, 'id' | 'regionId' | 'plan'>): boolean | 'depends' {
  if (!flag.enabled) return false;
  if (flag.strategies.length === 0) return true;
  const context: Record<string, string> = { regionId: org.regionId, orgId: org.id, plan: org.plan };
  let depends = false;
  for (const strategy of flag.strategies) {
    let holds: boolean | 'depends' = true;
    for (const c of strategy.constraints) {
      if (c.contextName === 'clinicId') {
        holds = 'depends';
        continue;
      }
      const inValues = c.values.includes(context[c.contextName]);
      if ((c.operator === 'IN') !== inValues) {
        holds = false;
        break;
      }
    }
    if (holds === true) return true;
    if (holds === 'depends') depends = true;
  }
  return depends ? 'depends' : false;
}

type Strategies = Flag['strategies'];

/**
 * The flag's targeting with one organization left out, everything else as it was: the org's id
 * comes out of the `orgId IN` lists that name it (a strategy left with no org is dropped) and goes
 * into an `orgId NOT_IN` list of every other strategy that reaches it. A flag that reached only this org is
 * disabled rather than left with no strategy (which would reach everyone).
 */
export function targetingWithout(flag: Flag, org: Pick<Organization, 'id' | 'regionId' | 'plan'>): { enabled: boolean; strategies: Strategies } {
  const orgId = org.id;
  const base: Strategies = flag.strategies.length === 0 ? [{ constraints: [] }] : flag.strategies;
  const strategies: Strategies = [];
  for (const strategy of base) {
    const named = strategy.constraints.find((c) => c.contextName === 'orgId' && c.operator === 'IN' && c.values.includes(orgId));
    if (named) {
      const values = named.values.filter((v) => v !== orgId);
      if (values.length > 0) strategies.push({ constraints: strategy.constraints.map((c) => (c === named ? { ...c, values } : c)) });
      continue;
    }
    // A strategy that does not reach the org stays as it is.
    if (flagReaches({ ...flag, enabled: true, strategies: [strategy] }, org) === false) {
      strategies.push(strategy);
      continue;
    }
    const excluded = strategy.constraints.find((c) => c.contextName === 'orgId' && c.operator === 'NOT_IN');
    strategies.push({
      constraints: excluded
        ? strategy.constraints.map((c) => (c === excluded ? { ...c, values: [...new Set([...c.values, orgId])] } : c))
        : [...strategy.constraints, { contextName: 'orgId', operator: 'NOT_IN', values: [orgId] }],
    });
  }
  return strategies.length === 0 ? { enabled: false, strategies: flag.strategies } : { enabled: flag.enabled, strategies };
}

/**
 * The (enabled) flag's targeting with one organization added: its id out of every `orgId NOT_IN`
 * list, and a strategy `orgId IN [id]` when that is not enough. Other organizations keep what they had.
 */
export function targetingWith(flag: Flag, orgId: string, org: Pick<Organization, 'regionId' | 'plan'>): { enabled: boolean; strategies: Strategies } {
  const strategies: Strategies = flag.strategies
    .map((s) => ({
      constraints: s.constraints
        .map((c) => (c.contextName === 'orgId' && c.operator === 'NOT_IN' ? { ...c, values: c.values.filter((v) => v !== orgId) } : c))
        .filter((c) => c.values.length > 0),
    }));
  // A strategy that was only "everyone but this org" is left with no constraint: everyone, as before the exclusion.
  const updated: Flag = { ...flag, enabled: true, strategies };
  if (flagReaches(updated, { id: orgId, ...org }) === true) return { enabled: true, strategies };
  return { enabled: true, strategies: [...strategies, { constraints: [{ contextName: 'orgId', operator: 'IN', values: [orgId] }] }] };
}
