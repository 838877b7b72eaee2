import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { FlagsBackup } from '@medgenie/flags';
import { loadRegionalConfig } from '../config/regional.config';
import { DEFAULT_FLAG_DEFINITIONS } from './flag-defaults';
import { Flags } from './flags.service';

const env = (regionId: string, extra: Record<string, string> = {}) =>
  loadRegionalConfig({
    REGION_ID: regionId,
    DATABASE_URL: 'postgres://medgenie_app:pw@db:5432/medgenie_region',
    JWKS_URL: 'https://console.medgenie.com/.well-known/jwks.json',
    INTERNAL_SERVICE_TOKEN: 'x'.repeat(32),
    ...extra,
  });

const context = (regionId: string) => ({ userId: 'u-1', regionId, orgId: '00000000-0000-4000-8000-000000000001', plan: 'basic' });

async function started(config: ReturnType<typeof env>): Promise<Flags> {
  const flags = new Flags(config);
  await flags.onModuleInit();
  return flags;
}

describe('Flags (the unleash-client SDK)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('without a control plane evaluates seed 000 defaults for each region, and says so', async () => {
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const expected: Record<string, Record<string, boolean>> = {
      in: { fax_integration: false, french_language: false, hindi_language: true, upi_payments: true, whatsapp_integration: true },
      ca: { fax_integration: true, french_language: true, hindi_language: false, upi_payments: false, whatsapp_integration: false },
      us: { fax_integration: true, french_language: false, hindi_language: false, upi_payments: false, whatsapp_integration: false },
    };
    for (const regionId of Object.keys(expected)) {
      const flags = await started(env(regionId));
      try {
        expect(flags.evaluateAll(context(regionId))).toEqual(expected[regionId]);
        expect(flags.isEnabled('no_such_flag', context(regionId))).toBe(false);
        expect(flags.status()).toEqual({ polling: false, reachable: undefined });
      } finally {
        flags.onApplicationShutdown();
      }
    }
    expect(log).toHaveBeenCalledWith(expect.stringContaining('FLAGS_URL and FLAGS_CLIENT_TOKEN are not set, so flags are seed 000 defaults only'));
  });

  it('starts from its backup, not the seed, when the control plane is unreachable', async () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const dir = mkdtempSync(join(tmpdir(), 'mg-flags-unit-'));
    try {
      // What an earlier run fetched: Hindi switched off everywhere.
      const fetched = structuredClone(DEFAULT_FLAG_DEFINITIONS);
      fetched.features = fetched.features.map((f) => (f.name === 'hindi_language' ? { ...f, enabled: false } : f));
      await new FlagsBackup(dir).set('region-in', fetched);
      const flags = await started(
        env('in', { FLAGS_URL: 'http://127.0.0.1:9/api', FLAGS_CLIENT_TOKEN: 't'.repeat(40), FLAGS_BACKUP_DIR: dir, FLAGS_METRICS_INTERVAL_MS: '0', FLAGS_REFRESH_INTERVAL_MS: '100' }),
      );
      try {
        expect(flags.isEnabled('hindi_language', context('in'))).toBe(false);
        expect(flags.isEnabled('upi_payments', context('in'))).toBe(true);
      } finally {
        flags.onApplicationShutdown();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('FlagsBackup', () => {
  it('writes whole files and reads a missing or broken one as no backup', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-flags-backup-'));
    try {
      const backup = new FlagsBackup(join(dir, 'nested'));
      expect(await backup.get('region-in')).toBeUndefined();
      await backup.set('region-in', DEFAULT_FLAG_DEFINITIONS);
      expect(await backup.get('region-in')).toEqual(DEFAULT_FLAG_DEFINITIONS);
      const { writeFileSync } = await import('node:fs');
      writeFileSync(backup.path('region-in'), '{"features": [');
      expect(await backup.get('region-in')).toBeUndefined();
      // A directory that cannot be written: reported, never thrown into the SDK's fetch.
      const errors: unknown[] = [];
      writeFileSync(join(dir, 'a-file'), '');
      await new FlagsBackup(join(dir, 'a-file', 'flags'), (err) => errors.push(err)).set('region-in', DEFAULT_FLAG_DEFINITIONS);
      expect(errors).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
