import { useState } from 'react';
import type { Flag } from '../api/types';
import { useSession } from '../auth/session';
import { Empty, ErrorState, Loading, Notice } from '../common/states';
import { keys, usePageQuery } from '../api/queries';
import { formatDate, t } from '../i18n/i18n';
import { FlagEditor } from './flag-editor';

/** How a flag targets, in words: "regionId IN in, ca AND plan NOT_IN trial" per strategy. */
export function describeTargeting(flag: Flag): string {
  if (flag.strategies.length === 0) return t('flags.everyone');
  return flag.strategies
    .map((s) => (s.constraints.length === 0 ? t('flags.everyone') : s.constraints.map((c) => `${c.contextName} ${c.operator === 'IN' ? '∈' : '∉'} {${c.values.join(', ')}}`).join(' ∧ ')))
    .join(t('flags.or'));
}

/** Feature flags: each one, its targeting, and a switch that turns it on or off (keeping its targeting). */
export function FlagsPage() {
  const { api } = useSession();
  const flags = usePageQuery(keys.flags, () => api.flags.list());
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  /** The flag whose rules are being edited, or 'new'. */
  const [editing, setEditing] = useState<string | null>(null);
  const saved = (flag: Flag) => {
    setEditing(null);
    setNotice({ kind: 'success', text: t('flags.saved', { name: flag.name }) });
    flags.reload();
  };

  const toggle = async (flag: Flag) => {
    setBusy(flag.name);
    setNotice(null);
    try {
      const updated = await api.flags.toggle(flag.name, !flag.enabled);
      setNotice({ kind: 'success', text: updated.enabled ? t('flags.turnedOn', { name: flag.name }) : t('flags.turnedOff', { name: flag.name }) });
      flags.reload();
    } catch (err) {
      setNotice({ kind: 'error', text: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <h1>{t('flags.title')}</h1>
      <p className="muted">{t('flags.intro')}</p>
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      {editing === 'new' ? (
        <FlagEditor onSaved={saved} onCancel={() => setEditing(null)} />
      ) : (
        <p>
          <button type="button" onClick={() => setEditing('new')}>
            {t('flags.new')}
          </button>
        </p>
      )}
      {flags.loading && !flags.data && <Loading />}
      {flags.error && <ErrorState error={flags.error} onRetry={flags.reload} />}
      {flags.data && flags.data.items.length === 0 && <Empty>{t('flags.empty')}</Empty>}
      {flags.data && flags.data.items.length > 0 && (
        <ul className="cards">
          {flags.data.items.map((flag) => (
            <li key={flag.name} className="card flag" data-flag={flag.name}>
              <div className="flag-head">
                <h2 id={`flag-${flag.name}`}>
                  <code>{flag.name}</code>
                </h2>
                <button
                  type="button"
                  role="switch"
                  aria-checked={flag.enabled}
                  aria-labelledby={`flag-${flag.name}`}
                  className={`switch ${flag.enabled ? 'on' : 'off'}`}
                  disabled={busy === flag.name}
                  onClick={() => void toggle(flag)}
                >
                  <span aria-hidden="true">{flag.enabled ? t('flags.on') : t('flags.off')}</span>
                </button>
              </div>
              {flag.description && <p>{flag.description}</p>}
              <p className="muted">
                {t('flags.targeting')} {describeTargeting(flag)}
              </p>
              <p className="muted small">{t('flags.updated', { when: formatDate(flag.updatedAt) })}</p>
              {editing === flag.name ? (
                <FlagEditor flag={flag} onSaved={saved} onCancel={() => setEditing(null)} />
              ) : (
                <button type="button" onClick={() => setEditing(flag.name)} aria-label={`${t('flags.edit')}: ${flag.name}`}>
                  {t('flags.edit')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
