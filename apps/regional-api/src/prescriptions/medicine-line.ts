import type { PrescriptionItemDto } from './dto/prescription.dto';
import type { PrescriptionItemView } from './prescriptions.types';

/** A medicine line as written, a prescription's or a short key's: which medicine, how much, how often, how long. */
export type MedicineLine = Omit<PrescriptionItemView, 'id' | 'position' | 'medicineName' | 'shortKeyId'>;

/** The line a request gives (or a short key's line), its optional fields null when left out. */
export function medicineLine(item: PrescriptionItemDto): MedicineLine {
  return {
    medicineId: item.medicineId,
    dosage: item.dosage,
    frequency: item.frequency,
    duration: item.duration,
    quantity: item.quantity ?? null,
    instructions: item.instructions ?? null,
  };
}

/** The lines as parallel arrays (medicine, dosage, frequency, duration, quantity, instructions), as a multi-row insert binds them to unnest(). */
export function medicineLineArrays(lines: readonly MedicineLine[]): unknown[][] {
  return [
    lines.map((l) => l.medicineId),
    lines.map((l) => l.dosage),
    lines.map((l) => l.frequency),
    lines.map((l) => l.duration),
    lines.map((l) => l.quantity),
    lines.map((l) => l.instructions),
  ];
}
