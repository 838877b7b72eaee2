import type { UsageDay, UsageHistory } from '../api/types';
import { daysBetween, historyChart, mebibytes, organizationCharts, rangeEnding, revenueChart } from './usage-series';

const counts = { doctors: 0, patients: 0, clinics: 1, staff: 1, storageBytes: 0, apiRequests: 0 };

describe('ranges of days', () => {
  it('ends on today and counts today in', () => {
    expect(rangeEnding('2031-03-02', 30)).toEqual({ from: '2031-02-01', to: '2031-03-02' });
    expect(rangeEnding('2032-03-01', 2)).toEqual({ from: '2032-02-29', to: '2032-03-01' });
    expect(rangeEnding('2031-01-01', 1)).toEqual({ from: '2031-01-01', to: '2031-01-01' });
  });

  it('lists every day of a range, across months and leap days', () => {
    expect(daysBetween('2032-02-28', '2032-03-01')).toEqual(['2032-02-28', '2032-02-29', '2032-03-01']);
    expect(daysBetween('2031-05-02', '2031-05-01')).toEqual([]);
    expect(daysBetween(...Object.values(rangeEnding('2031-12-31', 365)) as [string, string])).toHaveLength(365);
  });
});

describe("an organization's charts", () => {
  const day = (date: string, d: Partial<UsageDay>): UsageDay => ({ date, regionId: 'in', plan: 'basic', ...counts, ...d });

  it('draws each collected day and leaves the days not collected as gaps, never zeros', () => {
    const charts = organizationCharts(
      [day('2031-03-01', { doctors: 2, patients: 40, storageBytes: 3 * 1024 * 1024, apiRequests: 120 }), day('2031-03-03', { doctors: 3, patients: 0, storageBytes: 1_500_000, apiRequests: 0 })],
      { from: '2031-03-01', to: '2031-03-04' },
      { doctors: 'Doctors', patients: 'Patients', storage: 'Storage', apiRequests: 'Requests' },
    );
    expect(charts.people.labels).toEqual(['2031-03-01', '2031-03-02', '2031-03-03', '2031-03-04']);
    expect(charts.people.datasets).toEqual([
      { label: 'Doctors', data: [2, null, 3, null] },
      { label: 'Patients', data: [40, null, 0, null] },
    ]);
    expect(charts.storage.datasets[0].data).toEqual([3, null, 1.4, null]);
    expect(charts.requests.datasets[0].data).toEqual([120, null, 0, null]);
  });

  it('reads storage in MiB to one decimal', () => {
    expect(mebibytes(0)).toBe(0);
    expect(mebibytes(52_428)).toBe(0);
    expect(mebibytes(262_144)).toBe(0.3);
    expect(mebibytes(10 * 1024 * 1024 * 1024)).toBe(10240);
  });
});

describe('history per region or plan', () => {
  const history: UsageHistory = {
    by: 'region',
    from: '2031-06-01',
    to: '2031-06-03',
    usage: [
      { date: '2031-06-01', key: 'in', organizations: 2, ...counts, patients: 10 },
      { date: '2031-06-01', key: 'ca', organizations: 1, ...counts, patients: 5 },
      { date: '2031-06-02', key: 'in', organizations: 3, ...counts, patients: 12 },
    ],
    revenue: [{ date: '2031-06-02', key: 'in', currency: 'inr', organizations: 1, mrr: 249916 }],
  };

  it('draws a line per group, sorted, with gaps where a group was not collected', () => {
    expect(historyChart(history, 'organizations')).toEqual({
      labels: ['2031-06-01', '2031-06-02', '2031-06-03'],
      datasets: [
        { label: 'ca', data: [1, null, null] },
        { label: 'in', data: [2, 3, null] },
      ],
    });
    expect(historyChart(history, 'patients').datasets[1].data).toEqual([10, 12, null]);
  });

  it('charts revenue in major units per group and currency: 0 on a collected day without payers, a gap on a day not collected', () => {
    expect(revenueChart(history)).toEqual({ labels: ['2031-06-01', '2031-06-02', '2031-06-03'], datasets: [{ label: 'in (INR)', data: [0, 2499.16, null] }] });
  });

  it('keeps currencies apart when a plan is sold in several', () => {
    const byPlan: UsageHistory = {
      ...history,
      by: 'plan',
      usage: [{ date: '2031-06-02', key: 'basic', organizations: 2, ...counts }],
      revenue: [
        { date: '2031-06-02', key: 'basic', currency: 'usd', organizations: 1, mrr: 2999 },
        { date: '2031-06-02', key: 'basic', currency: 'inr', organizations: 1, mrr: 99900 },
      ],
    };
    expect(revenueChart(byPlan).datasets).toEqual([
      { label: 'basic (INR)', data: [null, 999, null] },
      { label: 'basic (USD)', data: [null, 29.99, null] },
    ]);
  });
});
