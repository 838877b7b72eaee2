import { signupAttemptMail, temporaryPasswordMail } from './mail-templates';

describe('mail templates', () => {
  const base = { to: 'dr@example.test', userId: 'u1', name: 'Dr <script>x</script>', consoleUrl: 'https://console.example.test', temporaryPassword: 'Tmp-Pass_123' };

  it('escapes names in the HTML, keeps them in the text, and keeps line breaks out of the subject', () => {
    const mail = temporaryPasswordMail({ ...base, organizationName: 'Evil\r\nBcc: all@example.test', reset: false });
    expect(mail.subject).toBe('Your MedGenie temporary password for Evil Bcc: all@example.test');
    expect(mail.html).toContain('Dr &lt;script&gt;x&lt;/script&gt;');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain('Hello Dr <script>x</script>,');
    expect(mail.text).toContain('Temporary password: Tmp-Pass_123');
    expect(mail.text).toContain('You must change this password at your first sign-in.');
    expect(mail.html).toContain('<a href="https://console.example.test">https://console.example.test</a>');
  });

  it('tells the owner of a taken email where to sign in or reset, with no token', () => {
    const mail = signupAttemptMail({ ...base, resetPageUrl: 'https://console.example.test/reset-password' });
    expect(mail.kind).toBe('signup_email_taken');
    expect(mail.text).toContain('https://console.example.test/reset-password.');
    expect(mail.text).not.toContain('token');
  });
});
