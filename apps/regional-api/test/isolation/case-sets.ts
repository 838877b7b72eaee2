import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CaseSet } from './matrix';

/**
 * The case sets, one per `*.cases.ts` file beside this one: core first (its seed makes what the
 * others build on), then by file name. Both matrices (organization and clinic) read them.
 */
export const CASE_SETS: [string, CaseSet][] = readdirSync(__dirname)
  .filter((file) => file.endsWith('.cases.ts'))
  .sort((x, y) => (x === 'core.cases.ts' ? -1 : y === 'core.cases.ts' ? 1 : x.localeCompare(y)))
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  .map((file) => [file, (require(join(__dirname, file)) as { default: CaseSet }).default]);

/** Each route's cases from every set (a route's cases live in one file only), as lists. */
export function casesByRoute<C extends { kind: string }>(pick: (set: CaseSet) => Record<string, C | C[]>): Record<string, C[]> {
  const cases: Record<string, C[]> = {};
  for (const [file, set] of CASE_SETS) {
    for (const [key, testCase] of Object.entries(pick(set))) {
      if (cases[key]) throw new Error(`${key} has a case in more than one file (again in ${file})`);
      cases[key] = Array.isArray(testCase) ? testCase : [testCase];
      if (!cases[key].length) throw new Error(`${key} has an empty list of cases in ${file}`);
    }
  }
  return cases;
}
