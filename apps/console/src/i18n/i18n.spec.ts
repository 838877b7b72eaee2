import { formatMoney } from './i18n';

describe('formatMoney', () => {
  it("reads Stripe's minor units by each currency's own decimals", () => {
    expect(formatMoney(499900, 'inr')).toBe('₹4,999.00');
    expect(formatMoney(4999, 'CAD')).toBe('CA$49.99');
    expect(formatMoney(0, 'usd')).toBe('$0.00');
    expect(formatMoney(500, 'jpy')).toBe('¥500');
  });
});
