import { ConfigError, loadRegionalConfig } from './regional.config';

const REQUIRED = {
  REGION_ID: 'in',
  DATABASE_URL: 'postgres://medgenie_app:pw@db:5432/medgenie_region_in',
  JWKS_URL: 'https://console.medgenie.com/.well-known/jwks.json',
  INTERNAL_SERVICE_TOKEN: 'x'.repeat(32),
};

describe('regional config: database timeouts', () => {
  it('bounds every wait on the database to about a second by default', () => {
    expect(loadRegionalConfig(REQUIRED).database).toMatchObject({
      poolTimeoutMs: 1_000,
      statementTimeoutMs: 750,
      lockTimeoutMs: 500,
      queryTimeoutMs: 900,
      readyTimeoutMs: 500,
      timeoutsPerTransaction: false,
    });
  });

  it('takes each from the environment', () => {
    const config = loadRegionalConfig({
      ...REQUIRED,
      DATABASE_POOL_TIMEOUT_MS: '2000',
      DATABASE_STATEMENT_TIMEOUT_MS: '5000',
      DATABASE_LOCK_TIMEOUT_MS: '0',
      DATABASE_QUERY_TIMEOUT_MS: '6000',
      DATABASE_READY_TIMEOUT_MS: '300',
      DATABASE_TIMEOUTS_PER_TRANSACTION: 'true',
    });
    expect(config.database).toMatchObject({ poolTimeoutMs: 2_000, statementTimeoutMs: 5_000, lockTimeoutMs: 0, queryTimeoutMs: 6_000, readyTimeoutMs: 300, timeoutsPerTransaction: true });
  });

  it('refuses a client-side query timeout that would fire before the server cancels a slow statement', () => {
    expect(() => loadRegionalConfig({ ...REQUIRED, DATABASE_STATEMENT_TIMEOUT_MS: '2000' })).toThrow(ConfigError);
    expect(() => loadRegionalConfig({ ...REQUIRED, DATABASE_STATEMENT_TIMEOUT_MS: '2000' })).toThrow(/DATABASE_QUERY_TIMEOUT_MS: must be greater than DATABASE_STATEMENT_TIMEOUT_MS/);
    expect(loadRegionalConfig({ ...REQUIRED, DATABASE_STATEMENT_TIMEOUT_MS: '0' }).database.queryTimeoutMs).toBe(900);
  });
});

describe('regional config: feature flags', () => {
  it('defaults to the seed flags alone, polling every 5 s once a control plane is set', () => {
    expect(loadRegionalConfig(REQUIRED).flags).toEqual({
      url: undefined,
      clientToken: undefined,
      refreshIntervalMs: 5_000,
      metricsIntervalMs: 60_000,
      backupDir: '.medgenie/flags/in',
    });
  });

  it('takes the control plane, token, intervals and backup directory from the environment', () => {
    const config = loadRegionalConfig({
      ...REQUIRED,
      FLAGS_URL: 'https://console.medgenie.com/api',
      FLAGS_CLIENT_TOKEN: 't'.repeat(64),
      FLAGS_REFRESH_INTERVAL_MS: '10000',
      FLAGS_METRICS_INTERVAL_MS: '0',
      FLAGS_BACKUP_DIR: '/var/lib/medgenie/flags',
    });
    expect(config.flags).toEqual({
      url: 'https://console.medgenie.com/api',
      clientToken: 't'.repeat(64),
      refreshIntervalMs: 10_000,
      metricsIntervalMs: 0,
      backupDir: '/var/lib/medgenie/flags',
    });
  });

  it('refuses a URL without a token (and the reverse), a poll slower than 10 s, and never echoes the token', () => {
    expect(() => loadRegionalConfig({ ...REQUIRED, FLAGS_URL: 'https://console.medgenie.com/api' })).toThrow(/FLAGS_CLIENT_TOKEN: FLAGS_URL and FLAGS_CLIENT_TOKEN go together/);
    expect(() => loadRegionalConfig({ ...REQUIRED, FLAGS_CLIENT_TOKEN: 't'.repeat(64) })).toThrow(ConfigError);
    expect(() => loadRegionalConfig({ ...REQUIRED, FLAGS_REFRESH_INTERVAL_MS: '30000' })).toThrow(/FLAGS_REFRESH_INTERVAL_MS/);
    let message = '';
    try {
      loadRegionalConfig({ ...REQUIRED, FLAGS_URL: 'https://console.medgenie.com/api', FLAGS_CLIENT_TOKEN: 'short-secret-value' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/FLAGS_CLIENT_TOKEN/);
    expect(message).not.toContain('short-secret-value');
  });
});
