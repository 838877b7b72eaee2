import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { isUniqueViolation, prepared, PreparedStatement, runPrepared, TransactionHost } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import { CreateMedicineDto, ListMedicinesQuery, MedicineScope, UpdateMedicineDto } from './dto/medicine.dto';
import { Medicine, MedicineForm } from './medicine.entity';
import { Page, pageWindow } from '../common/page';

export interface MedicineView {
  id: string;
  /** 'global': the catalogue every org sees, read-only through the API; 'organization': this org's own. */
  scope: MedicineScope;
  name: string;
  genericName: string | null;
  form: MedicineForm;
  strength: string | null;
  manufacturer: string | null;
  isActive: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const IDENTITY_UNIQUE = 'medicines_identity_unique';

const COLUMNS = `organization_id as "organizationId", id, name, generic_name as "genericName", form, strength, manufacturer,
  is_active as "isActive", created_by as "createdBy", created_at as "createdAt", updated_at as "updatedAt"`;

/** Global rows and the org's own; row-level security agrees, and hides every other org's. */
const FIND_MEDICINE = prepared(`select ${COLUMNS} from medicines
  where id = $2 and (organization_id is null or organization_id = $1)`);

const SAME_AS_GLOBAL = prepared(`select id from medicines
  where organization_id is null and name_key = lower($1) and form = $2 and strength is not distinct from $3`);

/**
 * Prefix searches are ranges on the byte-ordered keys (key >= p and key < p || U+10FFFF): unlike
 * LIKE, these comparisons are LEAKPROOF, so Postgres may use the (organization_id, name_key) and
 * (organization_id, generic_name_key) indexes under row-level security. One prepared statement per
 * scope and search shape; form ($6) and active ($7) are NULL when not filtered on.
 */
const PREFIX_END = String.fromCodePoint(0x10ffff);
const SCOPE_SQL: Record<MedicineScope | 'all', string> = {
  all: '(organization_id is null or organization_id = $1)',
  global: 'organization_id is null and $1::uuid is not null',
  organization: 'organization_id = $1',
};
const SEARCH_SQL = `((name_key >= $4 and name_key < $5) or (generic_name_key >= $4 and generic_name_key < $5))`;
const NO_SEARCH_SQL = `($4::text is null and $5::text is null)`;

const statements = new Map<string, PreparedStatement>();
function listStatement(scope: MedicineScope | 'all', search: boolean): PreparedStatement {
  const key = `${scope}:${search}`;
  let statement = statements.get(key);
  if (!statement) {
    statement = prepared(`select ${COLUMNS} from medicines
      where ${SCOPE_SQL[scope]} and ${search ? SEARCH_SQL : NO_SEARCH_SQL}
        and ($6::text is null or form = $6::text) and ($7::boolean is null or is_active = $7::boolean)
      order by name_key, form, strength nulls first, id
      limit $2 offset $3`);
    statements.set(key, statement);
  }
  return statement;
}

export function medicineView(m: Medicine): MedicineView {
  return {
    id: m.id,
    scope: m.organizationId === null ? 'global' : 'organization',
    name: m.name,
    genericName: m.genericName,
    form: m.form,
    strength: m.strength,
    manufacturer: m.manufacturer,
    isActive: m.isActive,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}

function isForeignKeyViolation(err: unknown): boolean {
  const e = err as { driverError?: { code?: string }; code?: string } | undefined;
  return (e?.driverError ?? e)?.code === '23503';
}

@Injectable()
export class MedicinesService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
  ) {}

  private get repo() {
    return this.tx.manager.getRepository(Medicine);
  }

  async create(dto: CreateMedicineDto): Promise<MedicineView> {
    const medicine = this.repo.create({
      organizationId: this.context.orgId,
      id: randomUUID(),
      name: dto.name,
      genericName: dto.genericName ?? null,
      form: dto.form,
      strength: dto.strength ?? null,
      manufacturer: dto.manufacturer ?? null,
      isActive: true,
      createdBy: this.context.userId,
    });
    await this.assertNotGlobal(medicine);
    try {
      await this.repo.insert(medicine);
    } catch (err) {
      throw this.duplicate(err);
    }
    await this.audit.record({ action: 'medicine.create', resourceType: 'medicine', resourceId: medicine.id });
    return medicineView(await this.find(medicine.id));
  }

