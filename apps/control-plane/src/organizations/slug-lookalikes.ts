/**
 * Slugs that imitate another org's slug. A digit may stand for the letters it looks like; two
 * slugs are look-alikes when they differ only by such substitutions (`apo11o` / `apollo`). The
 * skeleton folds every character of a class onto one (so `i` and `l` share `1`'s): equal skeletons
 * are candidates, found with one indexed query; `isDigitForLetterVariant` then keeps only the true
 * digit-for-letter variants (so `mail` and `mall`, which differ letter for letter, both stay allowed).
 */
const DIGIT_LOOKS_LIKE: Readonly<Record<string, string>> = { '0': 'o', '1': 'li', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b' };

/** Keep in step with the migration 1764860000000 backfill: translate(slug, '0134578i', 'oleastbl'). */
const SKELETON: Readonly<Record<string, string>> = { '0': 'o', '1': 'l', i: 'l', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b' };

export function slugSkeleton(slug: string): string {
  return [...slug].map((c) => SKELETON[c] ?? c).join('');
}

/** Whether `a` and `b` differ, and only where one has a digit and the other a letter that digit looks like. */
export function isDigitForLetterVariant(a: string, b: string): boolean {
  if (a === b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (!(DIGIT_LOOKS_LIKE[x]?.includes(y) || DIGIT_LOOKS_LIKE[y]?.includes(x))) return false;
  }
  return true;
}

/**
 * An IDNA A-label (`xn--…`) or any label with hyphens in its third and fourth places (reserved by
 * IDNA 2008 for such encodings): it renders as Unicode that can imitate any slug.
 */
export function isPunycodeLabel(slug: string): boolean {
  return slug.slice(2, 4) === '--';
}
