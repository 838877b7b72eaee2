import { FindOptionsOrder, FindOptionsWhere, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Page, pageWindow } from './page';

export interface PatientRecordsQuery {
  patientId: string;
  clinicId?: string;
  limit?: number;
  offset?: number;
}

export interface PatientRecordsList<E, V> {
  /** Further equality filters (tooth, status, kind), beside org, patient and clinic. */
  filters?: Partial<Record<keyof E, unknown>>;
  /** Newest first by this column, then by id. */
  newestBy: keyof E & string;
  action: string;
  resourceType: string;
  view: (row: E) => V;
}

/**
 * One page of a patient's clinical records of one kind (observations, procedures, attachments,
 * case studies), newest first, audited as one list event with the ids it returned. RLS hides
 * rows in clinics the caller may not access; the caller has checked the patient exists.
 */
export async function listPatientRecords<E extends { id: string }, V>(
  repo: Repository<E>,
  audit: AuditService,
  orgId: string,
  query: PatientRecordsQuery,
  list: PatientRecordsList<E, V>,
): Promise<Page<V>> {
  const { limit, offset } = pageWindow(query);
  const defined = Object.entries(list.filters ?? {}).filter(([, value]) => value !== undefined);
  const where = {
    organizationId: orgId,
    patientId: query.patientId,
    ...Object.fromEntries(defined),
    ...(query.clinicId ? { clinicId: query.clinicId } : {}),
  } as unknown as FindOptionsWhere<E>;
  const order = { [list.newestBy]: 'DESC', id: 'DESC' } as FindOptionsOrder<E>;
  const rows = await repo.find({ where, order, take: limit + 1, skip: offset });
  const items = rows.slice(0, limit);
  await audit.record({
    action: list.action,
    resourceType: list.resourceType,
    details: { patientId: query.patientId, count: items.length, ids: items.map((row) => row.id) },
  });
  return { items: items.map(list.view), limit, offset, hasMore: rows.length > limit };
}
