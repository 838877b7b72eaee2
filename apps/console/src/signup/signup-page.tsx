import { FormEvent, useState } from 'react';
import { Link } from 'react-router-dom';
import { ApiError } from '../api/client';
import type { SignupBody } from '../api/types';
import { useSession } from '../auth/session';
import { ErrorState, Loading, Notice } from '../common/states';
import { keys, usePageQuery } from '../api/queries';
import { MessageKey, t } from '../i18n/i18n';
import { Field, FIELDS, fieldErrors, organizationUrl, slugFrom } from './signup-form';

const LABELS: Record<Field, MessageKey> = {
  organizationName: 'signup.organizationName',
  slug: 'signup.slug',
  regionId: 'signup.region',
  adminName: 'signup.adminName',
  adminEmail: 'signup.adminEmail',
  adminPassword: 'signup.adminPassword',
  clinicName: 'signup.clinicName',
};

/** The public signup form (no sign-in): the same contract as `POST /v1/signup`. */
export function SignupPage() {
  const { api } = useSession();
  const regions = usePageQuery(keys.regions, () => api.regions());
  const [form, setForm] = useState<SignupBody>({ organizationName: '', slug: '', regionId: '', adminName: '', adminEmail: '', adminPassword: '', clinicName: '' });
  const [slugEdited, setSlugEdited] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<{ kind: 'check-email' } | { kind: 'provisioning'; url: string } | { kind: 'landing'; url: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const set = (field: Field, value: string) => {
    setForm((f) => ({ ...f, [field]: value, ...(field === 'organizationName' && !slugEdited ? { slug: slugFrom(value) } : {}) }));
    if (field === 'slug') setSlugEdited(true);
    setErrors((e) => ({ ...e, [field]: undefined }));
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFormError(null);
    setErrors({});
    try {
      const result = await api.signup(form);
      const region = regions.data?.find((r) => r.id === form.regionId);
      const url = region ? organizationUrl(form.slug, region, window.location) : '/';
      if (result.status === 'check_your_email') return setOutcome({ kind: 'check-email' });
      if (result.status === 'provisioning') return setOutcome({ kind: 'provisioning', url });
      setOutcome({ kind: 'landing', url });
      window.location.assign(url);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 400 || err.status === 409)) {
        const { fields, other } = fieldErrors(err);
        setErrors(fields);
        if (other.length > 0) setFormError(other.join('; '));
        const first = FIELDS.find((f) => fields[f]);
        if (first) document.getElementById(`signup-${first}`)?.focus();
      } else {
        setFormError(err instanceof Error ? err.message : String(err));
      }
    } finally {
      setBusy(false);
    }
  };

  if (outcome?.kind === 'check-email') {
    return (
      <main id="main" className="auth-page">
        <div className="card auth-card">
          <h1>{t('signup.checkEmailTitle')}</h1>
          <p role="status">{t('signup.checkEmail', { email: form.adminEmail })}</p>
        </div>
      </main>
    );
  }

  const input = (field: Field, props: { type?: string; autoComplete?: string; hint?: string; minLength?: number; maxLength?: number } = {}) => {
    const id = `signup-${field}`;
    const described = [props.hint ? `${id}-hint` : '', errors[field] ? `${id}-error` : ''].filter(Boolean).join(' ');
    return (
      <div className="field">
        <label htmlFor={id}>{t(LABELS[field])}</label>
        <input
          id={id}
          name={field}
          type={props.type ?? 'text'}
          autoComplete={props.autoComplete}
          required
          minLength={props.minLength}
          maxLength={props.maxLength}
          value={form[field]}
          aria-invalid={errors[field] ? true : undefined}
          aria-describedby={described || undefined}
          onChange={(e) => set(field, e.target.value)}
        />
        {props.hint && (
          <p id={`${id}-hint`} className="hint">
            {props.hint}
          </p>
        )}
        {errors[field] && (
          <p id={`${id}-error`} className="field-error">
            {errors[field]}
          </p>
        )}
      </div>
    );
  };

  return (
    <main id="main" className="auth-page">
      <div className="card auth-card wide">
        <h1>{t('signup.title')}</h1>
        <p>{t('signup.intro')}</p>
        {formError && <Notice kind="error">{formError}</Notice>}
        {outcome?.kind === 'provisioning' && <Notice kind="success">{t('signup.provisioning', { url: outcome.url })}</Notice>}
        {outcome?.kind === 'landing' && <Notice kind="success">{t('signup.landing', { url: outcome.url })}</Notice>}
        {regions.loading && !regions.data && <Loading label={t('signup.loadingRegions')} />}
        {regions.error && <ErrorState error={regions.error} onRetry={regions.reload} />}
        {regions.data && (
          <form onSubmit={onSubmit} noValidate aria-label={t('signup.title')}>
            {input('organizationName', { autoComplete: 'organization', maxLength: 200 })}
            {input('slug', { hint: t('signup.slugHint'), minLength: 3, maxLength: 63 })}
            <div className="field">
              <label htmlFor="signup-regionId">{t('signup.region')}</label>
              <select
                id="signup-regionId"
                name="regionId"
                required
                value={form.regionId}
                aria-invalid={errors.regionId ? true : undefined}
                aria-describedby={errors.regionId ? 'signup-regionId-error' : undefined}
                onChange={(e) => set('regionId', e.target.value)}
              >
                <option value="">{t('signup.chooseRegion')}</option>
                {regions.data.map((r) => (
                  <option key={r.id} value={r.id}>
                    {t('signup.regionOption', { name: r.name, currency: r.currency, framework: r.complianceFramework })}
                  </option>
                ))}
              </select>
              {errors.regionId && (
                <p id="signup-regionId-error" className="field-error">
                  {errors.regionId}
                </p>
              )}
            </div>
            {input('clinicName', { maxLength: 200 })}
            {input('adminName', { autoComplete: 'name', maxLength: 200 })}
            {input('adminEmail', { type: 'email', autoComplete: 'email', maxLength: 254 })}
            {input('adminPassword', { type: 'password', autoComplete: 'new-password', hint: t('signup.passwordHint'), minLength: 12, maxLength: 128 })}
            <button type="submit" className="primary" disabled={busy}>
              {busy ? t('signup.creating') : t('signup.submit')}
            </button>
          </form>
        )}
        <p className="aside">
          {t('signup.haveAccount')} <Link to="/signin">{t('signup.signinLink')}</Link>
        </p>
      </div>
    </main>
  );
}
