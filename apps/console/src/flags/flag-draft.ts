import type { Flag, FlagConstraint, FlagContextField } from '../api/types';

/** A condition as edited: its values as typed (comma or line separated). */
export interface DraftConstraint {
  contextName: FlagContextField;
  operator: FlagConstraint['operator'];
  values: string;
}

export const toDraft = (strategies: Flag['strategies']): DraftConstraint[][] =>
  strategies.map((s) => s.constraints.map((c) => ({ contextName: c.contextName, operator: c.operator, values: c.values.join(', ') })));

/** The strategies the API takes: values split and trimmed, empty ones dropped. */
export function fromDraft(draft: DraftConstraint[][]): Flag['strategies'] {
  return draft.map((constraints) => ({
    constraints: constraints.map((c) => ({
      contextName: c.contextName,
      operator: c.operator,
      values: c.values
        .split(/[,\n]/)
        .map((v) => v.trim())
        .filter(Boolean),
    })),
  }));
}
