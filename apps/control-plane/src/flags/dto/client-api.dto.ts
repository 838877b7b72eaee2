import { z } from 'zod';

/*
 * The bodies `unleash-client` posts. Parsed with a schema that ignores fields it does not name,
 * unlike our DTOs (the global pipe refuses unknown fields): the Unleash protocol grows fields
 * across SDK versions, and refusing them would silently lose a region's reports after an SDK
 * upgrade. What we keep is bounded.
 */

const name = z.string().min(1).max(200);
const count = z.number().int().min(0).max(1_000_000_000);

export const RegisterBody = z.object({
  appName: name,
  instanceId: name,
  sdkVersion: z.string().max(100).nullish(),
  started: z.coerce.date().nullish(),
  interval: z.number().int().min(0).max(86_400_000).nullish(),
});
export type RegisterBody = z.infer<typeof RegisterBody>;

export const MetricsBody = z.object({
  appName: name,
  instanceId: name,
  bucket: z.object({
    toggles: z
      .record(z.string().max(200), z.object({ yes: count, no: count }))
      .refine((t) => Object.keys(t).length <= 1000, 'at most 1000 flags per report'),
  }),
});
export type MetricsBody = z.infer<typeof MetricsBody>;
