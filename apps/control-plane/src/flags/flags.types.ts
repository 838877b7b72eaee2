/** The context fields a flag's constraints may name: what the regions and the gateway know of a request. */
export const FLAG_CONTEXT_FIELDS = ['regionId', 'orgId', 'clinicId', 'plan'] as const;
export type FlagContextField = (typeof FLAG_CONTEXT_FIELDS)[number];

/** Operators, as the Unleash SDK names and evaluates them. */
export const FLAG_OPERATORS = ['IN', 'NOT_IN'] as const;
export type FlagOperator = (typeof FLAG_OPERATORS)[number];

/** A flag's name: lower-case, as the code asks for it (`hindi_language`). */
export const FLAG_NAME_PATTERN = /^[a-z][a-z0-9_]{1,63}$/;

export interface FlagConstraint {
  contextName: FlagContextField;
  operator: FlagOperator;
  values: string[];
}

/**
 * One way a flag is on: every constraint holds (AND). A flag is on when it is enabled and any of
 * its strategies holds (OR); an enabled flag without strategies is on for everyone.
 */
export interface FlagStrategy {
  constraints: FlagConstraint[];
}

/** A flag as the admin API answers it. */
export interface FlagView {
  name: string;
  description: string;
  enabled: boolean;
  strategies: FlagStrategy[];
  createdAt: Date;
  updatedAt: Date;
}
