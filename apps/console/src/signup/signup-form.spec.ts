import { ApiError } from '../api/client';
import type { Region } from '../api/types';
import { fieldErrors, organizationUrl, slugFrom } from './signup-form';

const india = { id: 'in', domain: 'medgenie.in', localDomain: 'in.localhost' } as Region;

describe('the signup form', () => {
  it('puts each validation message next to its field, and the rest above the form', () => {
    const error = new ApiError(400, 'x', 'VALIDATION_FAILED', {
      message: ['slug must be a DNS label: a-z, 0-9 and inner hyphens', 'adminPassword must be longer than or equal to 12 characters', 'something else'],
    });
    expect(fieldErrors(error)).toEqual({
      fields: { slug: 'slug must be a DNS label: a-z, 0-9 and inner hyphens', adminPassword: 'adminPassword must be longer than or equal to 12 characters' },
      other: ['something else'],
    });
  });

  it('maps domain refusals to their field by code', () => {
    expect(fieldErrors(new ApiError(409, 'The slug apollo is taken', 'SLUG_TAKEN')).fields).toEqual({ slug: 'The slug apollo is taken' });
    expect(fieldErrors(new ApiError(409, 'taken', 'EMAIL_TAKEN')).fields).toEqual({ adminEmail: 'taken' });
    expect(fieldErrors(new ApiError(400, 'unknown region', 'UNKNOWN_REGION')).fields).toEqual({ regionId: 'unknown region' });
  });

  it('suggests a slug from the name', () => {
    expect(slugFrom('Apollo Hospitals')).toBe('apollo-hospitals');
    expect(slugFrom('  Clínica São José! ')).toBe('clinica-sao-jose');
    expect(slugFrom('x'.repeat(70))).toHaveLength(63);
    expect(slugFrom('---')).toBe('');
  });

  it("lands on the org's domain: the local one when the console is local, with the port", () => {
    expect(organizationUrl('apollo', india, { protocol: 'http:', hostname: 'console.localhost', port: '8080' })).toBe('http://apollo.in.localhost:8080/');
    expect(organizationUrl('apollo', india, { protocol: 'https:', hostname: 'console.medgenie.com', port: '' })).toBe('https://apollo.medgenie.in/');
  });
});
