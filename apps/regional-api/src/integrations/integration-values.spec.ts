import { e164, isUpiVpa } from './integration-values';

describe('integration values', () => {
  it('accepts valid E.164 numbers, canonically, and nothing else', () => {
    expect(e164('+919876543210')).toBe('+919876543210');
    expect(e164('+14165550123')).toBe('+14165550123');
    expect(e164('+9109876543210')).toBe('+919876543210'); // a national trunk 0 after the country code
    for (const value of ['919876543210', '+91 98765 43210', '+91-9876543210', '+15555550123', '+0123456789', '+1', '', null, 919876543210]) {
      expect({ value, got: e164(value) }).toEqual({ value, got: null });
    }
  });

  it("takes NPCI's VPA format: 2 to 256 of [A-Za-z0-9._-], '@', a handle of letters", () => {
    for (const value of ['ab@ybl', 'apollo.clinic-1_main@okaxis', `${'x'.repeat(256)}@upi`]) expect(isUpiVpa(value)).toBe(true);
    for (const value of ['a@ybl', `${'x'.repeat(257)}@upi`, 'apollo@ok1axis', 'apollo@', '@ybl', 'apollo', 'apo llo@ybl', 'a+b@ybl', 'ab@y', 'ab@ybl@upi', 42]) {
      expect({ value, ok: isUpiVpa(value) }).toEqual({ value, ok: false });
    }
  });
});
