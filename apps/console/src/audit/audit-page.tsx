import { FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useSession } from '../auth/session';
import { Empty, ErrorState, Loading } from '../common/states';
import { keys, usePageQuery } from '../api/queries';
import { formatDate, t } from '../i18n/i18n';

const LIMITS = [50, 100, 200, 500];

/** The admin audit trail: what platform admins (and billing) did, newest first, filtered by action and target. */
export function AuditPage() {
  const { api } = useSession();
  const [params, setParams] = useSearchParams();
  const action = params.get('action') ?? '';
  const targetId = params.get('targetId') ?? '';
  const limit = Number(params.get('limit') ?? 100) || 100;
  const [actionText, setActionText] = useState(action);
  const [targetText, setTargetText] = useState(targetId);
  const events = usePageQuery(keys.audit({ action, targetId, limit }), () => api.audit({ action: action || undefined, targetId: targetId || undefined, limit }), { keepPrevious: true });

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const next = new URLSearchParams();
    if (actionText.trim()) next.set('action', actionText.trim());
    if (targetText.trim()) next.set('targetId', targetText.trim());
    if (limit !== 100) next.set('limit', String(limit));
    setParams(next);
  };

  return (
    <>
      <h1>{t('audit.title')}</h1>
      <form className="filters" onSubmit={onSubmit} role="search" aria-label={t('audit.filters')}>
        <div className="field">
          <label htmlFor="audit-action">{t('audit.action')}</label>
          <input id="audit-action" value={actionText} maxLength={64} aria-describedby="audit-action-hint" onChange={(e) => setActionText(e.target.value)} />
          <p id="audit-action-hint" className="hint">
            {t('audit.actionHint')}
          </p>
        </div>
        <div className="field">
          <label htmlFor="audit-target">{t('audit.target')}</label>
          <input id="audit-target" value={targetText} maxLength={64} onChange={(e) => setTargetText(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="audit-limit">{t('audit.limit')}</label>
          <select
            id="audit-limit"
            value={limit}
            onChange={(e) => {
              const next = new URLSearchParams(params);
              next.set('limit', e.target.value);
              setParams(next);
            }}
          >
            {LIMITS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">{t('audit.filter')}</button>
      </form>
      {events.loading && !events.data && <Loading />}
      {events.error && <ErrorState error={events.error} onRetry={events.reload} />}
      {events.data && events.data.length === 0 && <Empty>{t('audit.empty')}</Empty>}
      {events.data && events.data.length > 0 && (
        <div className="table-wrap" tabIndex={0} role="region" aria-label={t('audit.title')}>
          <table aria-busy={events.loading}>
            <caption className="visually-hidden">{t('audit.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('audit.when')}</th>
                <th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.target')}</th>
                <th scope="col">{t('audit.actor')}</th>
                <th scope="col">{t('audit.details')}</th>
              </tr>
            </thead>
            <tbody>
              {events.data.map((e) => (
                <tr key={e.id}>
                  <td data-label={t('audit.when')}>{formatDate(e.occurredAt)}</td>
                  <td data-label={t('audit.action')}>
                    <code>{e.action}</code>
                  </td>
                  <td data-label={t('audit.target')} className="wrap">
                    {e.targetType === 'organization' && e.targetId ? <Link to={`/organizations/${e.targetId}`}>{e.targetId}</Link> : `${e.targetType} ${e.targetId ?? ''}`}
                  </td>
                  <td data-label={t('audit.actor')} className="wrap">
                    {e.actorUserId ?? t('audit.system')}
                  </td>
                  <td data-label={t('audit.details')} className="wrap">
                    {Object.entries(e.details)
                      .map(([k, v]) => `${k}: ${String(v)}`)
                      .join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
