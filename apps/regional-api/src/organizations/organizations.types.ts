/** An organization's branding (settings), as stored in `organizations.branding`. */
export interface Branding {
  displayName?: string;
  primaryColor?: string;
  logoUrl?: string;
}
