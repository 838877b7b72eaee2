import { lazy, Suspense } from 'react';
import { Loading } from '../common/states';
import { t } from '../i18n/i18n';
import type { UsageChartProps } from './usage-chart';

const Chart = lazy(() => import('./usage-chart').then((m) => ({ default: m.UsageChart })));

/** The usage chart, with Chart.js loaded only by the pages that draw one. */
export function LazyUsageChart(props: UsageChartProps) {
  return (
    <Suspense fallback={<Loading label={t('analytics.loadingChart')} />}>
      <Chart {...props} />
    </Suspense>
  );
}
