import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { isUniqueViolation, prepared, runPrepared, TransactionHost } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import { assertWithinLimit } from '../organizations/plan-limits';
import { CreatePatientDto, ListPatientsQuery, UpdatePatientDto } from './dto/patient.dto';
import { Patient } from './patient.entity';
import { Page, pageWindow } from '../common/page';

export type PatientView = Omit<Patient, 'organizationId' | 'createdBy'>;

const UNIQUE_MOBILE_FIRST_NAME = 'patients_mobile_first_name_unique';

/** Columns named as the entity's properties, for the prepared reads below. */
const COLUMNS = `organization_id as "organizationId", id, first_name as "firstName", last_name as "lastName",
  mobile_number as "mobileNumber", to_char(date_of_birth, 'YYYY-MM-DD') as "dateOfBirth", gender, email, address,
  blood_group as "bloodGroup", allergies, emergency_contact as "emergencyContact", created_by as "createdBy",
  created_at as "createdAt", updated_at as "updatedAt"`;

/**
 * The hot reads, each a prepared statement (planned once per connection, RLS included).
 * $1 org, $2 limit, $3 offset; prefix searches are ranges [$n, $n+1) on the byte-ordered keys.
 */
/** A new patient, answered as it was stored: the same columns every read answers. */
const INSERT_PATIENT = prepared(`insert into patients (organization_id, id, first_name, last_name, mobile_number, date_of_birth,
    gender, email, address, blood_group, allergies, emergency_contact, created_by)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11::text[], $12::jsonb, $13)
  returning ${COLUMNS}`);
const FIND_PATIENT = prepared(`select ${COLUMNS} from patients where organization_id = $1 and id = $2`);
const LIST_RECENT = prepared(`select ${COLUMNS} from patients where organization_id = $1
  order by created_at desc, id desc limit $2 offset $3`);
const SEARCH_MOBILE = prepared(`select ${COLUMNS} from patients where organization_id = $1
  and mobile_number >= $4 and mobile_number < $5 order by mobile_number, id limit $2 offset $3`);
const SEARCH_ONE_NAME = prepared(`select ${COLUMNS} from patients where organization_id = $1
  and ((first_name_key >= $4 and first_name_key < $5) or (last_name_key >= $4 and last_name_key < $5))
  order by last_name_key, first_name_key, id limit $2 offset $3`);
const SEARCH_TWO_NAMES = prepared(`select ${COLUMNS} from patients where organization_id = $1
  and ((first_name_key >= $4 and first_name_key < $5 and last_name_key >= $6 and last_name_key < $7)
       or (first_name_key >= $8 and first_name_key < $9))
  order by last_name_key, first_name_key, id limit $2 offset $3`);

/**
 * Prefix searches are ranges: key >= prefix and key < prefix || U+10FFFF, which in the byte order
 * of COLLATE "C" holds exactly the keys that start with the prefix. Unlike LIKE, these comparisons
 * are LEAKPROOF, so Postgres may use the index under row-level security.
 */
const PREFIX_END = String.fromCodePoint(0x10ffff);

