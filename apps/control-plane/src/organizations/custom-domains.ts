/** How custom domains are spelled and which ones the platform keeps for itself. */

/** The TXT record an org publishes to prove it holds a domain. */
export const VERIFICATION_RECORD_PREFIX = '_medgenie-verify';
export const VERIFICATION_VALUE_PREFIX = 'medgenie-verify=';

/** Lower case, without surrounding space or the trailing dot of a fully qualified name. */
export function normalizeDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.$/, '');
}

/**
 * Special-use names (RFC 6761): `localhost` always means this machine (the local console is
 * `console.localhost`), so nothing under it is anyone's custom domain.
 */
const SPECIAL_USE = ['localhost'];

/**
 * Whether `domain` is a platform host name: one of the platform's domains (each region's domain and
 * local domain, from the region registry) or anything under one (`console.`, `api.`, every org's
 * `<slug>.`), or a special-use name.
 */
export function isPlatformDomain(domain: string, platformDomains: readonly string[]): boolean {
  return [...platformDomains, ...SPECIAL_USE].some((p) => domain === p || domain.endsWith(`.${p}`));
}

export function verificationRecord(domain: string, token: string): { type: 'TXT'; name: string; value: string } {
  return { type: 'TXT', name: `${VERIFICATION_RECORD_PREFIX}.${domain}`, value: `${VERIFICATION_VALUE_PREFIX}${token}` };
}
