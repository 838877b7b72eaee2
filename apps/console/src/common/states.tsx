import { ReactNode } from 'react';
import { t } from '../i18n/i18n';

export function Loading({ label }: { label?: string }) {
  return (
    <p className="state state-loading" role="status" aria-live="polite">
      {label ?? t('common.loading')}
    </p>
  );
}

export function ErrorState({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <p>{error.message}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state state-empty">{children}</p>;
}

/** A message announced to screen readers: an action's outcome. */
export function Notice({ kind, children }: { kind: 'success' | 'error' | 'warning'; children: ReactNode }) {
  return (
    <div className={`notice notice-${kind}`} role={kind === 'success' ? 'status' : 'alert'}>
      {children}
    </div>
  );
}

/** A status as a coloured badge; `label` says more than the status word where there is more to say. */
export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return <span className={`badge badge-${status}`}>{label ?? status}</span>;
}