function view(p: Patient): PatientView {
  return {
    id: p.id,
    firstName: p.firstName,
    lastName: p.lastName,
    mobileNumber: p.mobileNumber,
    dateOfBirth: p.dateOfBirth,
    gender: p.gender,
    email: p.email,
    address: p.address,
    bloodGroup: p.bloodGroup,
    allergies: p.allergies,
    emergencyContact: p.emergencyContact,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

@Injectable()
export class PatientsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
  ) {}

  private get repo() {
    return this.tx.manager.getRepository(Patient);
  }

  async create(dto: CreatePatientDto): Promise<PatientView> {
    const orgId = this.context.orgId;
    await assertWithinLimit(this.tx.manager, orgId, 'maxPatients', (m) => this.countPatients(m, orgId));
    let patient: Patient;
    try {
      [patient] = await runPrepared<Patient>(this.tx.manager, INSERT_PATIENT, [
        orgId,
        randomUUID(),
        dto.firstName,
        dto.lastName,
        dto.mobileNumber,
        dto.dateOfBirth ?? null,
        dto.gender ?? null,
        dto.email ?? null,
        dto.address === undefined || dto.address === null ? null : JSON.stringify(dto.address),
        dto.bloodGroup ?? null,
        dto.allergies ?? [],
        dto.emergencyContact === undefined || dto.emergencyContact === null ? null : JSON.stringify(dto.emergencyContact),
        this.context.userId,
      ]);
    } catch (err) {
      if (isUniqueViolation(err, UNIQUE_MOBILE_FIRST_NAME)) {
        throw fail(ErrorCode.PatientExists, 'A patient with this mobile number and first name already exists');
      }
      throw err;
    }
    await this.audit.record({ action: 'patient.create', resourceType: 'patient', resourceId: patient.id });
    return view(patient);
  }

  async get(id: string): Promise<PatientView> {
    const patient = await this.find(id);
    await this.audit.record({ action: 'patient.read', resourceType: 'patient', resourceId: id });
    return view(patient);
  }

  async list(query: ListPatientsQuery): Promise<Page<PatientView>> {
    const { limit, offset } = pageWindow(query);
    const search = query.search;
    const page = [this.context.orgId, limit + 1, offset];
    let rows: Patient[];
    if (search && /^\+?[\d\s()-]+$/.test(search)) {
      const mobile = search.replace(/[\s()-]/g, '');
      rows = await runPrepared<Patient>(this.tx.manager, SEARCH_MOBILE, [...page, mobile, mobile + PREFIX_END]);
    } else if (search) {
      const words = search.toLowerCase().split(/\s+/);
      if (words.length === 1) {
        rows = await runPrepared<Patient>(this.tx.manager, SEARCH_ONE_NAME, [...page, words[0], words[0] + PREFIX_END]);
      } else {
        const [first, rest, whole] = [words[0], words.slice(1).join(' '), words.join(' ')];
        rows = await runPrepared<Patient>(this.tx.manager, SEARCH_TWO_NAMES, [
          ...page,
          first,
          first + PREFIX_END,
          rest,
          rest + PREFIX_END,
          whole,
          whole + PREFIX_END,
        ]);
      }
    } else {
      rows = await runPrepared<Patient>(this.tx.manager, LIST_RECENT, page);
    }
    const items = rows.slice(0, limit);
    await this.audit.record({
      action: search ? 'patient.search' : 'patient.list',
      resourceType: 'patient',
      details: { count: items.length, ids: items.map((p) => p.id) },
    });
    return { items: items.map(view), limit, offset, hasMore: rows.length > limit };
  }

  async update(id: string, dto: UpdatePatientDto): Promise<PatientView> {
    const patient = await this.find(id);
    try {
      await this.repo.update({ organizationId: patient.organizationId, id }, { ...dto });
    } catch (err) {
      if (isUniqueViolation(err, UNIQUE_MOBILE_FIRST_NAME)) {
        throw fail(ErrorCode.PatientExists, 'A patient with this mobile number and first name already exists');
      }
      throw err;
    }
    await this.audit.record({
      action: 'patient.update',
      resourceType: 'patient',
      resourceId: id,
      details: { fields: Object.keys(dto) },
    });
    return view(await this.find(id));
  }

  async remove(id: string): Promise<void> {
    let result;
    try {
      result = await this.repo.delete({ organizationId: this.context.orgId, id });
    } catch (err) {
      // Appointments, prescriptions and dental records keep their patient (no cascade): a
      // clinical history is never deleted as a side effect.
      if ((err as { driverError?: { code?: string } }).driverError?.code === '23503') {
        throw fail(ErrorCode.PatientHasRecords, 'This patient has appointments, prescriptions or dental records and cannot be deleted');
      }
      throw err;
    }
    if (!result.affected) throw fail(ErrorCode.PatientNotFound, 'Patient not found');
    await this.audit.record({ action: 'patient.delete', resourceType: 'patient', resourceId: id });
  }

  private async find(id: string): Promise<Patient> {
    const [patient] = await runPrepared<Patient>(this.tx.manager, FIND_PATIENT, [this.context.orgId, id]);
    if (!patient) throw fail(ErrorCode.PatientNotFound, 'Patient not found');
    return patient;
  }

  private async countPatients(m: EntityManager, orgId: string): Promise<number> {
    return m.getRepository(Patient).countBy({ organizationId: orgId });
  }
}
