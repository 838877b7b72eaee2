import { OutgoingMail } from './mail-outbox';

/**
 * The messages MedGenie sends: short plain text and the same as simple HTML. Names typed by users
 * (people, organizations) are escaped in the HTML; nothing a stranger typed goes into a message
 * sent to someone else (a signup attempt with a taken email says nothing of what was typed).
 */

const escapeHtml = (v: string) => v.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A paragraph of text: plain parts are escaped, `{ link }` parts become anchors. */
type Part = string | { link: string };

function compose(kind: string, to: string, userId: string | null, subject: string, paragraphs: Part[][]): OutgoingMail {
  const text = `${paragraphs.map((p) => p.map((part) => (typeof part === 'string' ? part : part.link)).join('')).join('\n\n')}\n\n-- MedGenie\n`;
  const body = paragraphs
    .map((p) => `<p>${p.map((part) => (typeof part === 'string' ? escapeHtml(part) : `<a href="${escapeHtml(part.link)}">${escapeHtml(part.link)}</a>`)).join('')}</p>`)
    .join('\n');
  const html = `<!doctype html>\n<html><body style="font-family: sans-serif; line-height: 1.5">\n${body}\n<p style="color: #666">-- MedGenie</p>\n</body></html>\n`;
  // A name typed by a user can hold line breaks or control characters: never in a header.
  return { kind, to, userId, subject: subject.replace(/\p{Cc}+/gu, ' '), text, html };
}

export function passwordResetMail(p: { to: string; userId: string; name: string; link: string; ttlMinutes: number }): OutgoingMail {
  return compose('password_reset', p.to, p.userId, 'Reset your MedGenie password', [
    [`Hello ${p.name},`],
    ['Someone (we hope you) asked to reset the password of your MedGenie account. To choose a new one, open this link:'],
    [{ link: p.link }],
    [`The link works once, for ${p.ttlMinutes} minutes. Resetting your password signs you out everywhere.`],
    ['If you did not ask for this, ignore this message: your password stays as it is.'],
  ]);
}

export function temporaryPasswordMail(p: {
  to: string;
  userId: string;
  name: string;
  organizationName: string;
  consoleUrl: string;
  temporaryPassword: string;
  reset: boolean;
}): OutgoingMail {
  const intro = p.reset
    ? `An administrator of ${p.organizationName} gave your MedGenie account a new temporary password.`
    : `An administrator of ${p.organizationName} created a MedGenie account for you.`;
  return compose('temporary_password', p.to, p.userId, `Your MedGenie temporary password for ${p.organizationName}`, [
    [`Hello ${p.name},`],
    [intro],
    [`Email: ${p.to}`],
    [`Temporary password: ${p.temporaryPassword}`],
    ['Sign in at ', { link: p.consoleUrl }, '. You must change this password at your first sign-in.'],
  ]);
}

export function signupAttemptMail(p: { to: string; userId: string; name: string; consoleUrl: string; resetPageUrl: string }): OutgoingMail {
  return compose('signup_email_taken', p.to, p.userId, 'Someone tried to sign up to MedGenie with your email', [
    [`Hello ${p.name},`],
    ['Someone tried to create an organization on MedGenie with this email address, which already has an account. Nothing was created.'],
    ['If it was you, sign in at ', { link: p.consoleUrl }, ', or reset your password at ', { link: p.resetPageUrl }, '.'],
    ['If it was not you, you need not do anything.'],
  ]);
}

export function welcomeMail(p: { to: string; userId: string; name: string; organizationName: string; consoleUrl: string }): OutgoingMail {
  return compose('welcome', p.to, p.userId, `Welcome to MedGenie, ${p.organizationName}`, [
    [`Hello ${p.name},`],
    [`Your organization ${p.organizationName} is set up on MedGenie, and you are its administrator.`],
    ['Sign in at ', { link: p.consoleUrl }, ' to add your clinics, doctors and staff.'],
  ]);
}
