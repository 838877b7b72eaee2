import { FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { ORG_STATUSES, OrgStatus, Plan, PLANS } from '../api/types';
import { useSession } from '../auth/session';
import { Empty, ErrorState, Loading, StatusBadge } from '../common/states';
import { keys, usePageQuery } from '../api/queries';
import { formatDate, t } from '../i18n/i18n';

const PAGE_SIZE = 25;

/** Organizations: search by name or slug, filter by region, plan and status, paged; the filters live in the URL. */
export function OrganizationsPage() {
  const { api } = useSession();
  const [params, setParams] = useSearchParams();
  const search = params.get('search') ?? '';
  const regionId = params.get('regionId') ?? '';
  const plan = (params.get('plan') ?? '') as Plan | '';
  const status = (params.get('status') ?? '') as OrgStatus | '';
  const offset = Math.max(0, Number(params.get('offset') ?? 0) || 0);
  const [searchText, setSearchText] = useState(search);

  const regions = usePageQuery(keys.regions, () => api.regions());
  const page = usePageQuery(
    keys.organizationList({ search, regionId, plan, status, offset }),
    (signal) => api.organizations.list({ search: search || undefined, regionId: regionId || undefined, plan, status, limit: PAGE_SIZE, offset }, signal),
    { keepPrevious: true },
  );

  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    if (!('offset' in changes)) next.delete('offset');
    setParams(next);
  };

  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    update({ search: searchText.trim() });
  };

  const total = page.data?.total ?? 0;
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + PAGE_SIZE, total);

  return (
    <>
      <h1>{t('orgs.title')}</h1>
      <form className="filters" onSubmit={onSearch} role="search" aria-label={t('orgs.filters')}>
        <div className="field">
          <label htmlFor="orgs-search">{t('orgs.search')}</label>
          <input id="orgs-search" type="search" value={searchText} maxLength={100} onChange={(e) => setSearchText(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="orgs-region">{t('orgs.region')}</label>
          <select id="orgs-region" value={regionId} onChange={(e) => update({ regionId: e.target.value })}>
            <option value="">{t('orgs.anyRegion')}</option>
            {(regions.data ?? []).map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="orgs-plan">{t('orgs.plan')}</label>
          <select id="orgs-plan" value={plan} onChange={(e) => update({ plan: e.target.value })}>
            <option value="">{t('orgs.anyPlan')}</option>
            {PLANS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="orgs-status">{t('orgs.status')}</label>
          <select id="orgs-status" value={status} onChange={(e) => update({ status: e.target.value })}>
            <option value="">{t('orgs.anyStatus')}</option>
            {ORG_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">{t('orgs.searchSubmit')}</button>
      </form>

      {page.loading && <Loading />}
      {page.error && <ErrorState error={page.error} onRetry={page.reload} />}
      {!page.loading && !page.error && page.data && page.data.items.length === 0 && <Empty>{t('orgs.empty')}</Empty>}
      {!page.error && page.data && page.data.items.length > 0 && (
        <>
          <div className="table-wrap" tabIndex={0} role="region" aria-label={t('orgs.title')}>
            <table aria-describedby="orgs-count" aria-busy={page.loading}>
              <caption id="orgs-count">{t('orgs.count', { from, to, total })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('orgs.name')}</th>
                  <th scope="col">{t('orgs.slug')}</th>
                  <th scope="col">{t('orgs.region')}</th>
                  <th scope="col">{t('orgs.plan')}</th>
                  <th scope="col">{t('orgs.status')}</th>
                  <th scope="col">{t('orgs.created')}</th>
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((org) => (
                  <tr key={org.id}>
                    <td data-label={t('orgs.name')}>
                      <Link to={`/organizations/${org.id}`}>{org.name}</Link>
                    </td>
                    <td data-label={t('orgs.slug')}>{org.slug}</td>
                    <td data-label={t('orgs.region')}>{org.regionId}</td>
                    <td data-label={t('orgs.plan')}>{org.plan}</td>
                    <td data-label={t('orgs.status')}>
                      <StatusBadge status={org.status} />
                    </td>
                    <td data-label={t('orgs.created')}>{formatDate(org.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label={t('orgs.pages')}>
            <button type="button" disabled={offset === 0} onClick={() => update({ offset: String(Math.max(0, offset - PAGE_SIZE)) })}>
              {t('orgs.previous')}
            </button>
            <button type="button" disabled={offset + PAGE_SIZE >= total} onClick={() => update({ offset: String(offset + PAGE_SIZE) })}>
              {t('orgs.next')}
            </button>
          </nav>
        </>
      )}
    </>
  );
}
