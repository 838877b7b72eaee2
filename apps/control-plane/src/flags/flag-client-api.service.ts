import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { ErrorCode, fail } from '../common/errors';
import { MetricsBody, RegisterBody } from './dto/client-api.dto';
import { FlagsRepository } from './flags.repository';
import { FLAG_NAME_PATTERN } from './flags.types';
import { strongEtag, toUnleashFeatures } from './unleash-features';

/** How often a polling instance's last-seen time is written (it polls every few seconds). */
const TOUCH_EVERY_MS = 30_000;
const TOUCH_MEMORY = 10_000;
const IDENTIFIER = /^[^\p{Cc}]{1,200}$/u;

/**
 * The Unleash client API's work (DESIGN §7): the definitions as `unleash-client` reads them, and
 * what the SDK instances report. `client` is the name of the token that called (a region id or
 * "gateway").
 */
@Injectable()
export class FlagClientApiService {
  private readonly touched = new Map<string, number>();

  constructor(private readonly flags: FlagsRepository) {}

  /** The features document, serialized once, and its strong ETag. */
  async features(): Promise<{ body: string; etag: string }> {
    const body = JSON.stringify(toUnleashFeatures(await this.flags.list()));
    return { body, etag: strongEtag(body) };
  }

  /** An instance polled (the SDK names itself in headers): its last-seen time, at most every 30 s per instance. */
  async polled(client: string, appName: unknown, instanceId: unknown): Promise<void> {
    if (typeof appName !== 'string' || typeof instanceId !== 'string' || !IDENTIFIER.test(appName) || !IDENTIFIER.test(instanceId)) return;
    const key = JSON.stringify([client, appName, instanceId]);
    const now = Date.now();
    if (now - (this.touched.get(key) ?? 0) < TOUCH_EVERY_MS) return;
    if (this.touched.size >= TOUCH_MEMORY) this.touched.clear();
    this.touched.set(key, now);
    await this.flags.touchInstance(client, appName, instanceId);
  }

  async register(client: string, raw: unknown): Promise<void> {
    const body = parse(RegisterBody, raw);
    await this.flags.registerInstance(client, body.appName, body.instanceId, {
      sdkVersion: body.sdkVersion ?? null,
      startedAt: body.started && !Number.isNaN(body.started.getTime()) ? body.started : null,
      intervalMs: body.interval ?? null,
    });
  }

  /**
   * Adds a report's yes/no counts to the current hour. Names that cannot be flags are dropped
   * (the SDK counts whatever the code asked for).
   */
  async metrics(client: string, raw: unknown): Promise<void> {
    const body = parse(MetricsBody, raw);
    const counts = Object.entries(body.bucket.toggles)
      .filter(([name, c]) => FLAG_NAME_PATTERN.test(name) && c.yes + c.no > 0)
      .map(([name, c]) => ({ name, yes: c.yes, no: c.no }));
    await this.flags.addCounts(client, body.appName, counts);
    await this.flags.touchInstance(client, body.appName, body.instanceId);
  }
}

function parse<S extends z.ZodTypeAny>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw fail(ErrorCode.ValidationFailed, result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  return result.data;
}
