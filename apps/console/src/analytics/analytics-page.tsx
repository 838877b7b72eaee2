import { useMemo, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useSession } from '../auth/session';
import { Empty, ErrorState, Loading, Notice } from '../common/states';
import { keys, usePageQuery } from '../api/queries';
import { MessageKey, t } from '../i18n/i18n';
import { historyChart, HistoryMetric, lastDays, RangeDays, revenueChart } from './usage-series';
import { RangeSelect } from './range-select';
import { LazyUsageChart as UsageChart } from './lazy-usage-chart';

const METRICS: HistoryMetric[] = ['organizations', 'doctors', 'patients', 'clinics', 'storageBytes', 'apiRequests'];
const METRIC_LABEL: Record<HistoryMetric, MessageKey> = {
  organizations: 'usage.organizations',
  doctors: 'usage.doctors',
  patients: 'usage.patients',
  clinics: 'usage.clinics',
  storageBytes: 'usage.storageMib',
  apiRequests: 'usage.apiRequests',
};
const formatAmount = (n: number) => n.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * Usage per region (or plan): today's sums as bars, and over time as lines, with monthly recurring
 * revenue per currency, from the control plane's daily rows of what the regions report.
 */
export function AnalyticsPage() {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [by, setBy] = useState<'region' | 'plan'>('region');
  const aggregates = usePageQuery([...keys.usage, 'aggregates', by], () => api.usage.aggregates(by), { keepPrevious: true });
  const [metric, setMetric] = useState<HistoryMetric>('organizations');
  const [rangeDays, setRangeDays] = useState<RangeDays>(30);
  const range = useMemo(() => lastDays(rangeDays), [rangeDays]);
  const history = usePageQuery([...keys.usage, 'history', by, range], () => api.usage.history(by, range), { keepPrevious: true });
  const overTime = useMemo(() => history.data && { usage: historyChart(history.data, metric), revenue: revenueChart(history.data) }, [history.data, metric]);
  const [collecting, setCollecting] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);

  const collect = async () => {
    setCollecting(true);
    setNotice(null);
    try {
      const result = await api.usage.collect();
      const failed = result.regions.filter((r) => r.error).map((r) => r.regionId);
      setNotice(failed.length ? { kind: 'error', text: t('analytics.collectedPartly', { regions: failed.join(', ') }) } : { kind: 'success', text: t('analytics.collected') });
      void queryClient.invalidateQueries({ queryKey: keys.usage });
      void queryClient.invalidateQueries({ queryKey: keys.organizations });
    } catch (err) {
      setNotice({ kind: 'error', text: err instanceof Error ? err.message : String(err) });
    } finally {
      setCollecting(false);
    }
  };

  const groups = aggregates.data?.groups;
  const chart = useMemo(() => {
    if (!groups) return null;
    return {
      labels: groups.map((g) => g.key),
      datasets: [
        { label: t('usage.organizations'), data: groups.map((g) => g.organizations) },
        { label: t('usage.doctors'), data: groups.map((g) => g.doctors) },
        { label: t('usage.patients'), data: groups.map((g) => g.patients) },
        { label: t('usage.apiRequests'), data: groups.map((g) => g.apiRequests) },
      ],
    };
  }, [groups]);

  return (
    <>
      <h1>{t('analytics.title')}</h1>
      <div className="filters">
        <div className="field">
          <label htmlFor="analytics-by">{t('analytics.by')}</label>
          <select id="analytics-by" value={by} onChange={(e) => setBy(e.target.value as 'region' | 'plan')}>
            <option value="region">{t('analytics.byRegion')}</option>
            <option value="plan">{t('analytics.byPlan')}</option>
          </select>
        </div>
        <button type="button" onClick={() => void collect()} disabled={collecting}>
          {collecting ? t('analytics.collecting') : t('analytics.collect')}
        </button>
      </div>
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      {aggregates.loading && !aggregates.data && <Loading />}
      {aggregates.error && <ErrorState error={aggregates.error} onRetry={aggregates.reload} />}
      {groups && groups.length === 0 && <Empty>{t('analytics.empty', { date: aggregates.data?.date ?? '' })}</Empty>}
      {chart && groups && groups.length > 0 && <UsageChart title={t('analytics.chartTitle', { by, date: aggregates.data?.date ?? '' })} labels={chart.labels} datasets={chart.datasets} kind="bar" />}

      <h2>{t('analytics.overTime')}</h2>
      <div className="filters">
        <div className="field">
          <label htmlFor="analytics-metric">{t('analytics.metric')}</label>
          <select id="analytics-metric" value={metric} onChange={(e) => setMetric(e.target.value as HistoryMetric)}>
            {METRICS.map((m) => (
              <option key={m} value={m}>
                {t(METRIC_LABEL[m])}
              </option>
            ))}
          </select>
        </div>
        <RangeSelect id="analytics-range" value={rangeDays} onChange={setRangeDays} />
      </div>
      {history.loading && !history.data && <Loading />}
      {history.error && <ErrorState error={history.error} onRetry={history.reload} />}
      {history.data && history.data.usage.length === 0 && <Empty>{t('analytics.historyEmpty', { from: history.data.from, to: history.data.to })}</Empty>}
      {overTime && history.data && history.data.usage.length > 0 && (
        <div className="charts">
          <UsageChart title={t('analytics.historyTitle', { metric: t(METRIC_LABEL[metric]), by })} labels={overTime.usage.labels} datasets={overTime.usage.datasets} kind="line" />
          {overTime.revenue.datasets.length > 0 ? (
            <UsageChart title={t('analytics.revenueTitle', { by })} labels={overTime.revenue.labels} datasets={overTime.revenue.datasets} kind="line" format={formatAmount} />
          ) : (
            <Empty>{t('analytics.revenueEmpty')}</Empty>
          )}
        </div>
      )}
    </>
  );
}
