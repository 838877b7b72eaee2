/** Tooth surfaces; facial/buccal, lingual/palatal and occlusal/incisal are kept as the clinician wrote them. */
export const SURFACES = ['mesial', 'distal', 'buccal', 'facial', 'lingual', 'palatal', 'occlusal', 'incisal'] as const;
export type Surface = (typeof SURFACES)[number];

export const CONDITIONS = [
  'caries',
  'fracture',
  'missing',
  'filled',
  'crown',
  'root_canal',
  'implant',
  'bridge',
  'mobility',
  'gingivitis',
  'periodontitis',
  'abscess',
  'sensitivity',
  'wear',
  'impacted',
  'other',
] as const;
export type Condition = (typeof CONDITIONS)[number];

export const SEVERITIES = ['mild', 'moderate', 'severe'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const PROCEDURE_STATUSES = ['planned', 'in_progress', 'completed', 'cancelled'] as const;
export type ProcedureStatus = (typeof PROCEDURE_STATUSES)[number];

/** Where a procedure may go from each status; completed and cancelled are final. */
export const PROCEDURE_TRANSITIONS: Record<ProcedureStatus, readonly ProcedureStatus[]> = {
  planned: ['in_progress', 'completed', 'cancelled'],
  in_progress: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

/** A CDT/ADA code such as D2391, or a clinic's own code: upper-case letters, digits, '.' and '-'. */
export const PROCEDURE_CODE_PATTERN = /^[A-Z0-9][A-Z0-9.-]{1,19}$/;

/**
 * FDI (ISO 3950) two-digit tooth numbers: quadrant then position. Permanent 11–18, 21–28, 31–38,
 * 41–48; primary 51–55, 61–65, 71–75, 81–85. The same rule is a CHECK constraint in the database.
 */
export function isFdiTooth(value: unknown): value is number {
  if (typeof value !== 'number' || !Number.isInteger(value)) return false;
  const quadrant = Math.floor(value / 10);
  const position = value % 10;
  if (quadrant >= 1 && quadrant <= 4) return position >= 1 && position <= 8;
  if (quadrant >= 5 && quadrant <= 8) return position >= 1 && position <= 5;
  return false;
}

/** Clinical writes are the clinicians' (doctors) and the org admins'; every member may read. */
export const CLINICIANS = ['org_admin', 'doctor'] as const;
