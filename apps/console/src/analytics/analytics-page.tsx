import { useMemo, useState } from 'react';
import { useSession } from '../auth/session';
import { Empty, ErrorState, Loading, Notice } from '../common/states';
import { useApi } from '../common/use-api';
import { t } from '../i18n/i18n';
import { LazyUsageChart as UsageChart } from './lazy-usage-chart';

/** Usage per region (or plan) today, from the control plane's aggregates of what the regions report. */
export function AnalyticsPage() {
  const { api } = useSession();
  const [by, setBy] = useState<'region' | 'plan'>('region');
  const aggregates = useApi(() => api.usage.aggregates(by), [api, by]);
  const [collecting, setCollecting] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);

  const collect = async () => {
    setCollecting(true);
    setNotice(null);
    try {
      const result = await api.usage.collect();
      const failed = result.regions.filter((r) => r.error).map((r) => r.regionId);
      setNotice(failed.length ? { kind: 'error', text: t('analytics.collectedPartly', { regions: failed.join(', ') }) } : { kind: 'success', text: t('analytics.collected') });
      aggregates.reload();
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
    </>
  );
}
