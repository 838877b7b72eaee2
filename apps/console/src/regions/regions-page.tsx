import { useSession } from '../auth/session';
import { Empty, ErrorState, Loading, StatusBadge } from '../common/states';
import { keys, usePageQuery } from '../api/queries';
import { formatMoney, formatNumber, t } from '../i18n/i18n';
import type { RegionOverview } from '../api/types';

function Health({ region }: { region: RegionOverview }) {
  if (!region.health) return <>{t('regions.retired')}</>;
  if (region.health.healthy) return <StatusBadge status="healthy" label={t('regions.healthy', { ms: region.health.latencyMs ?? 0 })} />;
  return <StatusBadge status="unhealthy" label={t('regions.unhealthy', { detail: region.health.detail ?? '' })} />;
}

/** Whether the gateways route to the region: all that report (healthy), some or none (unhealthy). */
function Gateways({ region }: { region: RegionOverview }) {
  const g = region.gateways;
  if (!g) return <span className="muted">{t('regions.gatewaysUnknown')}</span>;
  if (g.reporting === 0) return <span className="muted">{t('regions.gatewaysNone')}</span>;
  const label = t('regions.gatewaysRouting', { routing: g.routing, reporting: g.reporting });
  return <StatusBadge status={g.routing === g.reporting ? 'healthy' : 'unhealthy'} label={label} />;
}

/** Every region: the registry's facts, whether the gateways route to it, its health now (the control plane's probe of its readiness), its organizations, latest usage and revenue. */
export function RegionsPage() {
  const { api } = useSession();
  const regions = usePageQuery(keys.regionsOverview, () => api.regionsOverview());
  const items = regions.data?.items;

  return (
    <>
      <h1>{t('regions.title')}</h1>
      {regions.loading && !items && <Loading />}
      {regions.error && <ErrorState error={regions.error} onRetry={regions.reload} />}
      {items && items.length === 0 && <Empty>{t('regions.empty')}</Empty>}
      {items && items.length > 0 && (
        <div className="table-wrap" tabIndex={0} role="region" aria-label={t('regions.title')}>
          <table>
            <caption className="visually-hidden">{t('regions.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('regions.name')}</th>
                <th scope="col">{t('regions.status')}</th>
                <th scope="col">{t('regions.gateways')}</th>
                <th scope="col">{t('regions.health')}</th>
                <th scope="col">{t('regions.domain')}</th>
                <th scope="col">{t('regions.currency')}</th>
                <th scope="col">{t('regions.compliance')}</th>
                <th scope="col">{t('regions.organizations')}</th>
                <th scope="col">{t('regions.revenue')}</th>
                <th scope="col">{t('regions.apiRequestsToday')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id}>
                  <td data-label={t('regions.name')}>
                    {r.name} <span className="muted">({r.id})</span>
                  </td>
                  <td data-label={t('regions.status')}>
                    <StatusBadge status={r.status} />
                  </td>
                  <td data-label={t('regions.gateways')} data-testid={`gateways-${r.id}`}>
                    <Gateways region={r} />
                  </td>
                  <td data-label={t('regions.health')}>
                    <Health region={r} />
                  </td>
                  <td data-label={t('regions.domain')}>{r.domain}</td>
                  <td data-label={t('regions.currency')}>{r.currency}</td>
                  <td data-label={t('regions.compliance')}>{r.complianceFramework}</td>
                  <td data-label={t('regions.organizations')}>{formatNumber(r.organizations.total)}</td>
                  <td data-label={t('regions.revenue')}>{r.revenue.length ? r.revenue.map((v) => formatMoney(v.mrr, v.currency)).join(', ') : t('common.none')}</td>
                  <td data-label={t('regions.apiRequestsToday')}>{r.usage ? formatNumber(r.usage.apiRequests) : t('common.none')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
