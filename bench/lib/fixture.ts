import { createHash } from 'node:crypto';

/**
 * Deterministic ids, computed the same way in SQL (`md5(text)::uuid`) and here, so every
 * benchmark database holds the very same target org, user and patients, and one token and one
 * set of request paths serve every variant.
 */
export function md5Uuid(text: string): string {
  const h = createHash('md5').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const orgId = (n: number) => md5Uuid(`bench-org-${n}`);
export const userId = (n: number) => md5Uuid(`bench-user-${n}`);
export const clinicId = (n: number) => md5Uuid(`bench-clinic-${n}`);
export const membershipId = (n: number) => md5Uuid(`bench-membership-${n}`);
export const patientId = (n: number, i: number) => md5Uuid(`bench-patient-${n}-${i}`);

/** The org every benchmark measures (org number 1 of each database). */
export const TARGET_ORG = 1;
export const REGION_ID = 'in';

/**
 * Patient i of an org gets LAST_NAMES[i % 8] and FIRST_NAMES[(i / 8) % 25]: with 200 patients
 * per org each last name holds 25 patients, so a search for "sha" (Sharma) fills a 20-row page
 * with more to come. No first name starts with "sha".
 */
export const LAST_NAMES = ['Sharma', 'Patel', 'Reddy', 'Iyer', 'Khan', 'Singh', 'Gupta', 'Nair'];
export const FIRST_NAMES = [
  'Aarav', 'Vivaan', 'Aditya', 'Vihaan', 'Arjun', 'Reyansh', 'Ayaan', 'Krishna', 'Ishaan', 'Rohan',
  'Ananya', 'Diya', 'Priya', 'Kavya', 'Meera', 'Nisha', 'Pooja', 'Riya', 'Tara', 'Zara',
  'Imran', 'Farah', 'Joseph', 'Maria', 'Neha',
];
export const SEARCH_TERM = 'sha';

/**
 * A large org (rls-cost) holds, beyond the usual 200, patients whose surnames are three of these
 * syllables: 1,000 distinct names, so a search for "kara" matches 1 in 100 of them (a selective
 * search, as in a real hospital's register) and still fills a page.
 */
export const SURNAME_SYLLABLES = ['ka', 'ra', 'pa', 'sa', 've', 'mu', 'de', 'ja', 'bo', 'ti'];
export const LARGE_ORG_SEARCH_TERM = 'kara';
