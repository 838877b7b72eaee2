import { FormEvent, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { MfaProof, MfaSetup } from '../api/types';
import { MfaSecret, RecoveryCodes } from '../auth/mfa-parts';
import { useSession } from '../auth/session';
import { ErrorState, Loading, Notice } from '../common/states';
import { keys, usePageQuery } from '../api/queries';
import { formatNumber, MessageKey, t } from '../i18n/i18n';

type Enrolment = { stage: 'password' } | { stage: 'code'; setup: MfaSetup } | { stage: 'codes'; codes: string[] };
type ProofKind = 'code' | 'recoveryCode' | 'password';

const PROOF_LABEL: Record<ProofKind, MessageKey> = { code: 'account.mfaCodeLabel', recoveryCode: 'signin.recoveryCode', password: 'signin.password' };
const SIX_DIGITS = /^\d{6}$/;

/** The signed-in admin's own account: two-step verification (set up, new recovery codes, turn off) and the password. */
export function AccountPage() {
  const { api, client, email, claims } = useSession();
  const navigate = useNavigate();
  const mfa = usePageQuery(keys.mfaStatus, () => api.auth.mfaStatus());
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [newCodes, setNewCodes] = useState<string[] | null>(null);
  const [proofKind, setProofKind] = useState<ProofKind>('code');
  const [fields, setFields] = useState({ enrolPassword: '', enrolCode: '', codesCode: '', proof: '', current: '', next: '', passwordCode: '' });
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);

  const field = (name: keyof typeof fields) => ({
    value: fields[name],
    onChange: (e: { target: { value: string } }) => setFields((f) => ({ ...f, [name]: e.target.value })),
  });
  const clear = (...names: (keyof typeof fields)[]) => setFields((f) => ({ ...f, ...Object.fromEntries(names.map((n) => [n, ''])) }));

  const run = (action: () => Promise<string | null>) => async (e?: FormEvent) => {
    e?.preventDefault();
    setBusy(true);
    setNotice(null);
    try {
      const text = await action();
      if (text) setNotice({ kind: 'success', text });
    } catch (err) {
      setNotice({ kind: 'error', text: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  };

  const startEnrolment = run(async () => {
    const setup = await api.auth.mfaSetupSignedIn(fields.enrolPassword);
    clear('enrolPassword');
    setEnrolment({ stage: 'code', setup });
    return null;
  });
  const activate = run(async () => {
    const { recoveryCodes } = await api.auth.mfaActivateSignedIn(fields.enrolCode.trim());
    clear('enrolCode');
    setEnrolment({ stage: 'codes', codes: recoveryCodes });
    mfa.reload();
    return t('account.mfaActivated');
  });
  const makeNewCodes = run(async () => {
    const { recoveryCodes } = await api.auth.newRecoveryCodes(fields.codesCode.trim());
    clear('codesCode');
    setNewCodes(recoveryCodes);
    mfa.reload();
    return t('account.newCodesDone');
  });
  const disable = run(async () => {
    const value = proofKind === 'password' ? fields.proof : fields.proof.trim();
    const proof: MfaProof = proofKind === 'code' ? { code: value } : proofKind === 'recoveryCode' ? { recoveryCode: value } : { password: value };
    await api.auth.mfaDisable(proof);
    clear('proof');
    mfa.reload();
    return t('account.disabled');
  });
  const changePassword = run(async () => {
    const second = fields.passwordCode.trim();
    const secondFactor = !second ? {} : SIX_DIGITS.test(second) ? { code: second } : { recoveryCode: second };
    await api.auth.changePassword(email ?? '', fields.current, fields.next, secondFactor);
    // Every session of the account has ended, this one too.
    client.forget('password_changed');
    navigate('/signin', { replace: true });
    return null;
  });

  const status = mfa.data;
  return (
    <>
      <h1>{t('account.title')}</h1>
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}

      <section className="card" aria-labelledby="account-who">
        <h2 id="account-who">{t('account.title')}</h2>
        <dl className="facts">
          <dt>{t('account.email')}</dt>
          <dd>{email ?? t('common.none')}</dd>
          <dt>{t('account.role')}</dt>
          <dd>{claims?.role === 'platform_admin' ? t('account.platformAdmin') : (claims?.role ?? t('common.none'))}</dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="account-mfa">
        <h2 id="account-mfa">{t('account.mfaTitle')}</h2>
        {mfa.loading && !status && <Loading />}
        {mfa.error && <ErrorState error={mfa.error} onRetry={mfa.reload} />}
        {status && (
          <p data-testid="mfa-status">
            {status.enabled ? t('account.mfaOn', { count: formatNumber(status.recoveryCodesLeft) }) : t('account.mfaOff')}
            {status.required && <> {t('account.mfaRequired')}</>}
          </p>
        )}

        {enrolment?.stage === 'codes' && <RecoveryCodes codes={enrolment.codes} doneLabel={t('account.mfaCodesSaved')} onDone={() => setEnrolment(null)} />}
        {newCodes && <RecoveryCodes codes={newCodes} doneLabel={t('account.mfaCodesSaved')} onDone={() => setNewCodes(null)} />}

        {status && !status.enabled && enrolment?.stage !== 'codes' && (
          <>
            <p>{t('account.mfaIntro')}</p>
            {!enrolment && (
              <button type="button" className="primary" onClick={() => setEnrolment({ stage: 'password' })}>
                {t('account.mfaStart')}
              </button>
            )}
            {enrolment?.stage === 'password' && (
              <form onSubmit={startEnrolment} aria-label={t('account.mfaStart')}>
                <label htmlFor="account-mfa-password">{t('account.mfaPasswordLabel')}</label>
                <input id="account-mfa-password" type="password" autoComplete="current-password" required {...field('enrolPassword')} />
                <button type="submit" className="primary" disabled={busy}>
                  {t('account.mfaContinue')}
                </button>
              </form>
            )}
            {enrolment?.stage === 'code' && (
              <form onSubmit={activate} aria-label={t('account.mfaActivate')}>
                <MfaSecret setup={enrolment.setup} />
                <label htmlFor="account-mfa-code">{t('account.mfaCodeLabel')}</label>
                <input id="account-mfa-code" autoComplete="one-time-code" inputMode="numeric" pattern="\d{6}" required {...field('enrolCode')} />
                <button type="submit" className="primary" disabled={busy}>
                  {t('account.mfaActivate')}
                </button>
              </form>
            )}
          </>
        )}

        {status?.enabled && enrolment?.stage !== 'codes' && !newCodes && (
          <>
            <form onSubmit={makeNewCodes} aria-label={t('account.newCodesTitle')}>
              <h3>{t('account.newCodesTitle')}</h3>
              <label htmlFor="account-codes-code">{t('account.newCodesLabel')}</label>
              <input id="account-codes-code" autoComplete="one-time-code" inputMode="numeric" pattern="\d{6}" required {...field('codesCode')} />
              <button type="submit" disabled={busy}>
                {t('account.newCodes')}
              </button>
            </form>
            {!status.required && (
              <form onSubmit={disable} aria-label={t('account.disableTitle')}>
                <h3>{t('account.disableTitle')}</h3>
                <label htmlFor="account-proof-kind">{t('account.disableWith')}</label>
                <select id="account-proof-kind" value={proofKind} onChange={(e) => setProofKind(e.target.value as ProofKind)}>
                  <option value="code">{t('account.proofCode')}</option>
                  <option value="recoveryCode">{t('account.proofRecovery')}</option>
                  <option value="password">{t('account.proofPassword')}</option>
                </select>
                <label htmlFor="account-proof">{t(PROOF_LABEL[proofKind])}</label>
                <input
                  id="account-proof"
                  type={proofKind === 'password' ? 'password' : 'text'}
                  autoComplete={proofKind === 'password' ? 'current-password' : 'one-time-code'}
                  required
                  {...field('proof')}
                />
                <button type="submit" className="danger" disabled={busy}>
                  {t('account.disable')}
                </button>
              </form>
            )}
          </>
        )}
      </section>

      <section className="card" aria-labelledby="account-password">
        <h2 id="account-password">{t('account.passwordTitle')}</h2>
        <p>{t('account.passwordIntro')}</p>
        <form onSubmit={changePassword} aria-label={t('account.passwordTitle')}>
          <label htmlFor="account-current">{t('account.currentPassword')}</label>
          <input id="account-current" type="password" autoComplete="current-password" required {...field('current')} />
          <label htmlFor="account-new">{t('account.newPassword')}</label>
          <input
            id="account-new"
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            maxLength={128}
            aria-describedby="account-new-hint"
            {...field('next')}
          />
          <p id="account-new-hint" className="hint">
            {t('signin.newPasswordHint')}
          </p>
          {status?.enabled && (
            <>
              <label htmlFor="account-password-code">{t('account.passwordCode')}</label>
              <input id="account-password-code" autoComplete="one-time-code" required {...field('passwordCode')} />
            </>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {t('account.changePassword')}
          </button>
        </form>
      </section>
    </>
  );
}
