import { FormEvent, useMemo, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { Flag, OrganizationBilling, OrganizationUsage, Plan, PlanLimits, PLANS } from '../api/types';
import { flagReaches, targetingWith, targetingWithout } from '../flags/flag-reach';
import { useSession } from '../auth/session';
import { Empty, ErrorState, Loading, Notice, StatusBadge } from '../common/states';
import { keys, usePageQuery } from '../api/queries';
import { formatBytes, formatDate, formatMoney, formatNumber, MessageKey, t } from '../i18n/i18n';
import { lastDays, organizationCharts, RangeDays } from '../analytics/usage-series';
import { RangeSelect } from '../analytics/range-select';
import { LazyUsageChart as UsageChart } from '../analytics/lazy-usage-chart';

type Pending = { kind: 'suspend' } | { kind: 'reactivate' } | { kind: 'plan'; plan: Plan; warning?: string };

/** One organization: registry state, usage, billing, domains, flags in effect and admin actions. Never PHI. */
export function OrganizationPage() {
  const { id = '' } = useParams();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const org = usePageQuery(keys.organization(id), () => api.organizations.get(id));
  const [rangeDays, setRangeDays] = useState<RangeDays>(30);
  const range = useMemo(() => lastDays(rangeDays), [rangeDays]);
  const usage = usePageQuery([...keys.organization(id), 'usage', range], () => api.organizations.usage(id, range), { keepPrevious: true });
  const charts = useMemo(
    () =>
      usage.data &&
      organizationCharts(usage.data.series, range, { doctors: t('usage.doctors'), patients: t('usage.patients'), storage: t('usage.storageMib'), apiRequests: t('usage.apiRequests') }),
    [usage.data, range],
  );
  const billing = usePageQuery([...keys.organization(id), 'billing'], () => api.organizations.billing(id));
  const domains = usePageQuery([...keys.organization(id), 'domains'], () => api.organizations.domains(id));
  const flags = usePageQuery(keys.flags, () => api.flags.list());
  const audit = usePageQuery(keys.audit({ targetId: id, limit: 20 }), () => api.audit({ targetId: id, limit: 20 }));

  const [pending, setPending] = useState<Pending | null>(null);
  const [reason, setReason] = useState('');
  const [plan, setPlan] = useState<Plan | ''>('');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'success' | 'error' | 'warning'; text: string } | null>(null);
  const [domainsText, setDomainsText] = useState<string | null>(null);

  if (org.loading && !org.data) return <Loading />;
  if (org.error) {
    return (
      <>
        <h1>{t('org.title')}</h1>
        <ErrorState error={org.error} onRetry={org.reload} />
        <p>
          <Link to="/organizations">{t('org.back')}</Link>
        </p>
      </>
    );
  }
  const o = org.data;
  if (!o) return null;
  const clinics = usage.data?.current?.clinics ?? usage.data?.latest?.clinics;

  const act = async (action: () => Promise<string>) => {
    setBusy(true);
    setNotice(null);
    try {
      const text = await action();
      setNotice({ kind: 'success', text });
      setPending(null);
      setReason('');
      // The org, its list, its billing and the audit trail all changed: every cached answer about them is refetched.
      void queryClient.invalidateQueries({ queryKey: keys.organizations });
      void queryClient.invalidateQueries({ queryKey: ['audit'] });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'PLAN_BELOW_USAGE' && pending?.kind === 'plan') {
        setPending({ ...pending, warning: err.message });
      } else {
        setNotice({ kind: 'error', text: err instanceof Error ? err.message : String(err) });
      }
    } finally {
      setBusy(false);
    }
  };

  /** Turns a flag off (or on) for this organization only, keeping everyone else's targeting. */
  const setFlagForOrg = (flag: Flag, on: boolean) =>
    void act(async () => {
      await api.flags.target(flag.name, on ? targetingWith(flag, o.id, o) : targetingWithout(flag, o));
      flags.reload();
      return on ? t('org.flagTurnedOn', { name: flag.name }) : t('org.flagTurnedOff', { name: flag.name });
    });

  const saveDomains = (e: FormEvent) => {
    e.preventDefault();
    const list = (domainsText ?? '')
      .split(/[\s,]+/)
      .map((d) => d.trim())
      .filter(Boolean);
    void act(async () => {
      await api.organizations.setDomains(o.id, list);
      setDomainsText(null);
      domains.reload();
      return t('org.domainsSaved');
    });
  };

  const confirm = (e: FormEvent) => {
    e.preventDefault();
    if (!pending) return;
    if (pending.kind === 'suspend') {
      void act(async () => {
        const r = await api.organizations.suspend(o.id, reason.trim());
        return r.regionSynced ? t('org.suspended') : t('org.suspendedPending');
      });
    } else if (pending.kind === 'reactivate') {
      void act(async () => {
        const r = await api.organizations.reactivate(o.id);
        return r.regionSynced ? t('org.reactivated') : t('org.reactivatedPending');
      });
    } else {
      const force = pending.warning !== undefined;
      void act(async () => {
        const r = await api.organizations.changePlan(o.id, pending.plan, force);
        const overage = (r.overage ?? []).map((x) => `${x.key} ${formatNumber(x.usage)}/${formatNumber(x.max)}`).join(', ');
        return overage ? t('org.planChangedOver', { plan: r.plan, overage }) : t('org.planChanged', { plan: r.plan });
      });
    }
  };

  return (
    <>
      <p className="crumbs">
        <Link to="/organizations">{t('org.back')}</Link>
      </p>
      <h1>
        {o.name} <StatusBadge status={o.status} />
      </h1>
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}

      <section className="card" aria-labelledby="org-summary">
        <h2 id="org-summary">{t('org.summary')}</h2>
        <dl className="facts">
          <dt>{t('org.slug')}</dt>
          <dd>{o.slug}</dd>
          <dt>{t('org.region')}</dt>
          <dd>{o.regionId}</dd>
          <dt>{t('org.plan')}</dt>
          <dd data-testid="org-plan">{o.plan}</dd>
          <dt>{t('org.status')}</dt>
          <dd data-testid="org-status">{o.status}</dd>
          {o.status === 'suspended' && (
            <>
              <dt>{t('org.suspensionReason')}</dt>
              <dd>{o.suspensionReason ?? t('common.none')}</dd>
              <dt>{t('org.suspendedAt')}</dt>
              <dd>{formatDate(o.suspendedAt)}</dd>
            </>
          )}
          <dt>{t('org.trialEndsAt')}</dt>
          <dd>{formatDate(o.trialEndsAt)}</dd>
          {o.paymentOverdueSince && (
            <>
              <dt>{t('org.paymentOverdueSince')}</dt>
              <dd>{formatDate(o.paymentOverdueSince)}</dd>
            </>
          )}
          {o.members && (
            <>
              <dt>{t('org.members')}</dt>
              <dd data-testid="org-members">
                {t('org.membersActive', { count: formatNumber(o.members.active) })}
                {Object.keys(o.members.byRole).length > 0 &&
                  ` (${Object.entries(o.members.byRole)
                    .map(([role, n]) => `${t(`role.${role}` as MessageKey)} ${formatNumber(n)}`)
                    .join(', ')})`}
                {o.members.inactive > 0 && `, ${t('org.membersInactive', { count: formatNumber(o.members.inactive) })}`}
              </dd>
            </>
          )}
          <dt>{t('usage.clinics')}</dt>
          <dd data-testid="org-clinics">{clinics === undefined ? t('common.none') : formatNumber(clinics)}</dd>
          <dt>{t('org.created')}</dt>
          <dd>{formatDate(o.createdAt)}</dd>
          <dt>{t('org.id')}</dt>
          <dd className="wrap">{o.id}</dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="org-actions">
        <h2 id="org-actions">{t('org.actions')}</h2>
        <div className="actions">
          {o.status === 'active' && (
            <button type="button" className="danger" onClick={() => setPending({ kind: 'suspend' })} disabled={busy}>
              {t('org.suspend')}
            </button>
          )}
          {o.status === 'suspended' && (
            <button type="button" onClick={() => setPending({ kind: 'reactivate' })} disabled={busy}>
              {t('org.reactivate')}
            </button>
          )}
          <div className="inline-field">
            <label htmlFor="org-new-plan">{t('org.newPlan')}</label>
            <select id="org-new-plan" value={plan} onChange={(e) => setPlan(e.target.value as Plan | '')}>
              <option value="">{t('org.choosePlan')}</option>
              {PLANS.filter((p) => p !== o.plan).map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
            <button type="button" disabled={!plan || busy} onClick={() => plan && setPending({ kind: 'plan', plan })}>
              {t('org.changePlan')}
            </button>
          </div>
        </div>

        {pending && (
          <form className="confirm" onSubmit={confirm} aria-labelledby="org-confirm-title">
            <h3 id="org-confirm-title">
              {pending.kind === 'suspend'
                ? t('org.confirmSuspendTitle', { name: o.name })
                : pending.kind === 'reactivate'
                  ? t('org.confirmReactivateTitle', { name: o.name })
                  : t('org.confirmPlanTitle', { name: o.name, plan: pending.plan })}
            </h3>
            {pending.kind === 'suspend' && (
              <>
                <p>{t('org.confirmSuspendText')}</p>
                <label htmlFor="org-suspend-reason">{t('org.reason')}</label>
                <textarea id="org-suspend-reason" required minLength={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
              </>
            )}
            {pending.kind === 'plan' && pending.warning && (
              <Notice kind="warning">
                {pending.warning} {t('org.planForceText')}
              </Notice>
            )}
            <div className="actions">
              <button type="submit" className={pending.kind === 'suspend' || (pending.kind === 'plan' && pending.warning) ? 'danger' : 'primary'} disabled={busy}>
                {pending.kind === 'suspend'
                  ? t('org.confirmSuspend')
                  : pending.kind === 'reactivate'
                    ? t('org.confirmReactivate')
                    : pending.warning
                      ? t('org.confirmPlanForce')
                      : t('org.confirmPlan')}
              </button>
              <button type="button" onClick={() => setPending(null)} disabled={busy}>
                {t('common.cancel')}
              </button>
            </div>
          </form>
        )}
      </section>

      <section className="card" aria-labelledby="org-usage">
        <h2 id="org-usage">{t('org.usage')}</h2>
        {usage.loading && !usage.data && <Loading />}
        {usage.error && <ErrorState error={usage.error} onRetry={usage.reload} />}
        {usage.data && (
          <>
            <UsageNow usage={usage.data} limits={o.limits ?? null} />
            <div className="filters">
              <RangeSelect id="org-usage-range" value={rangeDays} onChange={setRangeDays} />
            </div>
            {usage.data.series.length === 0 && <Empty>{t('org.usageEmpty')}</Empty>}
            {charts && usage.data.series.length > 0 && (
              <div className="charts">
                <UsageChart title={t('org.chartPeople')} labels={charts.people.labels} datasets={charts.people.datasets} kind="line" />
                <UsageChart title={t('org.chartStorage')} labels={charts.storage.labels} datasets={charts.storage.datasets} kind="line" />
                <UsageChart title={t('org.chartRequests')} labels={charts.requests.labels} datasets={charts.requests.datasets} kind="bar" />
              </div>
            )}
          </>
        )}
      </section>

      <section className="card" aria-labelledby="org-billing">
        <h2 id="org-billing">{t('org.billing')}</h2>
        {billing.loading && !billing.data && <Loading />}
        {billing.error && <ErrorState error={billing.error} onRetry={billing.reload} />}
        {billing.data && <BillingFacts billing={billing.data} />}
      </section>

      <section className="card" aria-labelledby="org-domains">
        <h2 id="org-domains">{t('org.domains')}</h2>
        {domains.loading && !domains.data && <Loading />}
        {domains.error && <ErrorState error={domains.error} onRetry={domains.reload} />}
        {domains.data && domains.data.domains.length === 0 && <Empty>{t('org.domainsEmpty')}</Empty>}
        {domains.data && domains.data.domains.length > 0 && (
          <ul className="plain">
            {domains.data.domains.map((d) => (
              <li key={d.domain} data-domain={d.domain}>
                <strong className="wrap">{d.domain}</strong> — {d.verified ? t('org.domainVerified') : t('org.domainUnverified')}
                {!d.verified && d.txtRecord && (
                  <p className="muted small wrap">
                    {t('org.domainTxt', { name: d.txtRecord.name, value: d.txtRecord.value })}
                  </p>
                )}
              </li>
            ))}
          </ul>
        )}
        {domains.data && domainsText === null && (
          <button type="button" onClick={() => setDomainsText(domains.data?.domains.map((d) => d.domain).join('\n') ?? '')} disabled={busy}>
            {t('org.editDomains')}
          </button>
        )}
        {domainsText !== null && (
          <form onSubmit={saveDomains} aria-label={t('org.editDomains')}>
            <label htmlFor="org-domains-field">{t('org.domainsLabel')}</label>
            <textarea id="org-domains-field" aria-describedby="org-domains-hint" value={domainsText} onChange={(e) => setDomainsText(e.target.value)} />
            <p id="org-domains-hint" className="hint">
              {t('org.domainsHint')}
            </p>
            <div className="actions">
              <button type="submit" className="primary" disabled={busy}>
                {t('org.saveDomains')}
              </button>
              <button type="button" onClick={() => setDomainsText(null)} disabled={busy}>
                {t('common.cancel')}
              </button>
            </div>
          </form>
        )}
      </section>

      <section className="card" aria-labelledby="org-flags">
        <h2 id="org-flags">{t('org.flags')}</h2>
        {flags.loading && !flags.data && <Loading />}
        {flags.error && <ErrorState error={flags.error} onRetry={flags.reload} />}
        {flags.data && flags.data.items.length === 0 && <Empty>{t('flags.empty')}</Empty>}
        {flags.data && flags.data.items.length > 0 && (
          <ul className="plain">
            {flags.data.items.map((f) => {
              const on = flagReaches(f, o);
              return (
                <li key={f.name} className="flag-row" data-flag={f.name}>
                  <span>
                    <code>{f.name}</code>: <span data-testid={`flag-${f.name}`}>{on === true ? t('org.flagOn') : on === false ? t('org.flagOff') : t('org.flagDepends')}</span>
                  </span>
                  {on !== false ? (
                    <button type="button" disabled={busy} aria-label={t('org.flagTurnOffFor', { name: f.name })} onClick={() => setFlagForOrg(f, false)}>
                      {t('org.flagTurnOff')}
                    </button>
                  ) : f.enabled ? (
                    <button type="button" disabled={busy} aria-label={t('org.flagTurnOnFor', { name: f.name })} onClick={() => setFlagForOrg(f, true)}>
                      {t('org.flagTurnOn')}
                    </button>
                  ) : (
                    <span className="muted small">{t('org.flagOffForEveryone')}</span>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </section>

      <section className="card" aria-labelledby="org-audit">
        <h2 id="org-audit">{t('org.audit')}</h2>
        {audit.loading && !audit.data && <Loading />}
        {audit.error && <ErrorState error={audit.error} onRetry={audit.reload} />}
        {audit.data && audit.data.length === 0 && <Empty>{t('audit.empty')}</Empty>}
        {audit.data && audit.data.length > 0 && (
          <ul className="plain">
            {audit.data.map((e) => (
              <li key={e.id}>
                {formatDate(e.occurredAt)} — <code>{e.action}</code>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

/** A count, then "of 5" under a limit or "no limit" without one; over it, said in words too (not by colour alone). Without limits (undefined), the count alone. */
function Counted({ used, max, format = formatNumber }: { used: number; max?: number | null; format?: (n: number) => string }) {
  return (
    <>
      {format(used)}
      {max === null && <span className="muted"> {t('org.noLimit')}</span>}
      {typeof max === 'number' &&
        (used > max ? <strong className="over"> {t('org.overLimit', { max: format(max) })}</strong> : <span className="muted"> {t('org.ofLimit', { max: format(max) })}</span>)}
    </>
  );
}

const MIB = 1024 * 1024;

/** The org's counts now, from its region, against its plan's limits; when the region does not answer, the last collected day's, saying so. */
function UsageNow({ usage, limits }: { usage: OrganizationUsage; limits: PlanLimits | null }) {
  const counts = usage.current ?? usage.latest;
  const unavailable = !usage.current && usage.currentUnavailable ? <Notice kind="warning">{t('org.usageNowUnavailable', { detail: usage.currentUnavailable })}</Notice> : null;
  if (!counts) return unavailable;
  const maxStorage = limits ? (limits.maxStorageMb === null ? null : limits.maxStorageMb * MIB) : undefined;
  return (
    <>
      {unavailable}
      <dl className="facts" data-testid="org-usage-now">
        <dt>{t('usage.doctors')}</dt>
        <dd>
          <Counted used={counts.doctors} max={limits?.maxDoctors} />
        </dd>
        <dt>{t('usage.patients')}</dt>
        <dd>
          <Counted used={counts.patients} max={limits?.maxPatients} />
        </dd>
        <dt>{t('usage.clinics')}</dt>
        <dd>
          <Counted used={counts.clinics} max={limits?.maxClinics} />
        </dd>
        <dt>{t('usage.staff')}</dt>
        <dd>{formatNumber(counts.staff)}</dd>
        <dt>{t('usage.storage')}</dt>
        <dd>
          <Counted used={counts.storageBytes} max={maxStorage} format={formatBytes} />
        </dd>
        <dt>{usage.current ? t('usage.apiRequestsToday') : t('usage.apiRequests')}</dt>
        <dd>{formatNumber(counts.apiRequests)}</dd>
        <dt>{t('usage.asOf')}</dt>
        <dd>{usage.current ? formatDate(usage.current.at) : (usage.latest?.date ?? '')}</dd>
      </dl>
    </>
  );
}

/** Subscription, payment state, invoices (from Stripe) and the billing history of the audit trail. */
function BillingFacts({ billing }: { billing: OrganizationBilling }) {
  const sub = billing.subscription;
  return (
    <>
      <dl className="facts">
        <dt>{t('org.currency')}</dt>
        <dd>{billing.currency.toUpperCase()}</dd>
        <dt>{t('org.subscription')}</dt>
        <dd data-testid="org-subscription">
          {sub
            ? t('org.subscriptionIs', { status: sub.status ?? t('common.none'), price: sub.lookupKey ?? t('common.none') })
            : t('org.noSubscription')}
        </dd>
        {sub?.mrr !== null && sub?.mrr !== undefined && (
          <>
            <dt>{t('org.mrr')}</dt>
            <dd>{formatMoney(sub.mrr, sub.currency ?? billing.currency)}</dd>
          </>
        )}
        {sub && (
          <>
            <dt>{sub.endsAt ? t('org.subscriptionEnds') : t('org.subscriptionRenews')}</dt>
            <dd>{formatDate(sub.endsAt ?? sub.renewsAt)}</dd>
          </>
        )}
        <dt>{t('org.dunning')}</dt>
        <dd>{t(`dunning.${billing.dunning.status}` as MessageKey)}</dd>
        {billing.dunning.graceEndsAt && (
          <>
            <dt>{t('org.graceEndsAt')}</dt>
            <dd>{formatDate(billing.dunning.graceEndsAt)}</dd>
          </>
        )}
      </dl>

      <h3>{t('org.invoices')}</h3>
      {!billing.billingConfigured && <p className="muted">{t('org.invoicesNotConfigured')}</p>}
      {billing.invoicesUnavailable && <Notice kind="warning">{t('org.invoicesUnavailable', { detail: billing.invoicesUnavailable })}</Notice>}
      {billing.billingConfigured && !billing.invoicesUnavailable && billing.invoices.length === 0 && <Empty>{t('org.invoicesEmpty')}</Empty>}
      {billing.invoices.length > 0 && (
        <div className="table-wrap" tabIndex={0} role="region" aria-label={t('org.invoices')}>
          <table className="compact">
            <caption className="visually-hidden">{t('org.invoices')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('invoice.number')}</th>
                <th scope="col">{t('invoice.date')}</th>
                <th scope="col">{t('invoice.status')}</th>
                <th scope="col">{t('invoice.amountDue')}</th>
                <th scope="col">{t('invoice.amountPaid')}</th>
              </tr>
            </thead>
            <tbody>
              {billing.invoices.map((invoice) => (
                <tr key={invoice.id ?? invoice.created}>
                  <td data-label={t('invoice.number')}>
                    {invoice.hostedInvoiceUrl ? (
                      <a href={invoice.hostedInvoiceUrl} target="_blank" rel="noreferrer noopener">
                        {invoice.number ?? invoice.id}
                      </a>
                    ) : (
                      (invoice.number ?? invoice.id)
                    )}
                  </td>
                  <td data-label={t('invoice.date')}>{formatDate(invoice.created)}</td>
                  <td data-label={t('invoice.status')}>{invoice.status ?? t('common.none')}</td>
                  <td data-label={t('invoice.amountDue')}>{formatMoney(invoice.amountDue, invoice.currency)}</td>
                  <td data-label={t('invoice.amountPaid')}>{formatMoney(invoice.amountPaid, invoice.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h3>{t('org.billingHistory')}</h3>
      {billing.history.length === 0 ? (
        <Empty>{t('org.billingHistoryEmpty')}</Empty>
      ) : (
        <ul className="plain" data-testid="org-billing-history">
          {billing.history.map((entry, i) => (
            <li key={`${entry.occurredAt}-${i}`}>
              {formatDate(entry.occurredAt)} — <code>{entry.action}</code>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
