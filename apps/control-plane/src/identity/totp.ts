import { Injectable } from '@nestjs/common';
import { generateSecret, generateURI, verifySync } from 'otplib';
import { Clock } from '../common/clock';

/** RFC 6238 defaults, as every authenticator app reads them: SHA-1, 6 digits, 30 s steps. */
const PERIOD_SECONDS = 30;
/** A code of the step before or after the current one is accepted too (clock drift, typing time). */
const TOLERANCE_SECONDS = PERIOD_SECONDS;

/** TOTP (RFC 6238) through otplib, on the control plane's Clock. */
@Injectable()
export class Totp {
  constructor(private readonly clock: Clock) {}

  /** A new random secret (160 bits, base32), as authenticator apps take it. */
  newSecret(): string {
    return generateSecret();
  }

  /** The otpauth:// URI an authenticator app scans (issuer MedGenie, the user's email as label). */
  uri(secret: string, email: string): string {
    return generateURI({ issuer: 'MedGenie', label: email, secret, period: PERIOD_SECONDS });
  }

  /**
   * The time step `code` belongs to, if it is the secret's code within ±1 step of now and of a
   * step after `afterStep` (the last one accepted: no code is accepted twice, nor an older one);
   * null otherwise.
   */
  verify(secret: string, code: string, afterStep: number | null): number | null {
    if (!/^\d{6}$/.test(code)) return null;
    const result = verifySync({
      secret,
      token: code,
      period: PERIOD_SECONDS,
      epoch: Math.floor(this.clock.now().getTime() / 1000),
      epochTolerance: TOLERANCE_SECONDS,
      ...(afterStep !== null ? { afterTimeStep: afterStep } : {}),
    });
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  }
}