  async list(query: ListMedicinesQuery): Promise<Page<MedicineView>> {
    const { limit, offset } = pageWindow(query);
    const search = query.search?.toLowerCase();
    const rows = await runPrepared<Medicine>(this.tx.manager, listStatement(query.scope ?? 'all', search !== undefined), [
      this.context.orgId,
      limit + 1,
      offset,
      search ?? null,
      search === undefined ? null : search + PREFIX_END,
      query.form ?? null,
      query.active ?? null,
    ]);
    const items = rows.slice(0, limit);
    await this.audit.record({
      action: search ? 'medicine.search' : 'medicine.list',
      resourceType: 'medicine',
      details: { count: items.length, ids: items.map((m) => m.id) },
    });
    return { items: items.map(medicineView), limit, offset, hasMore: rows.length > limit };
  }

  async get(id: string): Promise<MedicineView> {
    const medicine = await this.find(id);
    await this.audit.record({ action: 'medicine.read', resourceType: 'medicine', resourceId: id });
    return medicineView(medicine);
  }

  async update(id: string, dto: UpdateMedicineDto): Promise<MedicineView> {
    const medicine = this.ownOnly(await this.find(id));
    const patch: Partial<Medicine> = {};
    if (dto.name !== undefined) patch.name = dto.name;
    if (dto.genericName !== undefined) patch.genericName = dto.genericName;
    if (dto.form !== undefined) patch.form = dto.form;
    if (dto.strength !== undefined) patch.strength = dto.strength;
    if (dto.manufacturer !== undefined) patch.manufacturer = dto.manufacturer;
    if (dto.isActive !== undefined) patch.isActive = dto.isActive;
    if (patch.name !== undefined || patch.form !== undefined || patch.strength !== undefined) {
      await this.assertNotGlobal({ ...medicine, ...patch });
    }
    if (Object.keys(patch).length > 0) {
      try {
        await this.repo.update({ organizationId: this.context.orgId, id }, patch);
      } catch (err) {
        throw this.duplicate(err);
      }
    }
    await this.audit.record({ action: 'medicine.update', resourceType: 'medicine', resourceId: id, details: { fields: Object.keys(dto) } });
    return medicineView(await this.find(id));
  }

  /** A medicine a prescription or a short key names stays (history must read as it was): deactivate it instead. */
  async remove(id: string): Promise<void> {
    this.ownOnly(await this.find(id));
    try {
      await this.repo.delete({ organizationId: this.context.orgId, id });
    } catch (err) {
      if (isForeignKeyViolation(err)) {
        throw fail(ErrorCode.MedicineInUse, 'Prescriptions or short keys name this medicine; deactivate it (isActive: false) instead');
      }
      throw err;
    }
    await this.audit.record({ action: 'medicine.delete', resourceType: 'medicine', resourceId: id });
  }

  private async find(id: string): Promise<Medicine> {
    const [medicine] = await runPrepared<Medicine>(this.tx.manager, FIND_MEDICINE, [this.context.orgId, id]);
    if (!medicine) throw fail(ErrorCode.MedicineNotFound, 'Medicine not found');
    return medicine;
  }

  /**
   * Global medicines are read-only through the API. The answer is 403, not 404: the row is
   * visible to every org (GET returns it), so a 404 would hide nothing and would only mislead the
   * client; 403 with MEDICINE_IS_GLOBAL tells it what to do instead (add its own medicine).
   * Another org's medicine, which the caller cannot see, is 404 as always.
   */
  private ownOnly(medicine: Medicine): Medicine {
    if (medicine.organizationId === null) {
      throw fail(ErrorCode.MedicineIsGlobal, 'Global catalogue medicines cannot be changed; add your own medicine instead');
    }
    return medicine;
  }

  /** An org's own copy of a catalogue medicine would only make every search show it twice. */
  private async assertNotGlobal(m: Pick<Medicine, 'name' | 'form' | 'strength'>): Promise<void> {
    const same = await runPrepared(this.tx.manager, SAME_AS_GLOBAL, [m.name, m.form, m.strength]);
    if (same.length > 0) throw fail(ErrorCode.MedicineExists, 'The global catalogue already has this medicine, form and strength');
  }

  private duplicate(err: unknown): unknown {
    if (isUniqueViolation(err, IDENTITY_UNIQUE)) {
      return fail(ErrorCode.MedicineExists, 'This organization already has a medicine with this name, form and strength');
    }
    return err;
  }
}
