import { useEffect, useRef, useState } from 'react';
import type { MfaSetup } from '../api/types';
import { t } from '../i18n/i18n';

/**
 * A new two-step verification secret: a QR code for an authenticator app (drawn on a canvas, so
 * the console's CSP needs nothing more), the otpauth address, and the key to type by hand.
 */
export function MfaSecret({ setup }: { setup: MfaSetup }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [qrFailed, setQrFailed] = useState(false);
  useEffect(() => {
    let cancelled = false;
    import('qrcode')
      .then(({ default: QRCode }) => {
        if (!cancelled && canvas.current) return QRCode.toCanvas(canvas.current, setup.otpauthUri, { width: 192, margin: 2 });
      })
      .catch(() => !cancelled && setQrFailed(true));
    return () => {
      cancelled = true;
    };
  }, [setup.otpauthUri]);

  return (
    <div className="mfa-secret">
      {!qrFailed && <canvas ref={canvas} width={192} height={192} role="img" aria-label={t('mfa.qrLabel')} data-testid="mfa-qr" />}
      <p>
        {t('mfa.uri')} <code className="wrap">{setup.otpauthUri}</code>
      </p>
      <p>
        {t('mfa.secret')} <code className="wrap" data-testid="mfa-secret">{setup.secret}</code>
      </p>
    </div>
  );
}

/** Recovery codes, shown once (only their hashes are kept), until the user says they are saved. */
export function RecoveryCodes({ codes, onDone, doneLabel }: { codes: string[]; onDone: () => void; doneLabel: string }) {
  return (
    <section className="recovery-codes" aria-labelledby="recovery-codes-title">
      <h3 id="recovery-codes-title">{t('mfa.recoveryCodesTitle')}</h3>
      <p>{t('mfa.recoveryCodesText')}</p>
      <ul className="codes" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <button type="button" className="primary" onClick={onDone}>
        {doneLabel}
      </button>
    </section>
  );
}
