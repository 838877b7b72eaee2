import { useSession } from '../auth/session';
import { Empty, ErrorState, Loading, StatusBadge } from '../common/states';
import { useApi } from '../common/use-api';
import { formatNumber, t } from '../i18n/i18n';

/** The regions as the registry has them, with how many organizations each holds. */
export function RegionsPage() {
  const { api } = useSession();
  const regions = useApi(() => api.regions(), [api]);
  const usage = useApi(() => api.usage.aggregates('region'), [api]);
  const orgCounts = useApi(
    async () => {
      const list = await api.regions();
      const counts = await Promise.all(list.map(async (r) => [r.id, (await api.organizations.list({ regionId: r.id, limit: 1, offset: 0 })).total] as const));
      return Object.fromEntries(counts) as Record<string, number>;
    },
    [api],
  );

  return (
    <>
      <h1>{t('regions.title')}</h1>
      {regions.loading && !regions.data && <Loading />}
      {regions.error && <ErrorState error={regions.error} onRetry={regions.reload} />}
      {regions.data && regions.data.length === 0 && <Empty>{t('regions.empty')}</Empty>}
      {regions.data && regions.data.length > 0 && (
        <div className="table-wrap" tabIndex={0} role="region" aria-label={t('regions.title')}>
          <table>
            <caption className="visually-hidden">{t('regions.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('regions.name')}</th>
                <th scope="col">{t('regions.status')}</th>
                <th scope="col">{t('regions.domain')}</th>
                <th scope="col">{t('regions.currency')}</th>
                <th scope="col">{t('regions.compliance')}</th>
                <th scope="col">{t('regions.languages')}</th>
                <th scope="col">{t('regions.organizations')}</th>
                <th scope="col">{t('regions.apiRequestsToday')}</th>
              </tr>
            </thead>
            <tbody>
              {regions.data.map((r) => {
                const today = usage.data?.groups.find((g) => g.key === r.id);
                return (
                  <tr key={r.id}>
                    <td data-label={t('regions.name')}>
                      {r.name} <span className="muted">({r.id})</span>
                    </td>
                    <td data-label={t('regions.status')}>
                      <StatusBadge status={r.status} />
                    </td>
                    <td data-label={t('regions.domain')}>{r.domain}</td>
                    <td data-label={t('regions.currency')}>{r.currency}</td>
                    <td data-label={t('regions.compliance')}>{r.complianceFramework}</td>
                    <td data-label={t('regions.languages')}>{r.languages.join(', ')}</td>
                    <td data-label={t('regions.organizations')}>{orgCounts.data ? formatNumber(orgCounts.data[r.id] ?? 0) : orgCounts.error ? t('common.unavailable') : '…'}</td>
                    <td data-label={t('regions.apiRequestsToday')}>{today ? formatNumber(today.apiRequests) : t('common.none')}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
