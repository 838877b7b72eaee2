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
