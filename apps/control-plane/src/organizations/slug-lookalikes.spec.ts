import { isPlatformDomain, normalizeDomain } from './custom-domains';
import { isDigitForLetterVariant, isPunycodeLabel, slugSkeleton } from './slug-lookalikes';

describe('slug look-alikes', () => {
  it('folds look-alike characters as the migration backfill does', () => {
    expect(slugSkeleton('apo11o')).toBe('apollo');
    expect(slugSkeleton('0134578i')).toBe('oleastbl');
    expect(slugSkeleton('apolio')).toBe('apollo');
  });

  it('finds digit-for-letter variants only', () => {
    expect(isDigitForLetterVariant('apo11o', 'apollo')).toBe(true);
    expect(isDigitForLetterVariant('apollo', 'ap0ll0')).toBe(true);
    expect(isDigitForLetterVariant('m1nt', 'mint')).toBe(true);
    expect(isDigitForLetterVariant('b35t', 'best')).toBe(true);
    expect(isDigitForLetterVariant('apollo', 'apollo')).toBe(false);
    expect(isDigitForLetterVariant('mail', 'mall')).toBe(false); // letter for letter
    expect(isDigitForLetterVariant('clinic2', 'clinicz')).toBe(false);
    expect(isDigitForLetterVariant('apollo', 'apollos')).toBe(false);
  });

  it('recognizes punycode labels', () => {
    expect(isPunycodeLabel('xn--pple-43d')).toBe(true);
    expect(isPunycodeLabel('ab--cd')).toBe(true);
    expect(isPunycodeLabel('apollo-clinic')).toBe(false);
  });
});

describe('platform domains', () => {
  const platform = ['medgenie.in', 'in.localhost'];
  it('is a platform domain itself, anything under one, or localhost', () => {
    for (const d of ['medgenie.in', 'x.medgenie.in', 'console.medgenie.in', 'in.localhost', 'a.in.localhost', 'console.localhost']) expect(isPlatformDomain(d, platform)).toBe(true);
    for (const d of ['notmedgenie.in', 'medgenie.in.example', 'care.example']) expect(isPlatformDomain(d, platform)).toBe(false);
  });
  it('normalizes case and the trailing dot', () => {
    expect(normalizeDomain(' Console.MedGenie.IN. ')).toBe('console.medgenie.in');
  });
});
