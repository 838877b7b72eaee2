/** The dosage forms a medicine comes in (the `medicines.form` check constraint lists the same). */
export const MEDICINE_FORMS = [
  'tablet', 'capsule', 'syrup', 'suspension', 'injection', 'ointment', 'cream', 'gel', 'drops',
  'inhaler', 'spray', 'powder', 'lotion', 'mouthwash', 'solution', 'patch', 'suppository', 'other',
] as const;
export type MedicineForm = (typeof MEDICINE_FORMS)[number];

/** 'global': the catalogue every org sees, read-only through the API; 'organization': an org's own. */
export const MEDICINE_SCOPES = ['global', 'organization'] as const;
export type MedicineScope = (typeof MEDICINE_SCOPES)[number];
