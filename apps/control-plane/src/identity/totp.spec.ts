import { generateSync } from 'otplib';
import { Clock } from '../common/clock';
import { Totp } from './totp';

/** RFC 6238's SHA-1 test secret ("12345678901234567890"), base32. */
const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('Totp', () => {
  const at = (epoch: number) => new Totp({ now: () => new Date(epoch * 1000) } as Clock);
  const codeAt = (epoch: number) => generateSync({ secret: SECRET, epoch });
  const now = 1_796_000_015; // 15 s into step 59866667
  const step = Math.floor(now / 30);

  it('matches RFC 6238’s test vector (T = 59 s, 6 digits: 287082)', () => {
    expect(at(59).verify(SECRET, '287082', null)).toBe(1);
  });

  it('accepts the codes of the step before, this one and the next, with their step; not two steps away', () => {
    const totp = at(now);
    expect(totp.verify(SECRET, codeAt(now - 30), null)).toBe(step - 1);
    expect(totp.verify(SECRET, codeAt(now), null)).toBe(step);
    expect(totp.verify(SECRET, codeAt(now + 30), null)).toBe(step + 1);
    for (const far of [now - 60, now + 60]) {
      if (![-30, 0, 30].some((d) => codeAt(now + d) === codeAt(far))) expect(totp.verify(SECRET, codeAt(far), null)).toBeNull();
    }
  });

  it('refuses a code of the last accepted step or an earlier one', () => {
    const totp = at(now);
    expect(totp.verify(SECRET, codeAt(now), step)).toBeNull();
    expect(totp.verify(SECRET, codeAt(now - 30), step)).toBeNull();
    expect(totp.verify(SECRET, codeAt(now + 30), step)).toBe(step + 1);
    expect(totp.verify(SECRET, codeAt(now), step - 1)).toBe(step);
  });

  it('refuses anything that is not six digits without looking further', () => {
    const totp = at(now);
    for (const code of ['', '12345', '1234567', 'abcdef', ` ${codeAt(now).slice(1)}`]) expect(totp.verify(SECRET, code, null)).toBeNull();
  });

  it('makes secrets of 160 bits and an otpauth URI apps read', () => {
    const totp = at(now);
    const secret = totp.newSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(totp.uri(secret, 'dr.rao@example.in')).toBe(`otpauth://totp/MedGenie:dr.rao%40example.in?secret=${secret}&issuer=MedGenie`);
  });
});
