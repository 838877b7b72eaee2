import { FormEvent, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { ApiError, SessionEndReason } from '../api/client';
import type { MfaSetup, TokenPairResult } from '../api/types';
import { Notice } from '../common/states';
import { MessageKey, t } from '../i18n/i18n';
import { MfaSecret, RecoveryCodes } from './mfa-parts';
import { useSession } from './session';

const ENDED: Record<SessionEndReason, MessageKey> = {
  reused: 'signin.sessionReused',
  ended: 'signin.sessionEnded',
  expired: 'signin.sessionExpired',
  password_changed: 'signin.sessionPasswordChanged',
};

type Step =
  | { kind: 'password' }
  | { kind: 'change-password'; email: string; currentPassword: string }
  | { kind: 'mfa'; challengeToken: string; expiresIn: number }
  | { kind: 'mfa-enroll'; enrollmentToken: string; setup?: MfaSetup }
  | { kind: 'mfa-recovery-codes'; codes: string[] };

/**
 * Sign in: email and password, then what the control plane asks for next (a forced password
 * change, a two-step verification code, or setting two-step verification up), then the page the
 * user was sent here from.
 */
export function SignInPage() {
  const { api, client, endReason } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const next = new URLSearchParams(location.search).get('next');
  const [step, setStep] = useState<Step>({ kind: 'password' });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [code, setCode] = useState('');
  const [useRecovery, setUseRecovery] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const finish = (tokens: TokenPairResult) => {
    client.startSession(tokens, email.trim().toLowerCase());
    navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/organizations', { replace: true });
  };

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const signIn = async (withPassword: string) => {
    try {
      const result = await api.auth.login(email, withPassword);
      if ('mfaRequired' in result && result.mfaRequired) return setStep({ kind: 'mfa', challengeToken: result.challengeToken, expiresIn: result.expiresIn });
      if ('mfaEnrollmentRequired' in result && result.mfaEnrollmentRequired) return setStep({ kind: 'mfa-enroll', enrollmentToken: result.enrollmentToken });
      if ('accessToken' in result) finish(result);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'PASSWORD_CHANGE_REQUIRED') {
        setInfo(t('signin.passwordChangeRequired'));
        return setStep({ kind: 'change-password', email, currentPassword: withPassword });
      }
      throw err;
    }
  };

  const onPassword = (e: FormEvent) => {
    e.preventDefault();
    void run(() => signIn(password));
  };

  const onChangePassword = (e: FormEvent) => {
    e.preventDefault();
    if (step.kind !== 'change-password') return;
    void run(async () => {
      await api.auth.changePassword(step.email, step.currentPassword, newPassword);
      setInfo(t('signin.passwordChanged'));
      await signIn(newPassword);
    });
  };

  const onMfa = (e: FormEvent) => {
    e.preventDefault();
    if (step.kind !== 'mfa') return;
    void run(async () => finish(await api.auth.loginMfa(step.challengeToken, useRecovery ? { recoveryCode: code.trim() } : { code: code.trim() })));
  };

  const onMfaSetup = () => {
    if (step.kind !== 'mfa-enroll') return;
    void run(async () => setStep({ ...step, setup: await api.auth.mfaSetup(step.enrollmentToken) }));
  };

  const onMfaActivate = (e: FormEvent) => {
    e.preventDefault();
    if (step.kind !== 'mfa-enroll') return;
    void run(async () => {
      const result = await api.auth.mfaActivate(step.enrollmentToken, code.trim());
      setCode('');
      setPassword('');
      // The enrolment token is spent: the recovery codes, shown once, then a sign-in with a code.
      setStep({ kind: 'mfa-recovery-codes', codes: result.recoveryCodes });
    });
  };

  const ended = endReason ? t(ENDED[endReason]) : null;

  return (
    <main id="main" className="auth-page">
      <div className="card auth-card">
        <h1>{t('signin.title')}</h1>
        {ended && <Notice kind="warning">{ended}</Notice>}
        {info && <Notice kind="success">{info}</Notice>}
        {error && <Notice kind="error">{error}</Notice>}

        {step.kind === 'password' && (
          <form onSubmit={onPassword} aria-label={t('signin.title')}>
            <label htmlFor="signin-email">{t('signin.email')}</label>
            <input id="signin-email" name="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
            <label htmlFor="signin-password">{t('signin.password')}</label>
            <input id="signin-password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
            <button type="submit" className="primary" disabled={busy}>
              {busy ? t('signin.signingIn') : t('signin.submit')}
            </button>
          </form>
        )}

        {step.kind === 'change-password' && (
          <form onSubmit={onChangePassword} aria-label={t('signin.changePasswordTitle')}>
            <h2>{t('signin.changePasswordTitle')}</h2>
            <label htmlFor="signin-new-password">{t('signin.newPassword')}</label>
            <input
              id="signin-new-password"
              name="newPassword"
              type="password"
              autoComplete="new-password"
              required
              minLength={12}
              maxLength={128}
              aria-describedby="signin-new-password-hint"
              value={newPassword}
              onChange={(e) => setNewPassword(e.target.value)}
            />
            <p id="signin-new-password-hint" className="hint">
              {t('signin.newPasswordHint')}
            </p>
            <button type="submit" className="primary" disabled={busy}>
              {t('signin.changePasswordSubmit')}
            </button>
          </form>
        )}

        {step.kind === 'mfa' && (
          <form onSubmit={onMfa} aria-label={t('signin.mfaTitle')}>
            <h2>{t('signin.mfaTitle')}</h2>
            <label htmlFor="signin-code">{useRecovery ? t('signin.recoveryCode') : t('signin.mfaCode')}</label>
            <input
              id="signin-code"
              name="code"
              autoComplete="one-time-code"
              inputMode={useRecovery ? 'text' : 'numeric'}
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
            <button type="submit" className="primary" disabled={busy}>
              {t('signin.verify')}
            </button>
            <button type="button" className="link-button" onClick={() => setUseRecovery((v) => !v)}>
              {useRecovery ? t('signin.useCode') : t('signin.useRecovery')}
            </button>
          </form>
        )}

        {step.kind === 'mfa-enroll' && (
          <section aria-labelledby="mfa-enroll-title">
            <h2 id="mfa-enroll-title">{t('signin.mfaEnrollTitle')}</h2>
            <p>{t('signin.mfaEnrollIntro')}</p>
            {!step.setup && (
              <button type="button" className="primary" onClick={onMfaSetup} disabled={busy}>
                {t('signin.mfaEnrollStart')}
              </button>
            )}
            {step.setup && (
              <form onSubmit={onMfaActivate} aria-label={t('signin.mfaEnrollTitle')}>
                <MfaSecret setup={step.setup} />
                <label htmlFor="signin-enroll-code">{t('signin.mfaCode')}</label>
                <input id="signin-enroll-code" name="code" autoComplete="one-time-code" inputMode="numeric" required value={code} onChange={(e) => setCode(e.target.value)} />
                <button type="submit" className="primary" disabled={busy}>
                  {t('signin.mfaEnrollActivate')}
                </button>
              </form>
            )}
          </section>
        )}

        {step.kind === 'mfa-recovery-codes' && (
          <RecoveryCodes
            codes={step.codes}
            doneLabel={t('signin.mfaSavedCodes')}
            onDone={() => {
              setInfo(t('signin.mfaActivated'));
              setStep({ kind: 'password' });
            }}
          />
        )}

        <p className="aside">
          {t('signin.noAccount')} <Link to="/signup">{t('signin.signupLink')}</Link>
        </p>
      </div>
    </main>
  );
}
