import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { isUniqueViolation, prepared, runPrepared, TransactionHost } from '@medgenie/database';
import { conflict, notFound } from '@medgenie/http';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { ErrorCode } from '../common/errors';
import { assertWithinLimit } from '../organizations/plan-limits';
import { CreatePatientDto, ListPatientsQuery, UpdatePatientDto } from './dto/patient.dto';
import { Patient } from './patient.entity';

export type PatientView = Omit<Patient, 'organizationId' | 'createdBy'>;

export interface PatientPage {
  items: PatientView[];
  limit: number;
  offset: number;
  hasMore: boolean;
}

const UNIQUE_MOBILE_FIRST_NAME = 'patients_mobile_first_name_unique';

/** The hottest read: one prepared statement, columns named as the entity's properties. */
const FIND_PATIENT = prepared(`
  select organization_id as "organizationId", id, first_name as "firstName", last_name as "lastName",
         mobile_number as "mobileNumber", to_char(date_of_birth, 'YYYY-MM-DD') as "dateOfBirth", gender, email, address,
         blood_group as "bloodGroup", allergies, emergency_contact as "emergencyContact", created_by as "createdBy",
         created_at as "createdAt", updated_at as "updatedAt"
    from patients where organization_id = $1 and id = $2`);

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
    const patient = this.repo.create({
      ...dto,
      organizationId: orgId,
      id: randomUUID(),
      dateOfBirth: dto.dateOfBirth ?? null,
      allergies: dto.allergies ?? [],
      createdBy: this.context.userId,
    });
    try {
      await this.repo.insert(patient);
    } catch (err) {
      if (isUniqueViolation(err, UNIQUE_MOBILE_FIRST_NAME)) {
        throw conflict(ErrorCode.PatientExists, 'A patient with this mobile number and first name already exists');
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

  async list(query: ListPatientsQuery): Promise<PatientPage> {
    const limit = query.limit ?? 20;
    const offset = query.offset ?? 0;
    const qb = this.repo
      .createQueryBuilder('p')
      .where('p.organization_id = :orgId', { orgId: this.context.orgId })
      .take(undefined)
      .limit(limit + 1)
      .offset(offset);
    const search = query.search;
    if (search && /^\+?[\d\s()-]+$/.test(search)) {
      const mobile = search.replace(/[\s()-]/g, '');
      qb.andWhere('p.mobile_number >= :mobileLo and p.mobile_number < :mobileHi', { mobileLo: mobile, mobileHi: mobile + PREFIX_END });
      qb.orderBy('p.mobile_number').addOrderBy('p.id');
    } else if (search) {
      const words = search.toLowerCase().split(/\s+/);
      const range = (column: string, name: string, prefix: string) => {
        qb.setParameter(`${name}Lo`, prefix).setParameter(`${name}Hi`, prefix + PREFIX_END);
        return `(${column} >= :${name}Lo and ${column} < :${name}Hi)`;
      };
      if (words.length === 1) {
        const first = range('p.first_name_key', 'first', words[0]);
        const last = range('p.last_name_key', 'last', words[0]);
        qb.andWhere(`(${first} or ${last})`);
      } else {
        const firstAndLast = `(${range('p.first_name_key', 'first', words[0])} and ${range('p.last_name_key', 'last', words.slice(1).join(' '))})`;
        const wholeFirst = range('p.first_name_key', 'whole', words.join(' '));
        qb.andWhere(`(${firstAndLast} or ${wholeFirst})`);
      }
      qb.orderBy('p.last_name_key').addOrderBy('p.first_name_key').addOrderBy('p.id');
    } else {
      qb.orderBy('p.created_at', 'DESC').addOrderBy('p.id', 'DESC');
    }
    const rows = await qb.getMany();
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
        throw conflict(ErrorCode.PatientExists, 'A patient with this mobile number and first name already exists');
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
    const result = await this.repo.delete({ organizationId: this.context.orgId, id });
    if (!result.affected) throw notFound(ErrorCode.PatientNotFound, 'Patient not found');
    await this.audit.record({ action: 'patient.delete', resourceType: 'patient', resourceId: id });
  }

  private async find(id: string): Promise<Patient> {
    const [patient] = await runPrepared<Patient>(this.tx.manager, FIND_PATIENT, [this.context.orgId, id]);
    if (!patient) throw notFound(ErrorCode.PatientNotFound, 'Patient not found');
    return patient;
  }

  private async countPatients(m: EntityManager, orgId: string): Promise<number> {
    return m.getRepository(Patient).countBy({ organizationId: orgId });
  }
}
