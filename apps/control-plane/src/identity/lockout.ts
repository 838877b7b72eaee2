/** How failures lock: after `threshold`, for `baseSeconds` doubling with every further failure, at most `maxSeconds`. */
export interface LockoutPolicy {
  threshold: number;
  baseSeconds: number;
  maxSeconds: number;
}

/** A claimed check (`claimed`), or a refused one while locked; `lockedUntil` as the claim left it. */
export interface LockoutClaim {
  claimed: boolean;
  lockedUntil: Date | null;
}

/**
 * `locked_until` once one more failure is counted in `counter` (a column): locked at the failure
 * that reaches $2 (threshold) for $3 (base seconds) doubling with each further one, at most $4;
 * otherwise `lockedUntil` as it was. One rule for passwords, second factors and unknown emails.
 */
export const nextLock = (counter: string, lockedUntil: string) =>
  `case when ${counter} + 1 >= $2 then now() + make_interval(secs => least($3 * power(2, ${counter} + 1 - $2), $4)) else ${lockedUntil} end`;

/** The bound values of a claim statement: the key ($1), then the policy ($2-$4) as `nextLock` reads it. */
export const claimValues = (key: string, policy: LockoutPolicy): unknown[] => [key, policy.threshold, policy.baseSeconds, policy.maxSeconds];

/** A claim from the rows its statement returned, or from the lock read after a refusal. */
export function lockoutClaim(claimedRows: { locked_until: Date | null }[], current?: { locked_until: Date | null } | null): LockoutClaim {
  const row = claimedRows[0] ?? current;
  return { claimed: claimedRows.length > 0, lockedUntil: row?.locked_until ? new Date(row.locked_until) : null };
}
