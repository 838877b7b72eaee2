import { Client } from 'pg';
import { Clock } from '../src/common/clock';
import { FlagMetricsRetention } from '../src/flags/flag-metrics-retention.service';
import { cpDb, startTestControlPlane, TestControlPlane, unique } from './support';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The SDKs' hourly counts are kept FLAG_METRICS_RETENTION_DAYS, counted back from the Clock. */
describe('flag metrics retention', () => {
  let cp: TestControlPlane;
  let db: Client;
  beforeAll(async () => {
    cp = await startTestControlPlane({ FLAG_METRICS_RETENTION_DAYS: '30' });
    db = new Client({ connectionString: cpDb().adminUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await cp?.close();
  });

  it('deletes the hours older than the retention and keeps the others', async () => {
    // Tests in other files write the current hour: the clock stays near it, so only this test's old rows can go.
    const now = new Date(Math.floor(Date.now() / HOUR) * HOUR);
    const clock = jest.spyOn(cp.app.get(Clock), 'now').mockReturnValue(now);
    const client = unique('ret').slice(0, 32);
    const at = (ms: number) => new Date(now.getTime() - ms);
    const hours = {
      yearOld: at(365 * DAY),
      justOlder: at(30 * DAY + HOUR),
      atTheLimit: at(30 * DAY),
      twentyNineDays: at(29 * DAY),
      lastHour: at(HOUR),
    };
    for (const hour of Object.values(hours)) {
      await db.query(`INSERT INTO flag_metrics_hourly (flag_name, client, app_name, hour, yes, no) VALUES ('hindi_language', $1, 'region-in', $2, 3, 4)`, [client, hour]);
    }
    const kept = async () =>
      (await db.query<{ hour: Date }>(`SELECT hour FROM flag_metrics_hourly WHERE client = $1 ORDER BY hour`, [client])).rows.map((r) => r.hour.toISOString());
    try {
      const retention = cp.app.get(FlagMetricsRetention);
      expect(await retention.prune()).toBeGreaterThanOrEqual(2);
      expect(await kept()).toEqual([hours.atTheLimit, hours.twentyNineDays, hours.lastHour].map((h) => h.toISOString()));

      // Two days on, by the clock: the 29-day-old hour is past the retention too.
      clock.mockReturnValue(new Date(now.getTime() + 2 * DAY));
      await retention.prune();
      expect(await kept()).toEqual([hours.lastHour.toISOString()]);
    } finally {
      clock.mockRestore();
    }
  });
});
