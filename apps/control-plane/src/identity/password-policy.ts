import { ErrorCode, fail } from '../common/errors';

/** OWASP ASVS-style: length over composition rules; 12 to 128 characters, not built from the email. */
export function assertAcceptablePassword(password: string, email: string): void {
  if (password.length < 12 || password.length > 128) {
    throw fail(ErrorCode.WeakPassword, 'The password must be 12 to 128 characters long');
  }
  const local = email.split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 4 && password.toLowerCase().includes(local)) {
    throw fail(ErrorCode.WeakPassword, 'The password must not contain your email name');
  }
  if (new Set(password).size < 5) throw fail(ErrorCode.WeakPassword, 'The password is too repetitive');
}
