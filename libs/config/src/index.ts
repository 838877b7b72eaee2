import { z } from 'zod';

/** The environment does not configure the app: the message names each bad key. */
export class ConfigError extends Error {}

/**
 * Validates an app's environment against its schema. On failure the message names every bad key
 * and marks secrets, whose values are never echoed.
 */
export function parseEnv<S extends z.ZodTypeAny>(
  app: string,
  schema: S,
  env: Record<string, string | undefined>,
  secretKeys: readonly string[],
): z.output<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const secrets = new Set(secretKeys);
  const lines = parsed.error.issues.map((issue) => {
    const key = issue.path.join('.');
    return `  ${key}: ${issue.message}${secrets.has(String(issue.path[0])) ? ' (secret; value not shown)' : ''}`;
  });
  throw new ConfigError(`${app} configuration is invalid:\n${lines.join('\n')}`);
}

/** A JSON object of string values in one variable (`{"in": "...", "ca": "..."}`), each checked by `valid`. */
export function jsonStringRecord(what: string, valid: (value: string) => boolean = () => true) {
  return z.string().transform((raw, ctx) => {
    try {
      const value = JSON.parse(raw) as unknown;
      if (value && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string' && valid(v))) {
        return value as Record<string, string>;
      }
    } catch {
      // reported below
    }
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be a JSON object of ${what}` });
    return z.NEVER;
  });
}
