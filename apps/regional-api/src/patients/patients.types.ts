/** A postal address as a patient's record keeps it. */
export interface PostalAddress {
  line1?: string;
  line2?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
}

/** Whom to call for a patient. */
export interface EmergencyContact {
  name: string;
  relationship?: string;
  phone: string;
}
